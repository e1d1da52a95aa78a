"""The fix MGL101 and MGL102 share: put a resource bound to a name under `with`.

    s = client.start_session()          with client.start_session() as s:
    coll.insert_one(doc, session=s)  ->     coll.insert_one(doc, session=s)
    s.end_session()

The `with` spans from the binding to the last statement that uses the name or
anything taken from it (a collection, a cursor opened with `session=s`, a
bound method); releases that end the span (`s.end_session()`, `client.close()`)
are absorbed. No fix when something taken from the resource leaves the
function's control, when a release comes before a later use (the code relies on
the order), or when the name is deleted. Resources that cannot be context
managers (a Motor client) get `try/finally`.
"""

from __future__ import annotations

from typing import FrozenSet, List, Optional

import libcst as cst

from mongolint.diagnostics import Applicability, Fix
from mongolint.model import SemanticModel
from mongolint.model.lifetime import dependent_bindings, uses_of_binding
from mongolint.rules.edits import statements as rw


def manage_binding(model: SemanticModel, creation: cst.Call, release_methods: FrozenSet[str], *,
                   is_async: bool, context_manager: bool, what: str) -> Optional[Fix]:
    holder = model.strip_await(creation)
    assign = model.parent(holder)
    if is_async and not model.in_async_function(assign):
        return None  # `async with` is only valid inside `async def`
    if not (isinstance(assign, cst.Assign) and len(assign.targets) == 1
            and isinstance(assign.targets[0].target, cst.Name)):
        return None
    name = assign.targets[0].target.value
    line = rw.statement_line(model, assign)
    block, start = rw.position_in_block(model, line) if line is not None else (None, -1)
    scope = model.scope_of(assign)
    bindings = scope.bindings.get(name, [])
    if block is None or len(bindings) != 1 or _is_deleted(model, bindings[0], scope):
        return None
    dependents = dependent_bindings(model, bindings[0], scope)
    if dependents is None:
        return None
    end = _last_use(model, block, start, dependents, scope)
    if end is None:
        return None
    span = list(block.body[start + 1:end + 1])
    kept = _without_final_releases(span, name, release_methods)
    if kept is None:
        return None
    inner, trailing = rw.without(span, lambda s: not any(s is k for k in kept))
    inner = rw.moved_one_level_in(model, block, inner)
    if context_manager:
        new = rw.with_block(assign.value, name, inner, is_async, leading_lines=line.leading_lines,
                            footer=trailing, replaces=line)
        return rw.replace_span(block, start, end, [new], f"manage the {what} with `{'async with' if is_async else 'with'}`",
                               Applicability.SAFE)
    close = cst.parse_statement(f"{name}.{sorted(release_methods)[0]}()\n")
    return rw.replace_span(block, start, end, [line, rw.try_finally_block(inner, close, trailing)],
                           f"close the {what} in `finally`", Applicability.SAFE)


def _last_use(model: SemanticModel, block, start: int, dependents, scope) -> Optional[int]:
    """Index of the last statement of `block` that uses any of `dependents`."""
    last = None
    for binding in dependents:
        end = rw.span_of_uses(model, block, start, binding, scope)
        if end is None:
            if uses_of_binding(model, binding, scope):
                return None  # a use outside the block
            continue
        last = end if last is None else max(last, end)
    return last


def _without_final_releases(span: List[cst.BaseStatement], name: str,
                            release_methods: FrozenSet[str]) -> Optional[List[cst.BaseStatement]]:
    """The span without the releases that end it; None when a release comes
    earlier (then a later statement runs after it, and the code may rely on that)
    or when nothing would be left."""
    kept = list(span)
    while kept and rw.is_call_statement(kept[-1], name, release_methods):
        kept.pop()
    if not kept or any(rw.is_call_statement(s, name, release_methods) for s in kept):
        return None
    return kept


def _is_deleted(model: SemanticModel, binding, scope) -> bool:
    """`del session`: the code manages the object's life itself (a test of garbage collection)."""
    return any(isinstance(model.enclosing_statement(use), cst.Del) for use in uses_of_binding(model, binding, scope))
