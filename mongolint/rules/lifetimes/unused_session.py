"""MGL108 unused-session."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from mongolint.diagnostics import Diagnostic
from mongolint.model.lifetime import uses_of_binding
from mongolint.model.types import SESSION
from mongolint.rules._helpers import method_name, result_type
from mongolint.rules.base import Rule

# The only attributes whose use leaves the session idle; anything else (an
# operation, a transaction, `bind()`, reading `session_id` or the options, an
# argument, a return, an assignment) puts it to work or hands it on.
_IDLE_ATTRIBUTES = frozenset({"end_session", "client", "has_ended"})


class UnusedSession(Rule):
    code = "MGL108"
    name = "unused-session"
    trigger_words = frozenset({"start_session"})
    quiet_where_raise_expected = True

    def check(self) -> Iterator[Diagnostic]:
        for call in self.model.index.calls:
            if method_name(call) != "start_session":
                continue
            found = result_type(self.model, call)
            if found is None or found.kind != SESSION:
                continue
            holder = self.model.strip_await(call)
            parent = self.model.parent(holder)
            if isinstance(parent, cst.WithItem) and parent.asname is None:
                if _does_nothing(self.model.parent(parent)):
                    continue  # only constructed: a check that the options are accepted
                yield self.report(call, "session from `start_session()` is never given a name, so no operation "
                                        "can be passed it: it does nothing; pass `session=` to the operations "
                                        "or remove it")
                continue
            name = _name_bound(self.model, parent)
            if name is not None and not self._is_used(name, parent):
                yield self.report(call, f"session `{name.value}` is never passed to an operation (`session=`), "
                                        f"`bind()` or a transaction: it does nothing; pass `session={name.value}` "
                                        f"or remove it")

    def _is_used(self, name: cst.Name, bound_by: cst.CSTNode) -> bool:
        binding_node = self.model.parent(bound_by) if isinstance(bound_by, cst.WithItem) \
            else bound_by
        scope = self.model.scope_of(binding_node)
        if scope.kind != "function" or name.value in scope.globals or name.value in scope.nonlocals:
            return True  # a module's name can be used by importers; a global or nonlocal elsewhere
        binding = next((b for b in scope.bindings.get(name.value, ()) if b.node is binding_node), None)
        if binding is None:
            return True
        for load in uses_of_binding(self.model, binding, scope):
            parent = self.model.parent(load)
            if not (isinstance(parent, cst.Attribute) and parent.value is load) \
                    or parent.attr.value not in _IDLE_ATTRIBUTES:
                return True
        return False


def _does_nothing(statement: cst.With) -> bool:
    body = statement.body.body if isinstance(statement.body, cst.IndentedBlock) else [statement.body]
    return all(isinstance(line, (cst.SimpleStatementLine, cst.SimpleStatementSuite))
               and all(isinstance(small, cst.Pass) or isinstance(small, cst.Expr)
                       and isinstance(small.value, cst.Ellipsis) for small in line.body)
               for line in body)


def _name_bound(model, parent: cst.CSTNode) -> Optional[cst.Name]:
    """The name `start_session()` is bound to: `s = ...` or `with ... as s`."""
    if isinstance(parent, cst.WithItem):
        target = parent.asname.name if parent.asname is not None else None
        return target if isinstance(target, cst.Name) else None
    if isinstance(parent, (cst.Assign,)) and len(parent.targets) == 1:
        target = parent.targets[0].target
        return target if isinstance(target, cst.Name) else None
    if isinstance(parent, cst.AnnAssign) and isinstance(parent.target, cst.Name):
        return parent.target
    return None
