"""The rule registry: every rule, by code, and selection by code prefix."""

from __future__ import annotations

from typing import Dict, Iterable, List, Sequence, Type

from mongolint.rules.base import Rule
from mongolint.rules.lifetimes.client_in_loop import ClientInLoop
from mongolint.rules.lifetimes.client_not_closed import ClientNotClosed
from mongolint.rules.lifetimes.close_of_unbound_name import CloseOfUnboundName
from mongolint.rules.lifetimes.session_not_ended import SessionNotEnded
from mongolint.rules.meta.unused_noqa import UnusedNoqa
from mongolint.rules.migration.motor_deprecated import MotorDeprecated
from mongolint.rules.options.invalid_client_option_value import InvalidClientOptionValue
from mongolint.rules.options.unknown_client_option import UnknownClientOption
from mongolint.rules.performance.client_per_request import ClientPerRequest
from mongolint.rules.performance.transaction_per_write_in_loop import TransactionPerWriteInLoop
from mongolint.rules.performance.write_one_in_loop import WriteOneInLoop
from mongolint.rules.sync_async.await_non_awaitable import AwaitNonAwaitable
from mongolint.rules.sync_async.blocking_call_in_async import BlockingCallInAsync
from mongolint.rules.sync_async.callback_flavour_mismatch import CallbackFlavourMismatch
from mongolint.rules.sync_async.missing_await import MissingAwait
from mongolint.rules.sync_async.sync_iteration_of_async_cursor import SyncIterationOfAsyncCursor
from mongolint.rules.transactions.operation_outside_transaction import OperationOutsideTransaction
from mongolint.rules.transactions.redundant_commit import RedundantCommit
from mongolint.rules.transactions.session_not_supported import SessionNotSupported
from mongolint.rules.transactions.transaction_not_finished import TransactionNotFinished
from mongolint.rules.lifetimes.cursor_not_closed import CursorNotClosed
from mongolint.rules.lifetimes.session_used_after_end import SessionUsedAfterEnd
from mongolint.rules.lifetimes.session_of_other_client import SessionOfOtherClient
from mongolint.rules.lifetimes.unused_session import UnusedSession
from mongolint.rules.lifetimes.session_shared_across_tasks import SessionSharedAcrossTasks
from mongolint.rules.lifetimes.client_used_after_close import ClientUsedAfterClose
from mongolint.rules.transactions.nested_transaction import NestedTransaction

ALL_RULES: Sequence[Type[Rule]] = (
    SessionNotEnded,
    ClientNotClosed,
    ClientInLoop,
    CloseOfUnboundName,
    TransactionNotFinished,
    OperationOutsideTransaction,
    RedundantCommit,
    SessionNotSupported,
    AwaitNonAwaitable,
    MissingAwait,
    BlockingCallInAsync,
    SyncIterationOfAsyncCursor,
    CallbackFlavourMismatch,
    MotorDeprecated,
    CursorNotClosed,
    SessionUsedAfterEnd,
    SessionOfOtherClient,
    UnusedSession,
    SessionSharedAcrossTasks,
    ClientUsedAfterClose,
    NestedTransaction,
    UnknownClientOption,
    InvalidClientOptionValue,
    TransactionPerWriteInLoop,
    WriteOneInLoop,
    ClientPerRequest,
    UnusedNoqa,
)

RULES_BY_CODE: Dict[str, Type[Rule]] = {rule.code: rule for rule in ALL_RULES}
SYNTAX_ERROR_CODE = "MGL000"
SYNTAX_ERROR_NAME = "syntax-error"


def matches(code: str, selector: str) -> bool:
    return code.startswith(selector.upper())


def is_valid_selector(selector: str) -> bool:
    selector = selector.upper()
    return selector == "ALL" or any(code.startswith(selector) or selector.startswith(code)
                                    for code in list(RULES_BY_CODE) + [SYNTAX_ERROR_CODE]) \
        and selector.startswith("MGL")


def select_rules(select: Iterable[str], ignore: Iterable[str]) -> List[Type[Rule]]:
    """Rules matched by a selector and by no ignore. Off-by-default rules need a
    selector more specific than `MGL` (a family such as `MGL4`, or their code),
    or `ALL`, which means every rule."""
    select, ignore = list(select), list(ignore)
    chosen = []
    for rule in ALL_RULES:
        selectors = [s.upper() for s in select if s.upper() == "ALL" or matches(rule.code, s)]
        if not selectors:
            continue
        if not rule.enabled_by_default and all(s == "MGL" for s in selectors):
            continue
        if any(matches(rule.code, s) for s in ignore):
            continue
        chosen.append(rule)
    return chosen
