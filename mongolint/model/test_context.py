"""Test code: test files and functions, patched drivers, errors a test expects.

Most MongoDB code in a repository is tests, and tests do things on purpose that
would be bugs elsewhere: they build clients that a mock replaced, construct
clients that must raise, and end when an assertion fails. The model answers:

- `is_test_code(node)`: in a test file (under a `test`/`tests` folder, named
  `test_*.py`, `*_test.py` or `conftest.py`) or a test function (a pytest
  `test*` function or fixture, a method of a test class), or nested in one;
- `driver_patched(node)`: the driver's client classes are replaced there
  (`@mongomock.patch(...)`, `mock.patch("pymongo.MongoClient", ...)`,
  `patch.object(pymongo, "MongoClient", ...)`, `monkeypatch.setattr(...)`);
- `expected_to_raise(node)`: inside `with self.assertRaises(...)`,
  `assertRaisesRegex(...)` or `pytest.raises(...)`;
- `done_on_purpose(node)`: test code, or a block that expects an error or a
  warning (`pytest.warns`, `assertWarns`): what a rule about a bad setting sees
  there is meant (a driver's tests pass `heartbeatFrequencyMS=499` to see it
  rejected);
- `error_paths_reported(node)`: whether a leak that happens only when an
  exception is raised counts there (not in test code, unless `strict-tests`).
"""

from __future__ import annotations

import re
from typing import Iterator, Optional

import libcst as cst

from mongolint.model.syntax import decorator_name, statements_in

_TEST_FILE = re.compile(r"(^|/)(tests?/|test_[^/]*\.py$|[^/]*_test\.py$|conftest\.py$)")
_CLIENT_NAMES = frozenset({"MongoClient", "AsyncMongoClient", "AsyncIOMotorClient", "MotorClient",
                           "MongoReplicaSetClient"})
_DRIVER_MODULES = ("pymongo", "motor")
_EXPECTING = frozenset({"assertRaises", "assertRaisesRegex", "assertRaisesRegexp", "raises",
                        "assert_raises", "assertRaisesMessage"})
_WARNING_EXPECTERS = frozenset({"warns", "assertWarns", "assertWarnsRegex", "deprecated_call"})
_PATCHERS = frozenset({"patch", "object", "setattr", "patch_object"})
_SET_UP_METHODS = frozenset({"setUp", "setUpClass", "asyncSetUp", "setup_method", "setup_class",
                             "setup", "setUpModule"})


def is_test_path(path: str) -> bool:
    return bool(path) and bool(_TEST_FILE.search(path.replace("\\", "/")))


