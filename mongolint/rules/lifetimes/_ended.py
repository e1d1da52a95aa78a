"""Where a session or a client stops being usable: the statements that end or
close it, and the name that held it. MGL106 and MGL110 look at what runs after.

    s.end_session()                     # (or `await s.end_session()`)
    with client.start_session() as s:   # the session ends with the block
        ...
"""

from __future__ import annotations

from typing import FrozenSet, Iterator, NamedTuple

import libcst as cst

from mongolint.model import SemanticModel
from mongolint.model.after import is_inside
from mongolint.model.scopes import Scope
from mongolint.model.types import DriverType
from mongolint.rules._helpers import method_name, result_type


class Ending(NamedTuple):
    statement: cst.CSTNode  # the `x.end_session()` expression statement, or the `with`
    name: str  # the name holding the object
    receiver: cst.Name  # where the object is named at the ending
    scope: Scope
    by_with: bool
    found: DriverType  # what was ended or closed
    value: cst.CSTNode  # the expression that was: the receiver, or the `with` item


def rebound_inside(model: SemanticModel, ending: Ending) -> bool:
    """A `with ... as name:` block whose body binds the name again: when the block
    ends, the name holds something else than what the `with` released."""
    return ending.by_with and any(is_inside(model, b.node, ending.statement.body)  # type: ignore[attr-defined]
                                  for b in ending.scope.bindings.get(ending.name, ()))


def endings(model: SemanticModel, kind: str, methods: FrozenSet[str], *,
            with_ends: bool) -> Iterator[Ending]:
    """`name.<method>()` statements on a `kind` object, and (with `with_ends`)
    `with ... as name:` blocks on one, in scopes where the name is a plain local."""
    for call in model.index.calls:
        if method_name(call) not in methods or not isinstance(call.func.value, cst.Name):  # type: ignore[union-attr]
            continue
        receiver = call.func.value  # type: ignore[union-attr]
        found = model.driver_type(receiver)
        statement = model.parent(model.strip_await(call))
        if found is None or found.kind != kind or not isinstance(statement, cst.Expr):
            continue
        scope = _plain_scope(model, statement, receiver.value)
        if scope is not None:
            yield Ending(statement, receiver.value, receiver, scope, False, found, receiver)
    if not with_ends:
        return
    for statement in model.index.withs:
        for item in statement.items:
            found = result_type(model, item.item)
            if found is None or found.kind != kind or item.asname is None:
                continue
            target = item.asname.name
            if isinstance(target, cst.Name):
                scope = _plain_scope(model, statement, target.value)
                if scope is not None:
                    yield Ending(statement, target.value, target, scope, True, found, item.item)


def _plain_scope(model: SemanticModel, statement: cst.CSTNode, name: str):
    scope = model.scope_of(statement)
    if scope.kind not in ("function", "module") or name in scope.globals or name in scope.nonlocals:
        return None
    return scope
