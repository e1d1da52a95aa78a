"""What runs after a statement whenever that statement has run: the rest of its
line and the later statements of its block, also past the end of a `with` body
or a `finally` clause holding it (both always run to their end before what
follows, unless the `with` swallows exceptions: `suppress`, `pytest.raises`).
Not past an `if`, a loop or a `try` body: code after those also runs on paths
that skipped the statement.

Used to ask "is the object still usable here?" after `end_session()`,
`close()` or the end of the `with` block that released it.
"""

from __future__ import annotations

from typing import Iterator, List, Optional

import libcst as cst

from mongolint.model.expected_errors import swallows_errors
from mongolint.model.scopes import Scope
from mongolint.model.walker import walk_same_scope


def code_after(model, statement: cst.CSTNode) -> List[cst.CSTNode]:
    """The statements (and small statements of the same line) that run after
    `statement` on every path that ran it, in source order."""
    found: List[cst.CSTNode] = []
    line = model.parent(statement)
    if isinstance(line, (cst.SimpleStatementLine, cst.SimpleStatementSuite)) and statement in line.body:
        smalls = list(line.body)
        found.extend(smalls[smalls.index(statement) + 1:])
        statement = line
    while statement is not None:
        block = model.parent(statement)
        if not isinstance(block, (cst.IndentedBlock, cst.Module)):
            break
        body = list(block.body)
        found.extend(body[body.index(statement) + 1:])
        statement = _continuing_owner(model, block)
    return found


def _continuing_owner(model, block: cst.CSTNode) -> Optional[cst.CSTNode]:
    """The statement whose following code also runs after `block` ends."""
    owner = model.parent(block)
    if isinstance(owner, cst.With) and owner.body is block and not swallows_errors(model, owner):
        return owner
    if isinstance(owner, cst.Finally):
        return model.parent(owner)
    return None


def loads_after(model, statement: cst.CSTNode, name: str, scope: Scope) -> Iterator[cst.Name]:
    """Loads of `name` in `scope` that run after `statement`, up to (not into)
    the first statement that binds `name` again."""
    bound = [b.node for b in scope.bindings.get(name, ())]
    for node in code_after(model, statement):
        if any(b is node or is_inside(model, b, node) for b in bound):
            return
        for inner in walk_same_scope(node):
            if isinstance(inner, cst.Name) and inner.value == name and _is_load(model, inner) \
                    and running_scope(model, inner) is scope:
                yield inner


def nodes_after(model, statement: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every node of the same scope that runs after `statement` (see `code_after`)."""
    for node in code_after(model, statement):
        yield from walk_same_scope(node)


def running_scope(model, node: cst.CSTNode) -> Scope:
    """The scope whose execution runs `node`: list, set and dict comprehensions
    run inline; a generator expression runs later."""
    scope = model.scope_of(node)
    while (scope.kind == "comprehension" and not isinstance(scope.node, cst.GeneratorExp)
           and scope.parent is not None):
        scope = scope.parent
    return scope


def is_inside(model, node: cst.CSTNode, container: cst.CSTNode) -> bool:
    return any(ancestor is container for ancestor in model.ancestors(node))


def _is_load(model, name: cst.Name) -> bool:
    parent = model.parent(name)
    if isinstance(parent, (cst.AssignTarget, cst.AsName)):
        return False
    if isinstance(parent, (cst.AnnAssign, cst.AugAssign, cst.NamedExpr, cst.For, cst.CompFor)):
        return parent.target is not name
    return not isinstance(parent, (cst.Param, cst.FunctionDef, cst.ClassDef))
