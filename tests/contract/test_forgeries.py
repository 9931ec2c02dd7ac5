"""emulator.contract.forgeries: each forgery yields a request that a correct verifier refuses, from a
genuine payload that the same verifier accepts."""

from __future__ import annotations

import pytest

from emulator.contract.forgeries import FORGERIES, forgeries_for
from emulator.outbound.javascript_json import stringify_bytes
from emulator.signing import SCHEMES, SignatureError, signature_headers, verify

SECRET = "forgery-secret"
DOCUMENT = {"id": "msg_1", "text": "Hello"}
BODY = stringify_bytes(DOCUMENT)


@pytest.mark.parametrize(("scheme", "name"), [(s, n) for s in SCHEMES for n in forgeries_for(s)])
def test_each_forgery_is_refused_by_a_correct_verifier(scheme, name):
    verify(signature_headers(BODY, SECRET, scheme), BODY, SECRET, scheme)
    body, headers = FORGERIES[name].forge(DOCUMENT, BODY, SECRET, scheme)
    with pytest.raises(SignatureError):
        verify(headers, body, SECRET, scheme)


def test_timestamp_forgeries_apply_to_the_timestamped_scheme_only():
    assert forgeries_for("sha1-body") == ["wrong_secret", "altered_body", "missing_signature"]
    assert forgeries_for("sha256-timestamp") == list(FORGERIES)
