"""Code that cannot run: it has no findings.

A node is unreachable when a statement before it in its block always leaves the
block (`return`, `raise`, `break`, `continue`, `self.skipTest()`,
`pytest.skip()`, `sys.exit()`...), when it is under a branch whose test is
literally false in the module (`if TYPE_CHECKING:`, `if False:`, or a module
constant bound once to `False`, such as `_IS_SYNC = False` then `if _IS_SYNC:`),
or when it is the body of a function that only exists for the type checker
(`@typing.overload`, or a same-module decorator whose wrapper raises unless
`TYPE_CHECKING`).
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from mongolint.model import scopes as S
from mongolint.model.syntax import decorator_name
from mongolint.model.walker import walk_same_scope

# Calls that never return normally: they raise (a skip, a failure) or exit.
# (`unittest.skip(...)` is not one: it returns a decorator.)
_NEVER_RETURN = frozenset({
    ("self", "skipTest"), ("self", "fail"), ("pytest", "skip"), ("pytest", "fail"), ("pytest", "xfail"),
    ("pytest", "exit"), ("sys", "exit"), ("os", "_exit"),
})


class Reachability:
    def is_unreachable(self, node: cst.CSTNode) -> bool:
        cache = self.__dict__.setdefault("_unreachable", {})
        child = node
        for ancestor in self.ancestors(node):
            key = (id(ancestor), id(child))
            if key not in cache:
                cache[key] = self._child_is_dead(ancestor, child)
            if cache[key]:
                return True
            child = ancestor
        return False

    def _child_is_dead(self, parent: cst.CSTNode, child: cst.CSTNode) -> bool:
        if isinstance(parent, (cst.IndentedBlock, cst.Module, cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            for statement in parent.body:
                if statement is child:
                    return False
                if self._always_leaves(statement):
                    return True
            return False
        if isinstance(parent, cst.If):
            truth = self.static_truth(parent.test)
            if child is parent.body:
                return truth is False
            if child is parent.orelse:
                return truth is True
            return False
        if isinstance(parent, cst.FunctionDef) and child is parent.body:
            return any(self._only_for_type_checking(d) for d in parent.decorators)
        return False

    def _always_leaves(self, statement: cst.CSTNode) -> bool:
        if isinstance(statement, cst.SimpleStatementLine):
            return any(self._always_leaves(small) for small in statement.body)
        if isinstance(statement, (cst.Return, cst.Raise, cst.Break, cst.Continue)):
            return True
        if isinstance(statement, cst.Expr) and isinstance(statement.value, cst.Call):
            func = statement.value.func
            return (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)
                    and (func.value.value, func.attr.value) in _NEVER_RETURN)
        return False

    def static_truth(self, test: cst.BaseExpression) -> Optional[bool]:
        """True or False when the test's value is fixed in this module, else None."""
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            inner = self.static_truth(test.expression)
            return None if inner is None else not inner
        if isinstance(test, cst.Attribute) and test.attr.value == "TYPE_CHECKING":
            return False
        if isinstance(test, cst.Integer):
            return test.value not in ("0", "0x0", "0o0", "0b0")
        if not isinstance(test, cst.Name):
            return None
        if test.value in ("False", "None"):
            return False
        if test.value == "True":
            return True
        if test.value == "TYPE_CHECKING":
            return False
        return self._module_constant(test.value)

    def _module_constant(self, name: str) -> Optional[bool]:
        bindings = self.index.module_scope.bindings.get(name, ())
        if len(bindings) != 1 or bindings[0].kind != S.ASSIGN:
            return None
        value = bindings[0].value
        if isinstance(value, cst.Name) and value.value in ("True", "False"):
            return value.value == "True"
        return None

    def _only_for_type_checking(self, decorator: cst.Decorator) -> bool:
        if decorator_name(decorator) == "overload":
            return True
        if not isinstance(decorator.decorator, cst.Name):
            return False
        bindings = self.index.module_scope.bindings.get(decorator.decorator.value, ())
        if len(bindings) != 1 or not isinstance(bindings[0].node, cst.FunctionDef):
            return False
        return _skips_unless_type_checking(bindings[0].node)


def _skips_unless_type_checking(function: cst.FunctionDef) -> bool:
    """`def only_type_check(f): def inner(...): if not TYPE_CHECKING: raise ...`"""
    stack = [function]
    while stack:
        current = stack.pop()
        for node in walk_same_scope(current.body):
            if isinstance(node, cst.FunctionDef) and node is not current:
                stack.append(node)
            if isinstance(node, cst.If) and _is_not_type_checking(node.test) \
                    and any(isinstance(n, cst.Raise) for n in walk_same_scope(node.body)):
                return True
    return False


def _is_not_type_checking(test: cst.BaseExpression) -> bool:
    if not (isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not)):
        return False
    inner = test.expression
    name = inner.attr.value if isinstance(inner, cst.Attribute) else inner.value if isinstance(inner, cst.Name) else ""
    return name == "TYPE_CHECKING"
