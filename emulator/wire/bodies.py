"""Request bodies: size caps, strict UTF-8 JSON, and Front's bracketed multipart forms."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote_plus

import orjson
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import ClientDisconnect, Request

from emulator.domain.messages import AttachmentUpload
from emulator.wire.errors import FrontError

MAX_HEADERS_DEPTH = 32
# orjson accepts 1024 levels, far more than the explaining validator can recurse through (it reprs the
# value it refuses); no real message nests anywhere near this.
MAX_DEPTH = 64
_BRACKETS = re.compile(r"\[([^\[\]]*)\]")
_FORM_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_ATTACHMENT_KEY = re.compile(r"^attachments(?:\[\d*\])?$")
_LIST_KEY = re.compile(r"^([a-z_]+)(?:\[\d*\])?$")
# type/subtype and parameters in printable ASCII (RFC 9110 tokens): it is sent back as a header on download.
_MEDIA_TYPE = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+/[!#$%&'*+.^_`|~0-9A-Za-z-]+(?:\s*;[ -~]*)?$")


def media_type(request: Request) -> str:
    """`Application/JSON; charset=utf-8` → `application/json`: parameters dropped, case folded."""
    return request.headers.get("content-type", "").partition(";")[0].strip().lower()


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, refusing with 413 as soon as it passes `limit` bytes (announced or streamed)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _too_large(limit)
            chunks.append(chunk)
    except ClientDisconnect:
        raise FrontError(400, "The client disconnected before sending the whole body") from None
    return b"".join(chunks)


def _too_large(limit: int) -> FrontError:
    return FrontError(413, f"Request body is larger than the {_human_size(limit)} this endpoint accepts")


def _human_size(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB" if size >= 1024 * 1024 else f"{size} bytes"


def parse_json(body: bytes) -> Any:
    """orjson is strict where Front is: invalid UTF-8, lone surrogates, NaN and >1024 levels all fail."""
    if not body.strip():
        raise FrontError(400, "Request body is empty: send a JSON object")
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise FrontError(400, f"Request body is not valid JSON: {error}") from None
    # Each level costs at least one bracket, so counting them spares the walk for ordinary bodies.
    if body.count(b"[") + body.count(b"{") > MAX_DEPTH:
        check_depth(document)
    return document


def check_depth(document: Any) -> None:
    """Refuse a document nesting deeper than MAX_DEPTH, naming the top-level field at fault."""
    if not isinstance(document, dict | list):
        return
    members = document.items() if isinstance(document, dict) else enumerate(document)
    for key, value in members:
        level = [value]
        for _ in range(MAX_DEPTH - 1):
            level = [
                child
                for node in level
                if isinstance(node, dict | list)
                for child in (node.values() if isinstance(node, dict) else node)
            ]
            if not level:
                break
        else:
            pointer = "/" + str(key).replace("~", "~0").replace("/", "~1")
            detail = f"{pointer}: must not nest deeper than {MAX_DEPTH} levels"
            raise FrontError(400, "Invalid request body", [detail])


def check_headers_depth(document: Any) -> None:
    """metadata.headers is free-form: bound its nesting so it can always be written back."""
    metadata = document.get("metadata") if isinstance(document, dict) else None
    headers = metadata.get("headers") if isinstance(metadata, dict) else None
    if not isinstance(headers, dict):
        return
    level: list[dict[str, Any] | list[Any]] = [headers]
    for _ in range(MAX_HEADERS_DEPTH):
        level = [
            child
            for value in level
            for child in (value.values() if isinstance(value, dict) else value)
            if isinstance(child, dict | list)
        ]
        if not level:
            return
    raise FrontError(
        400,
        "Invalid request body",
        [f"/metadata/headers: must not nest deeper than {MAX_HEADERS_DEPTH} levels"],
    )


async def parse_multipart(
    request: Request, body: bytes, max_attachments_bytes: int, list_fields: frozenset[str] = frozenset()
) -> tuple[Any, list[AttachmentUpload]]:
    """A form with `sender[handle]`-style keys becomes the same document a JSON body would be.

    Fields named in `list_fields` (`to`, `to[]`, `to[0]`…) collect their values into a list, in order.
    """
    request._body = body  # the form parser reads the body we already capped
    problems: list[str] = []
    try:
        if media_type(request) == "multipart/form-data":
            parser = _StrictMultiPartParser(request.headers, request.stream(), max_files=100, max_fields=1000)
            form = await parser.parse()
            problems += parser.problems
        else:
            form = _url_encoded_form(body, max_fields=1000)
    except (MultiPartException, HTTPException) as error:
        detail = error.message if isinstance(error, MultiPartException) else error.detail
        raise FrontError(
            400,
            f"Request body is not valid multipart/form-data ({detail}): let your HTTP client build "
            "the form, so that the boundary in Content-Type matches the body",
        ) from None
    document: dict[str, Any] = {}
    uploads: list[AttachmentUpload] = []
    total = 0
    try:
        for key, value in form.multi_items():
            if _ATTACHMENT_KEY.match(key):
                if not isinstance(value, UploadFile):
                    problems.append(f"/attachments: field {key!r} must be a file, not text")
                    continue
                data = await value.read()
                total += len(data)
                if total > max_attachments_bytes:
                    raise FrontError(
                        413,
                        f"Attachments are larger than the {_human_size(max_attachments_bytes)} Front accepts",
                    )
                content_type = value.content_type or "application/octet-stream"
                if not _MEDIA_TYPE.match(content_type):
                    problems.append(
                        f"/attachments/{len(uploads)}: Content-Type {content_type!r} is not a media type "
                        "such as application/pdf"
                    )
                uploads.append(
                    AttachmentUpload(
                        filename=value.filename or "attachment", content_type=content_type, data=data
                    )
                )
                continue
            listed = _LIST_KEY.match(key)
            if listed and listed.group(1) in list_fields and not isinstance(value, UploadFile):
                items = document.setdefault(listed.group(1), [])
                if isinstance(items, list):
                    items.append(value)
                    continue
            path = _form_path(key)
            if path is None:
                problems.append(f"{key}: is not a valid form field name")
            elif len(path) > MAX_DEPTH:
                problems.append(f"/{path[0]}: must not nest deeper than {MAX_DEPTH} levels")
            elif isinstance(value, UploadFile):
                problems.append(f"/{'/'.join(path)}: must be text, not a file")
            else:
                problem = _place(document, path, value)
                if problem:
                    problems.append(problem)
    finally:
        await form.close()
    if problems:
        raise FrontError(400, "Invalid request body", sorted(problems))
    return document, uploads


def _url_encoded_form(body: bytes, max_fields: int) -> FormData:
    """An application/x-www-form-urlencoded body, strictly UTF-8: Starlette's parser decodes raw bytes as
    Latin-1 and percent-escapes that are not UTF-8 as U+FFFD, storing what the client never sent where the
    same bytes in JSON are a 400."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise FrontError(
            400, "Request body is not valid UTF-8: percent-encode form fields as UTF-8 (%C3%A9 for é)"
        ) from None
    fields = [field for field in text.split("&") if field]
    if len(fields) > max_fields:
        raise FrontError(400, f"Request body has more than {max_fields} form fields")
    pairs: list[tuple[str, str | UploadFile]] = []
    problems = []
    for field in fields:
        name, _, value = field.partition("=")
        try:
            pairs.append((unquote_plus(name, errors="strict"), unquote_plus(value, errors="strict")))
        except UnicodeDecodeError:
            problems.append(f"{name}: its percent-encoded bytes are not UTF-8 (%C3%A9 is é)")
    if problems:
        raise FrontError(400, "Invalid request body", problems)
    return FormData(pairs)


