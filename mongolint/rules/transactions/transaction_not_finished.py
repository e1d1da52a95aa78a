"""MGL201 transaction-not-finished."""

from __future__ import annotations

from dataclasses import replace
from typing import Iterator, Optional

import libcst as cst

from mongolint.diagnostics import Applicability, Diagnostic, Fix
from mongolint.model.scopes import PARAM
from mongolint.model.lifetime import Release, Verdict, lifetime_of_binding
from mongolint.model.types import CLIENT, COLLECTION, DATABASE, TRANSACTION
from mongolint.model.walker import walk_same_scope
from mongolint.rules._helpers import flavour_is_settled, method_name, result_type
from mongolint.rules.edits import statements as rw
from mongolint.rules.transactions._regions import finishing_index
from mongolint.rules.base import Rule

# Ending the session aborts the transaction, but silently: that is the bug.
TRANSACTION_RELEASE = Release(methods=frozenset({"commit_transaction", "abort_transaction"}),
                              error_paths_matter=False, with_releases=False)

_MESSAGES = {
    Verdict.NEVER: "transaction started here is never committed or aborted: its writes are discarded when "
                   "the session ends; use `{with_} {session}.start_transaction():`",
    Verdict.SOME_PATHS: "transaction started here is not committed or aborted on every path; "
                        "use `{with_} {session}.start_transaction():`",
}


class TransactionNotFinished(Rule):
    code = "MGL201"
    name = "transaction-not-finished"
    fix_applicability = Applicability.UNSAFE
    trigger_words = frozenset({"start_transaction"})

    def check(self) -> Iterator[Diagnostic]:
        for call in self.model.index.calls:
            if method_name(call) != "start_transaction":
                continue
            transaction = result_type(self.model, call)
            if transaction is None or transaction.kind != TRANSACTION:
                continue
            statement = self._statement_of_start(call)
            session = call.func.value  # type: ignore[union-attr]
            if statement is None or not isinstance(session, cst.Name):
                continue
            verdict = self._verdict(session, statement)
            if verdict in _MESSAGES:
                with_ = {"async": "async with await", "motor": "async with"}.get(transaction.flavour or "", "with")
                fix = self._wrap_in_transaction(call, statement, session.value, transaction.is_async) \
                    if flavour_is_settled(self.model, transaction, call, session) else None
                yield self.report(call, _MESSAGES[verdict].format(with_=with_, session=session.value), fix)

    def _statement_of_start(self, call: cst.Call) -> Optional[cst.CSTNode]:
        """The `s.start_transaction()` expression statement (a `with` item is fine)."""
        holder = self.model.strip_await(call)
        parent = self.model.parent(holder)
        return parent if isinstance(parent, cst.Expr) else None

    def _verdict(self, session: cst.Name, statement: cst.CSTNode) -> Verdict:
        bindings = self.model.bindings_of(session)
        if len(bindings) != 1:
            return Verdict.MANAGED
        scope = self.model.scope_of(session)
        if scope.kind not in ("function", "module") or session.value not in scope.bindings:
            return Verdict.MANAGED
        # The caller's session is not ended here: a `raise` leaves its transaction open.
        release = replace(TRANSACTION_RELEASE, raise_paths_matter=bindings[0].kind == PARAM)
        verdict = lifetime_of_binding(self.model, bindings[0], scope, statement, release)
        if verdict is Verdict.NEVER and bindings[0].kind == PARAM:
            return Verdict.MANAGED  # a "begin" helper: the caller finishes the transaction
        return verdict

    def _wrap_in_transaction(self, call: cst.Call, statement: cst.CSTNode, session: str,
                             is_async: bool) -> Optional[Fix]:
        """`s.start_transaction()` + the statements after it while the transaction
        is active (up to the commit or abort, or the end of the block: what
        MGL202 sees as the transaction) -> `with s.start_transaction():` over
        them. A plain commit that ends them is absorbed; a plain abort gets no fix."""
        line = rw.statement_line(self.model, statement)
        block, start = rw.position_in_block(self.model, line) if line is not None else (None, -1)
        scope = self.model.scope_of(statement)
        bindings = scope.bindings.get(session, [])
        if block is None or len(bindings) != 1:
            return None
        body = list(block.body)
        finish = finishing_index(body, start + 1, session)
        end = finish if finish is not None else self._last_operation(body, start, session, bindings[0], scope)
        if end is None:
            return None
        ended = next((i for i in range(start + 1, end + 1) if rw.is_call_statement(body[i], session, _END)), None)
        if ended is not None:
            end = ended - 1  # the `with` commits before the session ends (ending it aborted the transaction)
        span = body[start + 1:end + 1]
        if not span or rw.is_call_statement(span[-1], session, _ABORT):
            return None
        inner, trailing = rw.without(span, lambda s: s is span[-1] and rw.is_call_statement(s, session, _COMMIT))
        if not inner:
            return None
        inner = rw.moved_one_level_in(self.model, block, inner)
        item = self.model.strip_await(call)
        new = rw.with_block(item, None, inner, is_async, leading_lines=line.leading_lines, footer=trailing,
                            replaces=line)
        return rw.replace_span(block, start, end, [new], "run the transaction in a `with` block that commits it",
                               Applicability.UNSAFE)

    def _last_operation(self, body, start: int, session: str, binding, scope) -> Optional[int]:
        """The last statement after `start` that uses the session or runs a
        driver operation that could take it (leaving one of those out of the
        `with` would change what MGL202 sees)."""
        last = rw.span_of_uses(self.model, self.model.parent(body[start]), start, binding, scope)
        for index in range(len(body) - 1, start, -1):
            if last is not None and index <= last:
                break
            if any(self._is_operation(call) for call in walk_same_scope(body[index]) if isinstance(call, cst.Call)):
                return index
        return last

    def _is_operation(self, call: cst.Call) -> bool:
        if not isinstance(call.func, cst.Attribute):
            return False
        receiver = self.model.driver_type(call.func.value)
        if receiver is None or receiver.kind not in _OPERATION_RECEIVERS:
            return False
        entry = self.model.method(receiver, call.func.attr.value)
        return entry is not None and entry[0]


_OPERATION_RECEIVERS = frozenset({CLIENT, DATABASE, COLLECTION})
_COMMIT = frozenset({"commit_transaction"})
_ABORT = frozenset({"abort_transaction"})
_END = frozenset({"end_session"})
