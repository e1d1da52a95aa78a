"""MGL204 nested-transaction."""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from mongolint.diagnostics import Diagnostic
from mongolint.model.after import is_inside
from mongolint.model.lifetime import Verdict, lifetime_of_binding
from mongolint.model.types import TRANSACTION
from mongolint.rules._helpers import code, method_name, result_type
from mongolint.rules.base import Rule
from mongolint.rules.transactions._regions import Region, bare_starts, calls_in, regions
from mongolint.rules.transactions.transaction_not_finished import TRANSACTION_RELEASE

_AGAIN = ("`start_transaction()` in a loop: on some path the transaction is still active when the loop "
          "comes round to it again (no commit or abort before `continue` or the end of the iteration); "
          "the second start raises `InvalidOperation: Transaction already in progress`")
_WHERE = {"with": "inside `with {s}.start_transaction():`",
          "span": "after `{s}.start_transaction()` with no commit or abort in between",
          "callback": "inside a `with_transaction` callback, which already runs in a transaction"}


class NestedTransaction(Rule):
    code = "MGL204"
    name = "nested-transaction"
    quiet_where_raise_expected = True
    trigger_words = frozenset({"start_transaction"})

    def check(self) -> Iterator[Diagnostic]:
        reported = set()
        for region in regions(self.model):
            for call in calls_in(region.nodes):
                if id(call) in reported or not self._starts_again(call, region):
                    continue
                reported.add(id(call))
                where = _WHERE[region.kind].format(s=code(region.session))
                yield self.report(call, f"`start_transaction()` {where}: the session already has an active "
                                        f"transaction; this raises `InvalidOperation: Transaction already in "
                                        f"progress`")
        for _, call, _ in bare_starts(self.model):
            if id(call) not in reported and self._restarts_while_active(call):
                reported.add(id(call))
                yield self.report(call, _AGAIN)

    def _restarts_while_active(self, call: cst.Call) -> bool:
        """A bare start in a loop the session outlives, with a path into the next
        iteration that neither commits nor aborts (a retry without `abort_transaction()`)."""
        session = call.func.value  # type: ignore[union-attr]
        statement = self.model.parent(self.model.strip_await(call))
        loop = _loop_around(self.model, call)
        if not isinstance(session, cst.Name) or loop is None:
            return False
        bindings = self.model.bindings_of(session)
        scope = self.model.scope_of(session)
        if len(bindings) != 1 or session.value not in scope.bindings or is_inside(self.model, bindings[0].node, loop):
            return False
        verdict = lifetime_of_binding(self.model, bindings[0], scope, statement, TRANSACTION_RELEASE,
                                      into_next_iteration=True)
        return verdict in (Verdict.NEVER, Verdict.SOME_PATHS)

    def _starts_again(self, call: cst.Call, region: Region) -> bool:
        if method_name(call) != "start_transaction" or region.session_name is None:
            return False
        found = result_type(self.model, call)
        if found is None or found.kind != TRANSACTION:
            return False
        session = call.func.value  # type: ignore[union-attr]
        if code(session) != region.session_name:
            return False
        if region.kind != "callback" and isinstance(session, cst.Name) \
                and self.model.bindings_of(session) != self.model.bindings_of(region.session):
            return False
        return not self._handed_over_before(call, region)

    def _handed_over_before(self, call: cst.Call, region: Region) -> bool:
        """Was the session passed positionally to a helper (which may commit) before `call`?"""
        return any(arg.keyword is None and code(arg.value) == region.session_name
                   and self.model.precedes(other, call)
                   for other in calls_in(region.nodes) for arg in other.args)


def _loop_around(model, node: cst.CSTNode):
    """The innermost loop whose body runs `node` on every iteration, in its function."""
    child = node
    for ancestor in model.ancestors(node):
        if isinstance(ancestor, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
            return None
        if isinstance(ancestor, (cst.For, cst.While)) and child is ancestor.body:
            return ancestor
        child = ancestor
    return None
