"""The expressions of module summaries: what a name, a return or an attribute
holds, written over the module's own names as small lists (plain data, for the
JSON cache), read from the stdlib `ast`.

Expressions (lists, first item the form):
  ["ref", "a.b"]        the module-level name `a`, then attribute `b`
  ["call", expr]        the result of calling expr
  ["attr", expr, "x"]   expr.x          ["item", expr]   expr[...]
  ["await", expr]       ["any", [expr...]]  one of these, depending on the branch
  ["hint", [expr...]]   an annotation naming these (`Optional[X]` names X)
  ["self"]              the instance inside a method   ["none"]   None
  ["class"]             the class inside a method (`cls`, `self.__class__`, `type(self)`)
  ["unknown"]
"""

from __future__ import annotations

import ast
from typing import Dict, List, Optional

UNKNOWN = ["unknown"]
NONE = ["none"]


def either(values: List[list]) -> list:
    distinct = []
    for value in values:
        if value not in distinct:
            distinct.append(value)
    return distinct[0] if len(distinct) == 1 else ["any", distinct]


def assigned(node, local: Dict[str, list], params: Optional[Dict[str, list]]):
    """(name, value) of each simple name an assignment binds."""
    if isinstance(node, ast.AnnAssign):
        if not isinstance(node.target, ast.Name):
            return
        hint = hint_of(node.annotation)
        value = expression(node.value, local, params) if node.value is not None else UNKNOWN
        # What is assigned beats what the hint says, when it is known.
        yield node.target.id, hint if value in (NONE, UNKNOWN) else value
        return
    value = expression(node.value, local, params)
    for target in node.targets:
        if isinstance(target, ast.Name):
            yield target.id, value
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                if isinstance(element, ast.Name):
                    yield element.id, UNKNOWN


def hint_of(annotation: ast.expr) -> list:
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:
            annotation = ast.parse(annotation.value, mode="eval").body
        except SyntaxError:
            return UNKNOWN
    names: List[list] = []
    stack = [annotation]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Subscript):
            names.append(expression(node.value, {}, None))
            inner = node.slice
            inner = getattr(inner, "value", inner)  # ast.Index on old Pythons
            stack.extend(reversed(inner.elts) if isinstance(inner, ast.Tuple) else [inner])
        elif isinstance(node, ast.BinOp):
            stack.extend([node.right, node.left])
        elif isinstance(node, (ast.Name, ast.Attribute)):
            names.append(expression(node, {}, None))
    return ["hint", names] if names else UNKNOWN


def expression(node: Optional[ast.expr], local: Dict[str, list], params: Optional[Dict[str, list]],
               depth: int = 0) -> list:
    """An expression of a module or of a function (`local`: its names so far,
    `params`: its parameters, None at module level)."""
    if node is None or depth > 50:
        return UNKNOWN
    deeper = depth + 1
    if isinstance(node, ast.Constant):
        return NONE if node.value is None else UNKNOWN
    if isinstance(node, ast.Name):
        if params is not None:
            if node.id in local:
                return local[node.id]
            if node.id in params:
                return params[node.id]
        return ["ref", node.id]
    if isinstance(node, ast.Attribute):
        base = expression(node.value, local, params, deeper)
        if node.attr == "__class__" and base == ["self"]:
            return ["class"]  # `self.__class__.client` is the class's attribute
        if base[0] == "ref":
            return ["ref", f"{base[1]}.{node.attr}"]
        return ["attr", base, node.attr] if base != UNKNOWN else UNKNOWN
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Name) and node.func.id == "type" and len(node.args) == 1 \
                and not node.keywords and expression(node.args[0], local, params, deeper) == ["self"]:
            return ["class"]  # `type(self).client`
        func = expression(node.func, local, params, deeper)
        return ["call", func] if func != UNKNOWN else UNKNOWN
    if isinstance(node, ast.Subscript):
        base = expression(node.value, local, params, deeper)
        return ["item", base] if base != UNKNOWN else UNKNOWN
    if isinstance(node, ast.Await):
        inner = expression(node.value, local, params, deeper)
        return ["await", inner] if inner != UNKNOWN else UNKNOWN
    if isinstance(node, ast.IfExp):
        return either([expression(node.body, local, params, deeper),
                       expression(node.orelse, local, params, deeper)])
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
        # `client or MongoClient()`: the last operand is what a falsy start gives.
        return either([expression(value, local, params, deeper) for value in node.values])
    if isinstance(node, ast.NamedExpr):
        return expression(node.value, local, params, deeper)
    return UNKNOWN
