"""POST /_emulator/wait counts every delivery of the current state, also those the delivery journal's
bounds have since dropped."""

from __future__ import annotations

from tests.conftest import CHANNEL, post_message
from tests.control.helpers import MESSAGE, REFUSED_URL, conversation_id_of


def test_wait_counts_deliveries_the_journal_no_longer_keeps(make_client, monkeypatch):
    monkeypatch.setattr("emulator.domain.outbox.MAX_DELIVERIES", 2)
    client = make_client()
    client.patch(f"/channels/{CHANNEL}", json={"settings": {"webhook_url": REFUSED_URL}})
    conversation = conversation_id_of(client, post_message(client, MESSAGE))
    for number in range(3):
        reply = {"body": f"reply {number}", "author_id": "tea_1b01"}
        assert client.post(f"/conversations/{conversation}/messages", json=reply).status_code == 202
        waited = client.post("/_emulator/wait", json={"deliveries": number + 1, "timeout": 30}).json()
        assert waited["satisfied"] is True, waited
        assert waited["deliveries"] == number + 1
    journal = client.get("/_emulator/deliveries").json()
    assert len(journal["_results"]) == 2 and journal["dropped"] == 1
    # Filters count the dropped deliveries too; a reset starts the count again.
    waited = client.post(
        "/_emulator/wait", json={"deliveries": 3, "channel_id": CHANNEL, "outcome": "failed", "timeout": 0}
    ).json()
    assert (waited["satisfied"], waited["deliveries"]) == (True, 3)
    assert client.post("/_emulator/reset").status_code == 204
    waited = client.post("/_emulator/wait", json={"deliveries": 1, "timeout": 0}).json()
    assert (waited["satisfied"], waited["deliveries"]) == (False, 0)
