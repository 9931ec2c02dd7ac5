"""Valid documents and wrong payloads (with the exact details each gets) of the schemas of the Channel API's
calls and message templates, for tests/test_schemas.py's check of every schema in schemas/."""

from __future__ import annotations

from typing import Any

_TEMPLATE = {
    "external_id": "wa-order-shipped",
    "name": "Order shipped",
    "blurb": "Your order {{1}} is on its way",
    "is_disabled": False,
    "status_name": "APPROVED",
    "variable_mappings": [{"uid": "1", "type": "text", "name": "order_number"}],
    "template_preview": "Your order {{1}} is on its way",
}
_CALL = {
    "channel_id": "cha_1a04",
    "external_call_id": "call-1",
    "direction": "inbound",
    "party": {"handle": "+15550101234", "name": "Bo"},
    "parent_external_call_id": "",
    "thread_root": "call-1",
    "agent_email_address": None,
    "started_at": 1_700_000_000.0,
    "status": "hangup",
    "has_ended": True,
    "duration": 42,
    "history": [
        {"status": "ringing", "occurred_at": 1_700_000_000.0, "agent_email_address": None},
        {"status": "connected", "occurred_at": 1_700_000_003.0, "agent_email_address": "ada@example.test"},
        {"status": "hangup", "occurred_at": 1_700_000_045.0, "agent_email_address": None},
    ],
    "recordings": [
        {
            "recording_type": "voicemail",
            "attachment_id": "fil_1",
            "filename": "voicemail.mp3",
            "content_type": "audio/mpeg",
            "size": 3,
            "url": "http://emulator.test/messages/msg_1/download/fil_1",
        }
    ],
    "summary": "Asked where order 42 is",
    "transcript": [
        {
            "speaker_name": "Bo",
            "content": "Where is it?",
            "start_time_seconds": 1.5,
            "speaker_type": "external",
        }
    ],
    "message_id": "msg_1",
    "conversation_id": "cnv_1",
}

CALL_SCHEMA_DOCUMENTS: dict[str, Any] = {
    "channel-call": {
        "external_call_id": "call-1",
        "initial_status": "ringing",
        "direction": "inbound",
        "from": {"handle": "+15550101234", "name": "Bo"},
        "parent_external_call_id": "",
        "started_at": 1_700_000_000_000,
        "agent_email_address": "ada@example.test",
    },
    "channel-call-status": {"call_status": "connected", "occurred_at": 1_700_000_003_000},
    "channel-call-recording": {"recording_type": "call"},
    "channel-call-summary": {"content": "Asked where order 42 is"},
    "channel-call-transcript": {"lines": _CALL["transcript"]},
    "channel-message-template": _TEMPLATE,
    "channel-message-template-update": {"is_disabled": True, "status_name": "REJECTED"},
    "message-template-answer": {"template_id": 1},
    "message-template-list": {
        "_results": [{"template_id": 1, "channel_id": "cha_1a04", **_TEMPLATE, "updated_at": 1_700_000_000.0}]
    },
    "call": _CALL,
    "call-list": {"_results": [_CALL]},
}


def call_schema_wrong_payloads(delete: object) -> dict[str, list[tuple[dict[str, Any], list[str]]]]:
    """The wrong payloads, `delete` being tests/test_schemas.py's marker for a removed field."""
    return {
        "channel-call": [
            (
                {"/from": delete, "/initial_status": "connected"},
                ["/from: required", "/initial_status: must be one of: queued, ringing"],
            ),
            (
                {"/to": {"handle": "+15550104321"}, "/started_at": "now"},
                ["/started_at: must be a number", "/to: an inbound call has `from` (the caller), not `to`"],
            ),
            (
                {"/direction": "outbound"},
                ["/from: an outbound call has `to` (the callee), not `from`", "/to: required"],
            ),
            (
                {"/parent_external_call_id": delete, "/external_call_id": "", "/from/handle": delete},
                [
                    "/external_call_id: must not be empty",
                    "/from/handle: required",
                    "/parent_external_call_id: required",
                ],
            ),
        ],
        "channel-call-status": [
            (
                {"/call_status": "ended", "/occurred_at": -1},
                [
                    "/call_status: must be one of: queued, ringing, connected, hold, hangup, abandoned, "
                    "missed, transferred",
                    "/occurred_at: must be >= 0",
                ],
            ),
            (
                {"/call_status": delete, "/status": "hangup"},
                ["/call_status: required", "/status: is not a known field"],
            ),
        ],
        "channel-call-recording": [
            ({"/recording_type": "meeting"}, ["/recording_type: must be one of: call, voicemail"]),
            ({"/recording_type": delete}, ["/recording_type: required"]),
        ],
        "channel-call-summary": [
            ({"/content": ""}, ["/content: must not be empty"]),
            ({"/content": delete, "/text": "x"}, ["/content: required", "/text: is not a known field"]),
        ],
        "channel-call-transcript": [
            ({"/lines": []}, ["/lines: must not be empty"]),
            (
                {"/lines/0/speaker_type": "agent", "/lines/0/start_time_seconds": delete},
                [
                    "/lines/0/speaker_type: must be one of: internal, external",
                    "/lines/0/start_time_seconds: required",
                ],
            ),
        ],
        "channel-message-template": [
            (
                {"/external_id": delete, "/status_name": "approved"},
                ["/external_id: required", "/status_name: must be one of: PENDING, APPROVED, REJECTED"],
            ),
            (
                {"/variable_mappings/0/uid": delete, "/is_disabled": "no"},
                ["/is_disabled: must be true or false", "/variable_mappings/0/uid: required"],
            ),
        ],
        "channel-message-template-update": [
            (
                {"/external_id": "other", "/name": ""},
                ["/external_id: is not a known field", "/name: must not be empty"],
            ),
        ],
        "message-template-answer": [({"/template_id": "msg_777"}, ["/template_id: must be an integer"])],
        "message-template-list": [
            ({"/_results/0/updated_at": delete}, ["/_results/0/updated_at: required"]),
        ],
        "call": [
            (
                {"/status": "over", "/duration": -1},
                [
                    "/duration: must be >= 0",
                    "/status: must be one of: queued, ringing, connected, hold, hangup, abandoned, missed, "
                    "transferred",
                ],
            ),
            (
                {"/recordings/0/content_type": "text/plain", "/history": []},
                ["/history: must not be empty", "/recordings/0/content_type: must match the pattern ^audio/"],
            ),
        ],
        "call-list": [
            (
                {"/_results/0/transcript/0/speaker_type": "bot"},
                ["/_results/0/transcript/0/speaker_type: must be one of: internal, external"],
            )
        ],
    }