class _StrictMultiPartParser(MultiPartParser):
    """Starlette's multipart parser, noting what it would silently alter so the request is refused instead:
    text that is not UTF-8 (Starlette falls back to Latin-1, storing mojibake where the same bytes in JSON
    are a 400), and a Content-Disposition that ends inside a quoted value (a raw CR LF in a filename ends
    the header line: Starlette kept the filename cut there)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.problems: list[str] = []

    def on_headers_finished(self) -> None:
        disposition = self._current_part.content_disposition or b""
        super().on_headers_finished()
        where = _pointer(self._current_part.field_name)
        if _ends_inside_quotes(disposition):
            self.problems.append(
                f"{where}: its Content-Disposition header ends inside a quoted value (a line break in the "
                "filename?): percent-encode CR and LF in filenames (%0D%0A), as browsers do"
            )
        elif not _is_utf8(disposition):
            self.problems.append(f"{where}: its field name or filename is not valid UTF-8")

    def on_part_end(self) -> None:
        part = self._current_part
        if part.file is None and self._charset == "utf-8" and not _is_utf8(part.data):
            self.problems.append(f"{_pointer(part.field_name)}: is not valid UTF-8 text")
        super().on_part_end()


def _is_utf8(data: bytes | bytearray) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _ends_inside_quotes(header: bytes) -> bool:
    """Whether a quoted string in `header` is left open (backslash escapes a quote, as RFC 9110 says)."""
    inside = escaped = False
    for byte in header:
        if escaped:
            escaped = False
        elif inside and byte == 0x5C:
            escaped = True
        elif byte == 0x22:
            inside = not inside
    return inside


def _pointer(key: str) -> str:
    """`sender[handle]` as the JSON pointer a JSON body's detail would give (`/sender/handle`)."""
    if _ATTACHMENT_KEY.match(key):
        return "/attachments"
    path = _form_path(key)
    return "/" + "/".join(path) if path else key


def _form_path(key: str) -> list[str] | None:
    match = _FORM_KEY.match(key)
    if match is None:
        return None
    path = [match.group(1), *_BRACKETS.findall(match.group(2))]
    return None if any(part == "" for part in path) else path


def _place(document: dict[str, Any], path: list[str], value: str) -> str | None:
    node = document
    for depth, part in enumerate(path[:-1]):
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            return f"/{'/'.join(path[: depth + 1])}: given both as a value and as an object"
        node = child
    last = path[-1]
    if last in node:
        kind = "an object" if isinstance(node[last], dict) else "a value"
        return f"/{'/'.join(path)}: given more than once (already {kind})"
    node[last] = value
    return None
