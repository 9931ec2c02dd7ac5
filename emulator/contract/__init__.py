"""Contract testing of integrations: Hypothesis strategies from schemas/ and the Outgoing-endpoint runner.

Needs the ``contract`` extra (Hypothesis): ``pip install 'front-emulator[contract]'``.

>>> from emulator.contract import assert_outgoing_contract, outgoing_messages  # doctest: +SKIP
"""

try:
    import hypothesis  # noqa: F401
except ModuleNotFoundError as missing:  # pragma: no cover - exercised in a fresh venv by tests/test_wheel.py
    raise ImportError(
        "front-emulator's contract runner needs Hypothesis: pip install 'front-emulator[contract]'",
        name=missing.name,
    ) from missing

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
    "assert_outgoing_contract",
    "custom_messages",
    "invalid_custom_messages",
    "outgoing_messages",
    "run_outgoing_contract",
]
