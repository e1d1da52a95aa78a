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

from mongolint.diagnostics import Applicability, Deferred, Fix
from mongolint.model import SemanticModel
from mongolint.model.dependent_bindings import dependent_bindings
from mongolint.model.lifetime import uses_of_binding
from mongolint.model.walker import walk_same_scope
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
    description = (f"manage the {what} with `{'async with' if is_async else 'with'}`" if context_manager
                   else f"close the {what} in `finally`")

    def build():
        inner, trailing = rw.without(span, lambda s: not any(s is k for k in kept))
        names = {b.name for b in dependents}
        if any(_releases(node, name, release_methods) for statement in inner for node in walk_same_scope(statement)):
            inner = [statement.visit(_ReleasesBeforeExit(name, release_methods, names)) for statement in inner]
        inner = rw.moved_one_level_in(model, block, inner)
        if context_manager:
            new = [rw.with_block(assign.value, name, inner, is_async, leading_lines=line.leading_lines,
                                 footer=trailing, replaces=line)]
        else:
            close = cst.parse_statement(f"{name}.{sorted(release_methods)[0]}()\n")
            new = [line, rw.try_finally_block(inner, close, trailing)]
        return rw.replace_span(block, start, end, new, description, Applicability.SAFE).replacements

    return Fix(description, Applicability.SAFE, Deferred([block], build))


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
    while kept and (rw.is_call_statement(kept[-1], name, release_methods)
                    or _is_guarded_release(kept[-1], name, release_methods)):
        kept.pop()
    if not kept or any(rw.is_call_statement(s, name, release_methods) for s in kept):
        return None
    return kept


def _is_deleted(model: SemanticModel, binding, scope) -> bool:
    """`del session`: the code manages the object's life itself (a test of garbage collection)."""
    return any(isinstance(model.enclosing_statement(use), cst.Del) for use in uses_of_binding(model, binding, scope))


def _is_guarded_release(statement: cst.CSTNode, name: str, release_methods: FrozenSet[str]) -> bool:
    """`if client:` / `if client is not None:` around nothing but its release."""
    if not isinstance(statement, cst.If) or statement.orelse is not None:
        return False
    test = statement.test
    guards = (isinstance(test, cst.Name) and test.value == name) or (
        isinstance(test, cst.Comparison) and isinstance(test.left, cst.Name) and test.left.value == name
        and len(test.comparisons) == 1 and isinstance(test.comparisons[0].operator, cst.IsNot)
        and isinstance(test.comparisons[0].comparator, cst.Name) and test.comparisons[0].comparator.value == "None")
    body = statement.body.body if isinstance(statement.body, cst.IndentedBlock) else [statement.body]
    return guards and len(body) == 1 and (rw.is_call_statement(body[0], name, release_methods) or (
        isinstance(body[0], cst.SimpleStatementSuite) and len(body[0].body) == 1
        and rw.is_call_statement(cst.SimpleStatementLine(body=body[0].body), name, release_methods)))


class _ReleasesBeforeExit(cst.CSTTransformer):
    """Drop `client.close()` right before a `return` or `raise` that uses
    nothing taken from the client: the `with` releases it on the way out.
    Not inside loops, `try`, `with` or nested definitions, where leaving the
    block runs other code first."""

    def __init__(self, name: str, release_methods: FrozenSet[str], dependent_names) -> None:
        super().__init__()
        self.name, self.release_methods, self.dependent_names = name, release_methods, dependent_names

    def on_visit(self, node: cst.CSTNode) -> bool:
        return not isinstance(node, (cst.For, cst.While, cst.Try, cst.TryStar, cst.With, cst.FunctionDef,
                                     cst.ClassDef, cst.Lambda))

    def leave_IndentedBlock(self, original_node, updated_node: cst.IndentedBlock) -> cst.IndentedBlock:
        body = list(updated_node.body)
        kept = []
        for index, statement in enumerate(body):
            following = body[index + 1] if index + 1 < len(body) else None
            if (rw.is_call_statement(statement, self.name, self.release_methods) and following is not None
                    and self._exits_without_the_resource(following)):
                body[index + 1] = following.with_changes(
                    leading_lines=list(statement.leading_lines) + rw.trailing_comment_lines(statement)
                    + list(following.leading_lines))
                continue
            kept.append(body[index])
        return updated_node.with_changes(body=kept) if len(kept) != len(body) else updated_node

    def _exits_without_the_resource(self, statement: cst.CSTNode) -> bool:
        if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1
                and isinstance(statement.body[0], (cst.Return, cst.Raise))):
            return False
        names = {n.value for n in walk_same_scope(statement) if isinstance(n, cst.Name)}
        return not names & (set(self.dependent_names) | {self.name})


def _releases(node: cst.CSTNode, name: str, release_methods: FrozenSet[str]) -> bool:
    return (isinstance(node, cst.Attribute) and node.attr.value in release_methods
            and isinstance(node.value, cst.Name) and node.value.value == name)
