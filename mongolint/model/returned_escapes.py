"""Does a function hand what it returns to someone else as well?

A test base class's `self.simple_client()` builds a client, registers it for
closing (`self.addCleanup(client.close)`, `cls._clients.append(client)`) and
returns it: the caller uses a client it does not own. A function whose returned
local name is also passed to a call, stored outside the function, put in a
container, yielded, captured by a nested function or declared global is not a
factory of fresh clients (read with the stdlib `ast`, for module summaries)."""

from __future__ import annotations

import ast
from typing import Set, Union

Function = Union[ast.FunctionDef, ast.AsyncFunctionDef]


def hands_off_returned_names(function: Function) -> bool:
    returned = _returned_names(function)
    if not returned:
        return False
    for node in _body_nodes(function):
        if _hands_off(node, returned):
            return True
    return False


def _returned_names(function: Function) -> Set[str]:
    names: Set[str] = set()
    for node in _body_nodes(function):
        if isinstance(node, ast.Return) and node.value is not None:
            names.update(_names_of_value(node.value))
    return names


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


def _body_nodes(function: Function):
    """Every node of the body, nested functions and lambdas included (they capture)."""
    for statement in function.body:
        yield from ast.walk(statement)


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
