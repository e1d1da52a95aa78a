"""MGL203 redundant-commit."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from mongolint.diagnostics import Applicability, Diagnostic, Fix
from mongolint.rules.edits import expressions as _edits
from mongolint.rules._helpers import method_name
from mongolint.rules.base import Rule
from mongolint.rules.transactions._regions import (FINISH_METHODS, callback_body, callback_functions, calls_in,
                                                   code, transaction_withs, with_transaction_calls)


class RedundantCommit(Rule):
    code = "MGL203"
    name = "redundant-commit"
    fix_applicability = Applicability.SAFE
    trigger_words = frozenset({"commit_transaction", "abort_transaction"})

    def check(self) -> Iterator[Diagnostic]:
        reported = set()
        for statement, start, _ in transaction_withs(self.model):
            session = code(start.func.value)  # type: ignore[union-attr]
            call = _last_finish(statement.body, session)
            if call is not None and id(call) not in reported:
                reported.add(id(call))
                yield self._with_block(call, statement, session)
        for call, _, argument in with_transaction_calls(self.model):
            for callback, session in callback_functions(self.model, argument):
                names = {code(call.func.value), session}  # type: ignore[union-attr]
                for inner in calls_in(callback_body(callback)):
                    if (method_name(inner) in FINISH_METHODS and id(inner) not in reported
                            and code(inner.func.value) in names):  # type: ignore[union-attr]
                        reported.add(id(inner))
                        yield self._callback(inner, callback)

    def _with_block(self, call: cst.Call, statement: cst.With, session: str) -> Diagnostic:
        method = method_name(call)
        if method == "commit_transaction":
            message = (f"`{session}.commit_transaction()` as the last statement of the `start_transaction()` "
                       "block is redundant: the block commits when it exits; remove it")
            return self.report(call, message, _drop_last(statement.body, "remove the redundant commit"))
        message = (f"`{session}.abort_transaction()` as the last statement of the `start_transaction()` block "
                   "turns the block's commit into a rollback; raise an exception to abort, or do not start "
                   "the transaction")
        return self.report(call, message)

    def _callback(self, call: cst.Call, callback) -> Diagnostic:
        method = method_name(call)
        message = (f"`{method}()` inside a `with_transaction` callback: `with_transaction` commits (and retries "
                   "the commit) itself and the callback should not finish the transaction; ")
        if method == "commit_transaction":
            message += "remove it"
            fix = _drop_last(callback.body, "remove the commit; `with_transaction` commits") \
                if isinstance(callback, cst.FunctionDef) and _is_last(callback.body, call) else None
            return self.report(call, message, fix)
        return self.report(call, message + "raise an exception to abort instead")


def _last_finish(body: cst.BaseSuite, session: str) -> Optional[cst.Call]:
    """The commit or abort on `session` that is the block's last statement."""
    if not body.body:
        return None
    last = body.body[-1]
    if isinstance(last, cst.SimpleStatementLine):
        last = last.body[-1]
    elif not isinstance(last, cst.BaseSmallStatement):
        return None
    if not isinstance(last, cst.Expr):
        return None
    value = last.value.expression if isinstance(last.value, cst.Await) else last.value
    if (isinstance(value, cst.Call) and method_name(value) in FINISH_METHODS
            and code(value.func.value) == session):  # type: ignore[union-attr]
        return value
    return None


def _is_last(body: cst.BaseSuite, call: cst.Call) -> bool:
    if not body.body or not isinstance(body.body[-1], cst.SimpleStatementLine):
        return False
    line = body.body[-1]
    if len(line.body) != 1 or not isinstance(line.body[0], cst.Expr):
        return False
    value = line.body[0].value
    return value is call or (isinstance(value, cst.Await) and value.expression is call)


def _drop_last(body: cst.BaseSuite, description: str) -> Optional[Fix]:
    if not isinstance(body, cst.IndentedBlock) or not isinstance(body.body[-1], cst.SimpleStatementLine) \
            or len(body.body[-1].body) != 1:
        return None
    new = _edits.remove_last_statement(body)
    return Fix(description, Applicability.SAFE, {body: new}) if new is not None else None
