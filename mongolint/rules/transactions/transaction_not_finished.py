"""MGL201 transaction-not-finished."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from mongolint.diagnostics import Applicability, Diagnostic
from mongolint.model.scopes import PARAM
from mongolint.model.lifetime import Release, Verdict, lifetime_of_binding
from mongolint.model.types import TRANSACTION
from mongolint.rules._helpers import method_name, result_type
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
                yield self.report(call, _MESSAGES[verdict].format(with_=with_, session=session.value))

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
        verdict = lifetime_of_binding(self.model, bindings[0], scope, statement, TRANSACTION_RELEASE)
        if verdict is Verdict.NEVER and bindings[0].kind == PARAM:
            return Verdict.MANAGED  # a "begin" helper: the caller finishes the transaction
        return verdict
