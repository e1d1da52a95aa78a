"""What a fix that releases a resource after its last use must cover: every
local binding that holds something taken from it, or None when part of it
leaves the scope's control (releasing it then breaks whoever holds it)."""

from __future__ import annotations

from typing import FrozenSet, List, Optional

import libcst as cst

from mongolint.model.after import running_scope
from mongolint.model.lifetime import bound_name, uses_of_binding
from mongolint.model.paths import BUILTINS_THAT_KEEP_NOTHING, LOG_METHODS
from mongolint.model.scopes import Binding

def dependent_bindings(model, binding: Binding, scope) -> Optional[List[Binding]]:
    """`binding` and every local binding that holds something taken from it: a
    database, collection, cursor, session, bound method, coroutine, alias, a cursor
    opened with `session=` it. A fix that releases the resource must wait for
    the last use of all of them. None when one of them leaves the scope's control
    (returned, yielded, stored, handed to an unknown call, captured by a nested
    function): releasing it then breaks whoever holds it."""
    found = [binding]
    queue = [binding]
    while queue:
        current = queue.pop()
        for use in uses_of_binding(model, current, scope):
            if running_scope(model, use) is not scope:
                return None
            flow = _flow_of_use(model, use)
            if flow is _ESCAPES:
                return None
            if isinstance(flow, Binding) and all(flow is not b for b in found):
                found.append(flow)
                queue.append(flow)
    return found


_ESCAPES = object()


def handed_off_besides_return(model, binding: Binding, scope) -> bool:
    """Does a use of `binding` other than `return name` let it leave the scope
    (`self.addCleanup(client.close)`, `cls._clients.append(client)`, a closure)?
    A function that returns such a client is not handing its caller a new one."""
    for use in uses_of_binding(model, binding, scope):
        if isinstance(model.parent(use), cst.Return):
            continue
        if running_scope(model, use) is not scope or _flow_of_use(model, use) is _ESCAPES:
            return True
    return False


def _flow_of_use(model, use: cst.Name):
    """Where the value a use of a name contributes to goes: a local Binding that
    now holds part of it, `_ESCAPES`, or None (it ends in plain data or a statement)."""
    expr: cst.CSTNode = use
    while True:
        parent = model.parent(expr)
        if isinstance(parent, (cst.Attribute, cst.Subscript)) and parent.value is expr:
            expr = parent
        elif isinstance(parent, cst.Call) and parent.func is expr or isinstance(parent, cst.Await):
            expr = parent
        elif isinstance(parent, cst.Arg) and parent.value is expr:
            call = model.parent(parent)
            if not _call_keeps_nothing_but_its_result(model, call, parent):
                return _ESCAPES
            expr = call
        else:
            break
    if _is_plain_data(model, expr):
        return None
    parent = model.parent(expr)
    while isinstance(parent, (cst.Element, cst.DictElement)) and parent.value is expr:
        expr = model.parent(parent)  # `pending = [session]`: the list holds it, as far as the list goes
        parent = model.parent(expr)
    if isinstance(parent, cst.Yield) and _in_yield_fixture(model, parent):
        return None  # a yield fixture lends it and owns it: the `with` stays open while the test runs
    if isinstance(parent, (cst.Assign, cst.AnnAssign, cst.NamedExpr)) and parent.value is expr:
        name = bound_name(parent, expr)
        if name is None or name in model.scope_of(parent).globals:
            return _ESCAPES
        scope = model.scope_of(parent)
        return next((b for b in scope.bindings.get(name, ()) if b.node is parent), _ESCAPES)
    if isinstance(parent, cst.WithItem):
        return None  # the `with` statement releases what it enters
    if isinstance(parent, (cst.Return, cst.Yield, cst.Element, cst.DictElement, cst.StarredElement,
                           cst.StarredDictElement, cst.Lambda, cst.AugAssign, cst.Assign, cst.AnnAssign)):
        return _ESCAPES
    return None


def _in_yield_fixture(model, node: cst.CSTNode) -> bool:
    function = model.enclosing_function(node)
    if function is None:
        return False
    for decorator in function.decorators:
        target = decorator.decorator.func if isinstance(decorator.decorator, cst.Call) else decorator.decorator
        name = target.attr.value if isinstance(target, cst.Attribute) else getattr(target, "value", "")
        if name == "fixture":
            return True
    return False


def _call_keeps_nothing_but_its_result(model, call: cst.Call, arg: cst.Arg) -> bool:
    """A driver method (its result says what it keeps), a builtin that keeps
    nothing, a logging call; `session=` to any call."""
    if arg.keyword is not None and arg.keyword.value == "session":
        return True
    func = call.func
    if isinstance(func, cst.Name):  # `dict(client=client)` keeps it
        return func.value in BUILTINS_THAT_KEEP_NOTHING and arg.keyword is None and not arg.star
    if isinstance(func, cst.Attribute):
        if func.attr.value in LOG_METHODS:
            return True
        receiver = model.driver_type(func.value)
        return receiver is not None and model.method(receiver, func.attr.value) is not None
    return False


def _is_plain_data(model, expr: cst.CSTNode) -> bool:
    """Is the value of `expr` known to hold no driver object (a document, a
    count, a result, a list of documents)?"""
    if model.driver_type(expr) is not None:
        return False
    inner = expr.expression if isinstance(expr, cst.Await) else expr
    if isinstance(inner, cst.Call):
        func = inner.func
        if isinstance(func, cst.Name):
            return func.value in BUILTINS_THAT_KEEP_NOTHING
        if isinstance(func, cst.Attribute):
            receiver = model.driver_type(func.value)
            return receiver is not None and model.method(receiver, func.attr.value) is not None
        return False
    if isinstance(inner, cst.Attribute):
        receiver = model.driver_type(inner.value)
        return (receiver is not None and model.method(receiver, inner.attr.value) is None
                and inner.attr.value in _plain_attributes(receiver))
    if isinstance(inner, cst.UnaryOperation):
        return isinstance(inner.operator, cst.Not)
    return isinstance(inner, (cst.Comparison, cst.FormattedString))


def _plain_attributes(receiver) -> FrozenSet[str]:
    from mongolint.model import api

    table = api.ATTRIBUTES.get((receiver.flavour or "sync", receiver.kind), {})
    return frozenset(name for name, returns in table.items() if returns is None)
