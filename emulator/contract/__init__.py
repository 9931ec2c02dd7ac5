"""Contract testing of integrations: Hypothesis strategies from schemas/, the Outgoing-endpoint runner and
the application-channel runner (an app's webhook).

Needs the ``contract`` extra (Hypothesis): ``pip install 'front-emulator[contract]'``.

>>> from emulator.contract import assert_application_contract, assert_outgoing_contract  # doctest: +SKIP
"""

try:
    import hypothesis  # noqa: F401
except ModuleNotFoundError as missing:  # pragma: no cover - exercised in a fresh venv by tests/test_wheel.py
    raise ImportError(
        "front-emulator's contract runner needs Hypothesis: pip install 'front-emulator[contract]'",
        name=missing.name,
    ) from missing

from emulator.contract.application import assert_application_contract, run_application_contract
from emulator.contract.application_strategies import (
    authorization_events,
    autoreply_events,
    imported_events,
    message_events,
)
from emulator.contract.forgeries import FORGERIES, Forgery
from emulator.contract.report import CheckResult, ContractReport, Violation
from emulator.contract.runner import assert_outgoing_contract, run_outgoing_contract
from emulator.contract.strategies import custom_messages, invalid_custom_messages, outgoing_messages

__all__ = [
    "FORGERIES",
    "CheckResult",
    "ContractReport",
    "Forgery",
    "Violation",
    "assert_application_contract",
    "assert_outgoing_contract",
    "authorization_events",
    "autoreply_events",
    "custom_messages",
    "imported_events",
    "invalid_custom_messages",
    "message_events",
    "outgoing_messages",
    "run_application_contract",
    "run_outgoing_contract",
]
