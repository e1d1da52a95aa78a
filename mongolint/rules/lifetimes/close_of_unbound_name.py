"""MGL104 close-of-unbound-name."""

from __future__ import annotations

from typing import Iterator, List, Optional, Tuple

import libcst as cst

from mongolint.diagnostics import Applicability, Diagnostic, Fix
from mongolint.model.scopes import Binding
from mongolint.model.types import CLIENT, SESSION, DriverType, Foreign
from mongolint.rules.edits import expressions as _edits
from mongolint.rules.edits import statements as rw
from mongolint.rules._helpers import method_name
from mongolint.rules.base import Rule
from mongolint.model.walker import walk_same_scope

_RELEASES = {"close": CLIENT, "end_session": SESSION}
_GUARD_FUNCTIONS = frozenset({"locals", "globals", "vars", "dir"})
_NAME_ERRORS = frozenset({"NameError", "UnboundLocalError", "Exception", "BaseException"})


class CloseOfUnboundName(Rule):
    code = "MGL104"
    name = "close-of-unbound-name"
    fix_applicability = Applicability.UNSAFE
    trigger_words = frozenset({"close", "end_session"})

    def check(self) -> Iterator[Diagnostic]:
        for call in self.model.index.calls:
            method = method_name(call)
            if method not in _RELEASES or not isinstance(call.func.value, cst.Name):  # type: ignore[union-attr]
                continue
            name = call.func.value.value  # type: ignore[union-attr]
            for statement, clause in self._cleanup_of(call):
                found = self._first_bound_in_body(call, name, statement, _RELEASES[method])
                if found is None:
                    continue
                binding, kind = found
                if isinstance(clause, cst.ExceptHandler) and _only_operation_errors(clause) \
                        and _only_the_creation_raises(binding, statement):
                    continue  # constructors do not raise what this handler catches
                error = "UnboundLocalError" if self.model.scope_of(call).kind == "function" else "NameError"
                what = "the client" if kind == CLIENT else "the session"
                message = (f"`{name}` is first bound inside the `try` body: if creating {what} raises, "
                           f"`{name}.{method}()` raises `{error}` here and hides the original error; "
                           f"bind `{name}` before `try`, or use `with`")
                yield self.report(call, message, self._move_above(binding, statement))
                break

    def _cleanup_of(self, call: cst.Call) -> Iterator[Tuple[cst.Try, cst.CSTNode]]:
        """(`try` statement, its `finally` or `except` clause) that hold `call`,
        innermost first, within its function."""
        child: cst.CSTNode = call
        for ancestor in self.model.ancestors(call):
            if isinstance(ancestor, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
                return
            if isinstance(ancestor, (cst.Try, cst.TryStar)):
                if isinstance(child, (cst.ExceptHandler, cst.ExceptStarHandler, cst.Finally)):
                    yield ancestor, child
            if isinstance(ancestor, cst.If) and _guards_existence(ancestor.test):
                return
            if isinstance(ancestor, (cst.Try, cst.TryStar)) and child is ancestor.body \
                    and _catches_name_error(ancestor):
                return
            child = ancestor

    def _first_bound_in_body(self, call: cst.Call, name: str, statement: cst.Try,
                             kind: str) -> Optional[Tuple[Binding, str]]:
        scope = self.model.scope_of(call)
        if scope.kind not in ("function", "module") or name in scope.globals or name in scope.nonlocals:
            return None
        bindings = scope.bindings.get(name, [])
        in_body: List[Binding] = []
        for binding in bindings:
            if self._inside(binding.node, statement.body):
                in_body.append(binding)
            elif self._inside(binding.node, statement) or self.model.precedes(binding.node, statement):
                return None  # bound before the `try`, or in a handler
        if not in_body:
            return None
        first = min(in_body, key=_Order(self.model))
        types = [self.model.type_of_binding(b) for b in in_body]
        if not any(isinstance(t, DriverType) and t.kind == kind for t in types):
            return None
        if any(isinstance(t, Foreign) or isinstance(t, DriverType) and t.kind != kind for t in types):
            return None
        if not self._may_raise_before(first, statement):
            return None
        return first, kind

    def _inside(self, node: cst.CSTNode, container: cst.CSTNode) -> bool:
        return any(ancestor is container for ancestor in self.model.ancestors(node))

    def _may_raise_before(self, binding: Binding, statement: cst.Try) -> bool:
        """Can anything up to and including the binding raise (so the name stays unbound)?"""
        for top in statement.body.body:
            contains = top is binding.node or self._inside(binding.node, top)
            part = binding.node if contains else top
            if any(isinstance(n, (cst.Call, cst.Await, cst.Subscript, cst.Raise)) for n in walk_same_scope(part)):
                return True
            if contains:
                return False
        return False

    def _move_above(self, binding: Binding, statement: cst.Try) -> Optional[Fix]:
        """Move `name = ...` from the start of the `try` body to just above the `try`."""
        body = list(statement.body.body)
        first = body[0] if body else None
        if not (isinstance(first, cst.SimpleStatementLine) and len(first.body) == 1
                and first.body[0] is binding.node and isinstance(binding.node, (cst.Assign, cst.AnnAssign))):
            return None
        block = self.model.parent(statement)
        if not isinstance(block, (cst.IndentedBlock, cst.Module)):
            return None
        if not self._only_the_move_changes(binding, statement):
            return None
        moved, new_try = _edits.move_before(first, statement, body[1:])
        return Fix(f"bind `{binding.name}` before `try`", Applicability.UNSAFE,
                   {statement: cst.FlattenSentinel([moved, new_try])})

    def _only_the_move_changes(self, binding: Binding, statement: cst.Try) -> bool:
        """Moved above the `try`, the creation's own error no longer reaches the
        handlers nor runs the `finally`. Only fine when no handler could catch it
        (the creation raises only constructor errors, never an operation's) and
        the `finally` holds nothing but releases of names the body binds (which
        would have raised `UnboundLocalError` on that path anyway)."""
        if statement.handlers and not (all(_only_operation_errors(h) for h in statement.handlers)
                                       and _only_the_creation_raises(binding, statement)):
            return False
        if statement.finalbody is None:
            return True
        bound_in_body = self._names_bound_in(statement.body)
        return all(any(rw.is_call_statement(line, name, frozenset(_RELEASES)) for name in bound_in_body)
                   for line in statement.finalbody.body.body)

    def _names_bound_in(self, body: cst.BaseSuite) -> set:
        scope_bindings = self.model.scope_of(body).bindings
        return {name for name, bindings in scope_bindings.items()
                if any(self._inside(b.node, body) for b in bindings)}


class _Order:
    """Sort key: document order of binding statements."""

    def __init__(self, model) -> None:
        self.model = model

    def __call__(self, binding: Binding):
        return _Key(self.model, binding.node)


class _Key:
    def __init__(self, model, node) -> None:
        self.model, self.node = model, node

    def __lt__(self, other: "_Key") -> bool:
        return self.model.precedes(self.node, other.node)


# Errors of operations (network, server, write results): a client constructor or
# start_session() never raises them, so a handler catching only these cannot run
# before the binding when nothing else precedes it.
_OPERATION_ERRORS = frozenset({
    "ConnectionFailure", "AutoReconnect", "NetworkTimeout", "ServerSelectionTimeoutError",
    "OperationFailure", "DuplicateKeyError", "WriteError", "WriteConcernError", "BulkWriteError",
    "ExecutionTimeout", "WTimeoutError", "CursorNotFound", "NotPrimaryError", "DocumentTooLarge",
    "ClientBulkWriteException", "WaitQueueTimeoutError",
})


def _only_operation_errors(handler: cst.ExceptHandler) -> bool:
    if handler.type is None:
        return False
    names = [node.attr.value if isinstance(node, cst.Attribute) else node.value
             for node in _leaf_names(handler.type)]
    return bool(names) and all(name in _OPERATION_ERRORS for name in names)


def _leaf_names(expr: cst.BaseExpression):
    if isinstance(expr, cst.Tuple):
        for element in expr.elements:
            yield from _leaf_names(element.value)
    elif isinstance(expr, (cst.Name, cst.Attribute)):
        yield expr


def _only_the_creation_raises(binding: Binding, statement: cst.Try) -> bool:
    """The binding is the try body's first statement, `name = Constructor(plain args)`."""
    first = statement.body.body[0] if statement.body.body else None
    if not (isinstance(first, cst.SimpleStatementLine) and first.body and first.body[0] is binding.node):
        return False
    value = getattr(binding.node, "value", None)
    if isinstance(value, cst.Await):
        value = value.expression
    if not isinstance(value, cst.Call):
        return False
    return not any(isinstance(n, (cst.Call, cst.Await, cst.Subscript))
                   for arg in value.args for n in walk_same_scope(arg.value))


def _guards_existence(test: cst.BaseExpression) -> bool:
    """`if "client" in locals():` and the like."""
    return any(isinstance(n, cst.Call) and isinstance(n.func, cst.Name) and n.func.value in _GUARD_FUNCTIONS
               for n in walk_same_scope(test))


def _catches_name_error(statement: cst.Try) -> bool:
    for handler in statement.handlers:
        kind = handler.type
        if kind is None:
            return True
        names = [e.value for e in walk_same_scope(kind) if isinstance(e, cst.Name)]
        if any(n in _NAME_ERRORS for n in names):
            return True
    return False
