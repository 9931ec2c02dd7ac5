"""Contract testing of integrations: Hypothesis strategies from schemas/ and the Outgoing-endpoint runner.

>>> from emulator.contract import assert_outgoing_contract, outgoing_messages  # doctest: +SKIP
"""

from emulator.contract.runner import (
    FORGERIES,
    CheckResult,
    ContractReport,
    Violation,
    assert_outgoing_contract,
    run_outgoing_contract,
)
from emulator.contract.strategies import custom_messages, invalid_custom_messages, outgoing_messages

__all__ = [
    "FORGERIES",
    "CheckResult",
    "ContractReport",
    "Violation",
    "assert_outgoing_contract",
    "custom_messages",
    "invalid_custom_messages",
    "outgoing_messages",
    "run_outgoing_contract",
]
