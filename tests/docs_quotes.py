"""Code blocks that docs pages quote from repository files, marked `<!-- docs-test: same as PATH -->`."""

from __future__ import annotations

import re
from pathlib import Path

QUOTED = re.compile(r"<!-- docs-test: same as (\S+) -->\n```\w*\n(.*?)```\n", re.DOTALL)


def quoted_blocks(page: Path) -> dict[str, str]:
    """The text of each quoted block of `page`, by the repository path it quotes."""
    return dict(QUOTED.findall(page.read_text()))
