"""Property tests of the Channel API's JWT check, through HTTP: every well-formed token of the channel's
app is accepted whatever its jti and remaining lifetime, and every token with one defect is refused
with a 401 naming that defect, creating nothing."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from emulator.app import create_app, create_store
from emulator.domain.clock import FrozenClock
from tests.channel_jwts import APP_CHANNEL, APP_SECRET, APP_UID, bearer
from tests.conftest import IN_PROCESS_URL, make_config

NOW = 1_700_000_000
LEEWAY = 5
INBOUND = f"/channels/{APP_CHANNEL}/inbound_messages"
_external_ids = itertools.count()


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    config = make_config(public_url=IN_PROCESS_URL)
    app = create_app(config, create_store(config, FrozenClock(float(NOW))))
    with TestClient(app, base_url=IN_PROCESS_URL) as client:
        yield client


def _post(client: TestClient, token: str) -> Any:
    document = {
        "sender": {"handle": "bo"},
        "body": "hi",
        "metadata": {"external_id": f"m{next(_external_ids)}", "external_conversation_id": "c"},
    }
    return client.post(INBOUND, json=document, headers=bearer(token))


def _claims(jti: str, exp: int) -> dict[str, Any]:
    return {"iss": APP_UID, "sub": APP_CHANNEL, "jti": jti, "exp": exp}


PROPERTY = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@PROPERTY
@given(jti=st.text(min_size=1, max_size=40), lifetime=st.integers(-LEEWAY, 3600))
def test_every_well_formed_token_of_the_channel_is_accepted(
    client: TestClient, jti: str, lifetime: int
) -> None:
    token = jwt.encode(_claims(jti, NOW + lifetime), APP_SECRET, algorithm="HS256")
    answer = _post(client, token)
    assert answer.status_code == 202, answer.text


def _defects() -> st.SearchStrategy[tuple[str, dict[str, Any], str, str]]:
    """(expected phrase, claims, secret, algorithm) with exactly one thing wrong."""
    good = _claims("j", NOW + 10)
    other_text = st.text(min_size=1, max_size=30)
    return st.one_of(
        other_text.filter(lambda secret: secret != APP_SECRET).map(
            lambda secret: ("bad signature", good, (secret * 32)[:64], "HS256")
        ),
        other_text.filter(lambda iss: iss != APP_UID).map(
            lambda iss: ("unknown issuer", {**good, "iss": iss}, APP_SECRET, "HS256")
        ),
        other_text.filter(lambda sub: sub != APP_CHANNEL).map(
            lambda sub: ("is not the channel in the path", {**good, "sub": sub}, APP_SECRET, "HS256")
        ),
        st.integers(0, NOW - LEEWAY - 1).map(
            lambda exp: ("expired", {**good, "exp": exp}, APP_SECRET, "HS256")
        ),
        st.sampled_from(sorted(good)).map(
            lambda claim: (
                f"missing claim {claim}",
                {key: value for key, value in good.items() if key != claim},
                APP_SECRET,
                "HS256",
            )
        ),
        st.sampled_from(["none", "HS384", "HS512"]).map(
            lambda algorithm: (f"algorithm '{algorithm}' is not accepted", good, APP_SECRET * 3, algorithm)
        ),
    )


@PROPERTY
@given(defect=_defects())
def test_a_token_with_one_defect_is_refused_naming_it(
    client: TestClient, defect: tuple[str, dict[str, Any], str, str]
) -> None:
    phrase, claims, secret, algorithm = defect
    token = jwt.encode(claims, None if algorithm == "none" else secret, algorithm=algorithm)
    before = client.get("/_emulator/readyz").json()["messages"]
    answer = _post(client, token)
    assert answer.status_code == 401, answer.text
    assert phrase in answer.json()["_error"]["message"]
    assert client.get("/_emulator/readyz").json()["messages"] == before
