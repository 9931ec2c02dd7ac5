"""The filters of control-plane lists refuse values that can never match, naming the allowed ones, rather
than answering an empty list that looks like "nothing happened"."""

from __future__ import annotations

from tests.conftest import CHANNEL, post_message
from tests.control.helpers import MESSAGE, REFUSED_URL, conversation_id_of, error_of


def test_deliveries_refuse_an_outcome_that_is_not_sent_or_failed(client):
    answer = client.get("/_emulator/deliveries", params={"outcome": "x"})
    assert answer.status_code == 400
    assert error_of(answer) == {
        "status": 400,
        "title": "Bad request",
        "message": "Invalid filter",
        "details": ["outcome: 'x' is not one of sent, failed"],
    }
    # Every value of a repeated filter is checked, not only the last.
    answer = client.get("/_emulator/deliveries?outcome=lost&outcome=sent")
    assert error_of(answer)["details"] == ["outcome: 'lost' is not one of sent, failed"]


def test_deliveries_filter_by_a_valid_outcome(client):
    client.patch(f"/channels/{CHANNEL}", json={"settings": {"webhook_url": REFUSED_URL}})
    conversation = conversation_id_of(client, post_message(client, MESSAGE))
    reply = client.post(
        f"/conversations/{conversation}/messages", json={"body": "Hi", "author_id": "tea_1b01"}
    )
    assert reply.status_code == 202, reply.text
    waited = client.post("/_emulator/wait", json={"deliveries": 1, "outcome": "failed", "timeout": 30}).json()
    assert waited["satisfied"] is True
    failed = client.get("/_emulator/deliveries", params={"outcome": "failed"}).json()["_results"]
    assert [delivery["outcome"] for delivery in failed] == ["failed"]
    assert client.get("/_emulator/deliveries", params={"outcome": "sent"}).json()["_results"] == []


def test_app_events_refuse_a_type_no_event_has(client):
    answer = client.get("/_emulator/app_events", params={"type": "authorisation"})
    assert answer.status_code == 400
    assert error_of(answer)["details"] == [
        "type: 'authorisation' is not one of "
        "authorization, delete, message_imported, message, message_autoreply"
    ]
    assert client.get("/_emulator/app_events", params={"type": "authorization"}).status_code == 200


def test_the_control_planes_openapi_document_names_the_choices(client):
    paths = client.get("/_emulator/openapi.json").json()["paths"]
    parameters = {
        parameter["name"]: parameter["schema"]
        for parameter in paths["/_emulator/deliveries"]["get"]["parameters"]
    }
    assert parameters["outcome"] == {"enum": ["sent", "failed"]}
    assert parameters["channel_id"] == {"type": "string"}


def test_the_request_journal_refuses_a_path_prefix_no_path_has(client):
    for route in ("/_emulator/requests", "/_emulator/requests/report"):
        answer = client.get(route, params={"path_prefix": "channels/"})
        assert answer.status_code == 400, route
        assert error_of(answer)["details"] == ["path_prefix: 'channels/' must start with / (e.g. /channels/)"]
        assert client.get(route, params={"path_prefix": "/channels/"}).status_code == 200
