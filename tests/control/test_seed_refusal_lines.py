"""A seed refused for its workspace file keeps each line of the reason whole: the title and details are
split on newlines only, not at the other line boundaries str.splitlines() knows (U+2028, \\x0b, \\x1c…)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.control.helpers import error_of

ROOT = Path(__file__).resolve().parents[2]


def test_a_file_name_with_a_line_separator_stays_in_the_title(make_client, tmp_path):
    document = json.loads((ROOT / "fixtures" / "default-workspace.json").read_text("utf-8"))
    document["channels"][0]["name"] = 5
    workspace = tmp_path / "team\u2028two\x0bthree.json"
    workspace.write_text(json.dumps(document), "utf-8")
    client = make_client(fixtures_dirs=(tmp_path,))
    answer = client.post("/_emulator/seed", json={"path": str(workspace)})
    assert answer.status_code == 400
    assert error_of(answer) == {
        "status": 400,
        "title": "Bad request",
        "message": f"{workspace} is not a valid workspace:",
        "details": ["/channels/0/name: must be a string"],
    }
