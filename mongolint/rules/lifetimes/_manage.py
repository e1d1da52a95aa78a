"""The fix MGL101 and MGL102 share: put a resource bound to a name under `with`.

    s = client.start_session()          with client.start_session() as s:
    coll.insert_one(doc, session=s)  ->     coll.insert_one(doc, session=s)
    s.end_session()

The `with` spans from the binding to the last statement that uses the name;
a plain `s.end_session()`/`client.close()` line in that span is dropped.
Resources that cannot be context managers (a Motor client) get `try/finally`.
"""

from __future__ import annotations

from typing import FrozenSet, Optional

import libcst as cst

from mongolint.diagnostics import Applicability, Fix
from mongolint.model import SemanticModel
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
    if block is None or len(bindings) != 1:
        return None
    end = rw.span_of_uses(model, block, start, bindings[0], scope)
    if end is None:
        return None
    span = list(block.body[start + 1:end + 1])
    inner, trailing = rw.without(span, lambda s: rw.is_call_statement(s, name, release_methods))
    if not inner:
        return None
    if context_manager:
        new = rw.with_block(assign.value, name, inner, is_async, leading_lines=line.leading_lines,
                            footer=trailing, replaces=line)
        return rw.replace_span(block, start, end, [new], f"manage the {what} with `{'async with' if is_async else 'with'}`",
                               Applicability.SAFE)
    close = cst.parse_statement(f"{name}.{sorted(release_methods)[0]}()\n")
    return rw.replace_span(block, start, end, [line, rw.try_finally_block(inner, close, trailing)],
                           f"close the {what} in `finally`", Applicability.SAFE)
