"""Small questions about LibCST nodes that the model asks in several places."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from mongolint.model.walker import blocks_of, node_types_under


def is_none(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "None"


def decorator_name(decorator: cst.Decorator) -> str:
    node = decorator.decorator
    if isinstance(node, cst.Call):
        node = node.func
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return node.value if isinstance(node, cst.Name) else ""


def argument_for(call: cst.Call, index: Optional[int], name: str) -> Optional[cst.BaseExpression]:
    position = 0
    for arg in call.args:
        if arg.star:
            return None
        if arg.keyword is not None:
            if arg.keyword.value == name:
                return arg.value
        else:
            if position == index:
                return arg.value
            position += 1
    return None


# This walk runs over every function and class the rules ask about: it tests
# exact types (LibCST's statement bases are ABCs, where isinstance() is slow).
_SMALL_STATEMENTS = node_types_under(cst.BaseSmallStatement)
_COMPOUND_STATEMENTS = node_types_under(cst.BaseCompoundStatement)
_CONTAINERS = frozenset({cst.SimpleStatementLine, cst.IndentedBlock, cst.Module, cst.SimpleStatementSuite})


def statements_in(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every statement (small and compound) under `node`, nested defs included."""
    stack = [node]
    while stack:
        current = stack.pop()
        kind = type(current)
        if kind in _SMALL_STATEMENTS:
            yield current
        elif kind in _CONTAINERS:
            stack.extend(reversed(current.body))
        elif kind in _COMPOUND_STATEMENTS:
            yield current
            inner = blocks_of(current)
            if kind is cst.If and type(current.orelse) is cst.If:
                inner.insert(1, current.orelse)  # an elif is a statement of its own
            stack.extend(reversed(inner))


def instance_of_class_reference(expr: cst.BaseExpression) -> cst.BaseExpression:
    """`self.__class__` and `type(self)` name the class of `self`: give `self`."""
    if isinstance(expr, cst.Attribute) and expr.attr.value == "__class__":
        return expr.value
    if (isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.func.value == "type"
            and len(expr.args) == 1):
        return expr.args[0].value
    return expr
