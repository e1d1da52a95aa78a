"""Does a function hand what it returns to someone else as well?

A test base class's `self.simple_client()` builds a client, registers it for
closing (`self.addCleanup(client.close)`, `cls._clients.append(client)`) and
returns it: the caller uses a client it does not own. A function whose returned
local name is also passed to a call, stored outside the function, put in a
container, yielded, captured by a nested function or declared global is not a
factory of fresh clients (read with the stdlib `ast`, for module summaries).

Only the statements whose source lines mention a returned name are walked:
walking every node of every function was most of a module summary's cost."""

from __future__ import annotations

import ast
import re
from typing import Iterable, List, Sequence, Set, Union

Function = Union[ast.FunctionDef, ast.AsyncFunctionDef]
# The line breaks `ast` counts `lineno` by (not `str.splitlines`'s, which also
# breaks at form feeds and other separators).
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")


def source_lines(text: str) -> List[str]:
    """The lines of a module as `ast` numbers them, for `hands_off_returned_names`."""
    return _LINE_BREAK.split(text) if "\r" in text else text.split("\n")


def hands_off_returned_names(function: Function, returns: Iterable[ast.Return], lines: Sequence[str]) -> bool:
    """`returns`: the function's own `return` statements (not a nested
    function's); `lines`: the module's `source_lines`."""
    returned: Set[str] = set()
    for statement in returns:
        if statement.value is not None:
            returned.update(_names_of_value(statement.value))
    if not returned:
        return False
    return any(_statement_hands_off(statement, returned, lines) for statement in function.body)


def _statement_hands_off(statement: ast.AST, names: Set[str], lines: Sequence[str]) -> bool:
    """A compound statement's blocks are looked at statement by statement; any
    other node whose lines name none of `names` cannot hand one off."""
    start, end = getattr(statement, "lineno", None), getattr(statement, "end_lineno", None)
    if start is not None and end is not None:
        segment = "\n".join(lines[start - 1:end])
        if not any(name in segment for name in names):
            return False
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) \
            or not any(hasattr(statement, block) for block in _BLOCKS):
        return any(_hands_off(node, names) for node in ast.walk(statement))
    for field, value in ast.iter_fields(statement):
        if field in _BLOCKS:
            if any(_statement_hands_off(child, names, lines) for child in value):
                return True
        elif any(_hands_off(node, names) for part in _nodes(value) for node in ast.walk(part)):
            return True
    return False


def _nodes(value) -> List[ast.AST]:
    if isinstance(value, ast.AST):
        return [value]
    return [item for item in value if isinstance(item, ast.AST)] if isinstance(value, list) else []


def _names_of_value(expr: ast.expr) -> Set[str]:
    """`client`, `client if ok else other`, `client or MongoClient()`."""
    if isinstance(expr, ast.Name):
        return {expr.id}
    if isinstance(expr, ast.IfExp):
        return _names_of_value(expr.body) | _names_of_value(expr.orelse)
    if isinstance(expr, ast.BoolOp):
        return set().union(*(_names_of_value(value) for value in expr.values))
    if isinstance(expr, ast.NamedExpr):
        return _names_of_value(expr.value)
    return set()


def _hands_off(node: ast.AST, names: Set[str]) -> bool:
    if isinstance(node, ast.Call):
        values = list(node.args) + [keyword.value for keyword in node.keywords]
        return any(_carries(value, names) for value in values)
    if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return _carries(node.value, names) and not all(isinstance(t, ast.Name) for t in targets)
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return any(_carries(element, names) for element in node.elts)
    if isinstance(node, ast.Dict):
        return any(value is not None and _carries(value, names) for value in node.values)
    if isinstance(node, (ast.Yield, ast.YieldFrom)):
        return node.value is not None and _carries(node.value, names)
    if isinstance(node, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef)):
        return any(isinstance(inner, ast.Name) and inner.id in names for inner in ast.walk(node))
    if isinstance(node, (ast.Global, ast.Nonlocal)):
        return bool(names & set(node.names))
    return False


def _carries(expr: ast.expr, names: Set[str]) -> bool:
    """`client`, or `client.close` / `client.app` (an attribute, not a call's result)."""
    while isinstance(expr, (ast.Attribute, ast.Starred)):
        expr = expr.value
    return isinstance(expr, ast.Name) and expr.id in names
