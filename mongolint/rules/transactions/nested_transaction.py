"""MGL204 nested-transaction."""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from mongolint.diagnostics import Diagnostic
from mongolint.model.expected_errors import expects_error
from mongolint.model.types import TRANSACTION
from mongolint.rules._helpers import code, method_name, result_type
from mongolint.rules.base import Rule
from mongolint.rules.transactions._regions import Region, calls_in, regions

_WHERE = {"with": "inside `with {s}.start_transaction():`",
          "span": "after `{s}.start_transaction()` with no commit or abort in between",
          "callback": "inside a `with_transaction` callback, which already runs in a transaction"}


class NestedTransaction(Rule):
    code = "MGL204"
    name = "nested-transaction"
    trigger_words = frozenset({"start_transaction"})

    def check(self) -> Iterator[Diagnostic]:
        reported = set()
        for region in regions(self.model):
            for call in calls_in(region.nodes):
                if id(call) in reported or not self._starts_again(call, region) or expects_error(self.model, call):
                    continue
                reported.add(id(call))
                where = _WHERE[region.kind].format(s=code(region.session))
                yield self.report(call, f"`start_transaction()` {where}: the session already has an active "
                                        f"transaction; this raises `InvalidOperation: Transaction already in "
                                        f"progress`")

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
