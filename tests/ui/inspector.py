"""Reading the inspector as a person or a script would: a page's HTML, its visible text, its links, and
its event stream."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from typing import Any

UI = "/_emulator/ui"
# The App secret of the app on loopback that the application pages' tests add (tests/ui/conftest.py).
APP_SECRET = "an-app-secret-of-at-least-32-bytes!"
ADA = "tea_1b01"
_HREF = re.compile(r'href="(/_emulator/ui[^"#]*)')


def page(client: Any, path: str, status: int = 200) -> str:
    answer = client.get(path)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("text/html")
    return str(answer.text)


def text_of(markup: str) -> str:
    """The page's visible text, tags dropped and entities decoded, whitespace collapsed."""
    markup = re.sub(r"<(script|style)\b.*?</\1>", " ", markup, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", markup))).strip()


def inspector_links(markup: str) -> set[str]:
    """Every inspector address the page links to (fragments dropped), the static files aside."""
    return {html.unescape(link) for link in _HREF.findall(markup) if "/static/" not in link}


def assert_links_resolve(client: Any, markup: str) -> set[str]:
    """Each inspector link on the page answers 200 with a page; the links, for further checks."""
    links = inspector_links(markup)
    for link in sorted(links):
        answer = client.get(link)
        assert answer.status_code == 200, f"{link}: {answer.status_code} {answer.text[:300]}"
    return links


def read_event(lines: Iterator[str]) -> tuple[str, dict[str, Any]]:
    name, data = "message", ""
    for line in lines:
        if line.startswith("event: "):
            name = line[len("event: ") :]
        elif line.startswith("data: "):
            data = line[len("data: ") :]
        elif line == "" and data:
            return name, json.loads(data)
    raise AssertionError("the stream ended")


def read_news(lines: Iterator[str]) -> tuple[str, dict[str, Any]]:
    """The next event that is not a keep-alive ping."""
    while (event := read_event(lines))[0] == "ping":
        pass
    return event
