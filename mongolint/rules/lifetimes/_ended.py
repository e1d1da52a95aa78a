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
from mongolint.model.scopes import Scope
from mongolint.rules._helpers import method_name, result_type


class Ending(NamedTuple):
    statement: cst.CSTNode  # the `x.end_session()` expression statement, or the `with`
    name: str  # the name holding the object
    receiver: cst.Name  # where the object is named at the ending
    scope: Scope
    by_with: bool


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
            yield Ending(statement, receiver.value, receiver, scope, False)
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
                    yield Ending(statement, target.value, target, scope, True)


def _plain_scope(model: SemanticModel, statement: cst.CSTNode, name: str):
    scope = model.scope_of(statement)
    if scope.kind not in ("function", "module") or name in scope.globals or name in scope.nonlocals:
        return None
    return scope
