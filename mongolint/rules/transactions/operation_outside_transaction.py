"""MGL202 operation-outside-transaction."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from mongolint.diagnostics import Applicability, Diagnostic, Fix
from mongolint.model import driver
from mongolint.model.types import CLIENT, COLLECTION, DATABASE, SESSION, DriverType
from mongolint.rules.edits import expressions as _edits
from mongolint.rules._helpers import method_name
from mongolint.rules.base import Rule
from mongolint.rules._helpers import code, receiver_origin
from mongolint.rules.transactions._regions import Region, calls_in, regions

_OPERATION_RECEIVERS = frozenset({CLIENT, DATABASE, COLLECTION})


class OperationOutsideTransaction(Rule):
    code = "MGL202"
    name = "operation-outside-transaction"
    fix_applicability = Applicability.UNSAFE
    trigger_words = frozenset({"start_transaction", "with_transaction"})

    def check(self) -> Iterator[Diagnostic]:
        self._single_client: dict = {}
        reported = set()
        for region in regions(self.model):
            for call in calls_in(region.nodes):
                if id(call) in reported or not self._runs_outside(call, region):
                    continue
                reported.add(id(call))
                yield self._diagnostic(call, region)

    def _runs_outside(self, call: cst.Call, region: Region) -> bool:
        method = method_name(call)
        if method is None or method in driver.NON_TRANSACTIONAL_OPERATIONS:
            return False
        receiver = self.model.driver_type(call.func.value)  # type: ignore[union-attr]
        if receiver is None or receiver.kind not in _OPERATION_RECEIVERS:
            return False
        entry = self.model.method(receiver, method)
        if entry is None or not entry[0]:
            return False
        if any(arg.star == "**" or (arg.keyword is not None and arg.keyword.value == "session")
               for arg in call.args):
            return False
        if any(self._is_session(arg, region) for arg in call.args if arg.keyword is None):
            return False  # `count_documents({}, s)`: a positional session is a session
        if receiver.flavour and region.flavour and receiver.flavour != region.flavour:
            return False  # two drivers, two clients
        if not self._same_client(call, region):
            return False
        return not self._under_bind(call)

    def _is_session(self, arg: cst.Arg, region: Region) -> bool:
        if arg.star:
            return True  # `*args` may hold it
        found = self.model.driver_type(arg.value)
        return (found is not None and found.kind == SESSION) or (
            region.session_name is not None and code(arg.value) == region.session_name)

    def _same_client(self, call: cst.Call, region: Region) -> bool:
        mine = self.model.client_of(call.func.value)  # type: ignore[union-attr]
        if mine is not None and region.client is not None:
            return mine is region.client
        if region.flavour not in self._single_client:
            self._single_client[region.flavour] = self.model.has_single_client(region.flavour)
        return self._single_client[region.flavour]

    def _under_bind(self, call: cst.Call) -> bool:
        """Inside `with s.bind():` (PyMongo 4.17+) operations use `s` implicitly."""
        for ancestor in self.model.ancestors(call):
            if not isinstance(ancestor, cst.With):
                continue
            for item in ancestor.items:
                entered = item.item
                if isinstance(entered, cst.Call) and method_name(entered) == "bind":
                    session = self.model.type_of(entered.func.value)  # type: ignore[union-attr]
                    if session is None or isinstance(session, DriverType) and session.kind == SESSION:
                        return True
        return False

    def _diagnostic(self, call: cst.Call, region: Region) -> Diagnostic:
        method = method_name(call)
        session = region.session_name or "the session"
        where = {"with": "inside the `{s}.start_transaction()` block",
                 "span": "after `{s}.start_transaction()` and before its commit",
                 "callback": "inside the `with_transaction` callback"}[region.kind].format(s=code(region.session))
        message = (f"`{method}()`{receiver_origin(self.model, call)} {where} is not passed `session={session}`: "
                   f"it runs outside the transaction, "
                   f"is committed at once and survives an abort; pass `session={session}`")
        return self.report(call, message, _add_session(call, region.session_name))


def _add_session(call: cst.Call, name: Optional[str]) -> Optional[Fix]:
    if name is None:
        return None
    try:
        value = cst.parse_expression(name)
    except cst.ParserSyntaxError:
        return None
    if not isinstance(value, (cst.Name, cst.Attribute)):
        return None
    return Fix(f"pass `session={name}`", Applicability.UNSAFE, {call: _edits.with_keyword(call, "session", value)})