class TestContext:
    """Needs `self.path` and `self.strict_tests` (see `SemanticModel`)."""

    # -- test code -----------------------------------------------------------
    def is_test_code(self, node: cst.CSTNode) -> bool:
        if is_test_path(self.path):
            return True
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, cst.FunctionDef) and self._is_test_function(ancestor):
                return True
            if isinstance(ancestor, cst.ClassDef) and _is_test_class(ancestor):
                return True
        return False

    def error_paths_reported(self, node: cst.CSTNode) -> bool:
        return self.strict_tests or not self.is_test_code(node)

    def _is_test_function(self, function: cst.FunctionDef) -> bool:
        name = function.name.value
        return name.startswith("test") or any(decorator_name(d) == "fixture" for d in function.decorators)

    # -- patched drivers -----------------------------------------------------
    def driver_patched(self, node: cst.CSTNode) -> bool:
        """Are the driver's client classes replaced by a fake where `node` runs?"""
        cache = self.__dict__.setdefault("_patched_owners", {})
        for owner in self._patch_owners(node):
            key = id(owner)
            if key not in cache:
                cache[key] = self._owner_patches_driver(owner)
            if cache[key]:
                return True
        return False

    def _patch_owners(self, node: cst.CSTNode) -> Iterator[cst.CSTNode]:
        """The `with` statements, functions, classes and the module around `node`."""
        child = node
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, cst.With) and child is ancestor.body:
                yield ancestor
            elif isinstance(ancestor, (cst.FunctionDef, cst.ClassDef, cst.Module)):
                yield ancestor
            child = ancestor

    def _owner_patches_driver(self, owner: cst.CSTNode) -> bool:
        if isinstance(owner, cst.With):
            return any(self._patches_driver(item.item) for item in owner.items)
        if isinstance(owner, (cst.FunctionDef, cst.ClassDef)):
            if any(self._patches_driver(d.decorator) for d in owner.decorators):
                return True
        if isinstance(owner, cst.FunctionDef):
            return self._calls_patch_in(owner.body)
        if isinstance(owner, cst.ClassDef):
            return any(isinstance(s, cst.FunctionDef) and s.name.value in _SET_UP_METHODS
                       and self._calls_patch_in(s.body) for s in owner.body.body)
        if isinstance(owner, cst.Module):  # `patch("pymongo.MongoClient").start()` at import
            return any(isinstance(s, cst.SimpleStatementLine) and self._calls_patch_in(s)
                       for s in owner.body)
        return False

    def _calls_patch_in(self, block: cst.CSTNode) -> bool:
        for statement in statements_in(block):
            if isinstance(statement, (cst.Expr, cst.Assign)) and self._patches_driver(statement.value):
                return True
        return False

    def _patches_driver(self, expr: cst.BaseExpression) -> bool:
        """`mongomock.patch(...)`, `patch("pymongo.MongoClient")`, `patch.object(pymongo,
        "MongoClient", ...)`, `monkeypatch.setattr("motor...Client", ...)`, and
        `patcher.start()` on one of these."""
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) \
                and expr.func.attr.value == "start" and isinstance(expr.func.value, cst.Call):
            expr = expr.func.value
        if not isinstance(expr, cst.Call):
            return False
        qualified = self.qualified_name(expr.func) or ""
        if qualified.split(".")[0] == "mongomock" and qualified.endswith("patch"):
            return True
        func = expr.func
        spelled = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
        if spelled not in _PATCHERS:
            return False
        positional = [a.value for a in expr.args if a.keyword is None and not a.star]
        if not positional:
            return False
        first = positional[0]
        if isinstance(first, cst.SimpleString):
            return _names_driver_client(first.evaluated_value)
        if len(positional) > 1 and isinstance(positional[1], cst.SimpleString):
            return positional[1].evaluated_value in _CLIENT_NAMES
        return False

    # -- expected errors -----------------------------------------------------
    def expected_to_raise(self, node: cst.CSTNode) -> bool:
        """Is `node` in the body of a `with` that expects an exception?"""
        return self._in_expecting_with(node, _EXPECTING)

    def done_on_purpose(self, node: cst.CSTNode) -> bool:
        return self.is_test_code(node) or self._in_expecting_with(node, _EXPECTING | _WARNING_EXPECTERS)

    def _in_expecting_with(self, node: cst.CSTNode, expecters: frozenset) -> bool:
        child = node
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
                return False
            if isinstance(ancestor, cst.With) and child is ancestor.body \
                    and any(_expects(item.item, expecters) for item in ancestor.items):
                return True
            child = ancestor
        return False


def _names_driver_client(target: Optional[str]) -> bool:
    if not target:
        return False
    parts = target.split(".")
    return parts[-1] in _CLIENT_NAMES or (parts[0] in _DRIVER_MODULES and parts[-1].endswith("Client"))


def expects_exception(expr: cst.BaseExpression) -> bool:
    """`pytest.raises(...)`, `self.assertRaises(...)` and their kin."""
    return _expects(expr, _EXPECTING)


def _expects(expr: cst.BaseExpression, expecters: frozenset) -> bool:
    if not isinstance(expr, cst.Call):
        return False
    func = expr.func
    name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
    return name in expecters


def _is_test_class(class_def: cst.ClassDef) -> bool:
    names = [class_def.name.value] + [_base_name(b.value) for b in class_def.bases]
    return any(n.startswith("Test") or n.endswith(("Test", "Tests", "TestCase", "TestBase")) for n in names)


def _base_name(expr: cst.BaseExpression) -> str:
    if isinstance(expr, cst.Attribute):
        return expr.attr.value
    return expr.value if isinstance(expr, cst.Name) else ""
