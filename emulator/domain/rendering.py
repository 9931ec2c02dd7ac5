"""Message bodies: Markdown rendered to HTML by markdown-it-py, plain text and blurb derived from HTML."""

from __future__ import annotations

import re
from functools import lru_cache
from html.parser import HTMLParser

from markdown_it import MarkdownIt

BLURB_LENGTH = 140

# CommonMark without raw HTML: markup typed into a chat widget is shown, not executed.
_markdown = MarkdownIt("commonmark", {"html": False})
_BLOCK_TAGS = frozenset(
    {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "tr", "hr"}
)
_WHITESPACE = re.compile(r"\s+")
_BLANK_LINES = re.compile(r"\n{3,}")


def render_markdown(source: str) -> str:
    html: str = _markdown.render(source)
    return html


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    lines = ("".join(extractor.parts)).split("\n")
    return _BLANK_LINES.sub("\n\n", "\n".join(line.strip() for line in lines)).strip()


def blurb_of(text: str) -> str:
    flat = _WHITESPACE.sub(" ", text).strip()
    return flat if len(flat) <= BLURB_LENGTH else flat[: BLURB_LENGTH - 1].rstrip() + "…"


@lru_cache(maxsize=4096)
def rendered_body(source: str, body_format: str) -> tuple[str, str]:
    """(html, text) of a body as sent; cached because bots send the same bodies over and over."""
    html = render_markdown(source) if body_format == "markdown" else source
    return html, html_to_text(html)
