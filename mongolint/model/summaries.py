"""Module summaries: what a module can hand to its importers, as plain data.

Built from the stdlib `ast` (much cheaper than LibCST) and made only of dicts,
lists and strings, so that a summary can be cached as JSON and sent to worker
processes. A summary says nothing final about types: values are small
expressions over the module's own names, evaluated later by `project` when
another module imports them (so a change in one module is seen by every chain
that goes through it).

The values are the expressions of `summary_expressions`.
"""

from __future__ import annotations

import ast
import gc
import warnings
from typing import Dict, List, Optional

from mongolint.model.returned_escapes import hands_off_returned_names, source_lines
from mongolint.model.summary_expressions import NONE, UNKNOWN, assigned, either, expression, hint_of

FORMAT = 4


def summarize(text: str) -> Optional[dict]:
    """The summary of a module's source, or None when Python cannot parse it."""
    # A syntax tree holds no reference cycles: the collector, which the parse's
    # many allocations would run again and again, has nothing to find in it.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _summary_of(text)
    finally:
        if collecting:
            gc.enable()


def _summary_of(text: str) -> Optional[dict]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    try:
        return _ModuleSummarizer(source_lines(text)).run(tree)
    except RecursionError:
        return None


class _ModuleSummarizer:
    def __init__(self, lines: List[str]) -> None:
        self.lines = lines
        self.summary: dict = {"imports": {}, "stars": [], "names": {}, "functions": {}, "classes": {}}

    def run(self, tree: ast.Module) -> dict:
        self._statements(tree.body)
        names = self.summary["names"]
        for name, values in list(names.items()):
            names[name] = either(values)
        return self.summary

    def _statements(self, body: List[ast.stmt]) -> None:
        """Module level, including inside `if`/`try`/`with` (each branch binds)."""
        for node in body:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self._import(alias.asname, [0, alias.name, None])
                    else:
                        root = alias.name.split(".")[0]
                        self._import(root, [0, root, None])
            elif isinstance(node, ast.ImportFrom):
                module = node.module or ""
                for alias in node.names:
                    if alias.name == "*":
                        self.summary["stars"].append([node.level, module])
                    else:
                        self._import(alias.asname or alias.name, [node.level, module, alias.name])
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self._shadow(node.name)
                self.summary["functions"][node.name] = _function(node, None, self.lines)
                for name, value in _global_assignments(node):
                    self._bind(name, value)
            elif isinstance(node, ast.ClassDef):
                self._shadow(node.name)
                self.summary["classes"][node.name] = _class(node, self.lines)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                for name, value in assigned(node, {}, None):
                    self._bind(name, value)
            elif isinstance(node, (ast.If, ast.While, ast.For, ast.AsyncFor)):
                if isinstance(node, (ast.For, ast.AsyncFor)):
                    self._bind_unknown(node.target)
                self._statements(node.body)
                self._statements(node.orelse)
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                for item in node.items:
                    if item.optional_vars is not None:
                        self._bind_unknown(item.optional_vars)
                self._statements(node.body)
            elif type(node).__name__ == "Match":
                for case in node.cases:
                    self._statements(case.body)
            elif isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
                self._statements(node.body)
                for handler in node.handlers:
                    self._statements(handler.body)
                self._statements(node.orelse)
                self._statements(node.finalbody)
            elif isinstance(node, (ast.AugAssign, ast.Delete)):
                for target in ([node.target] if isinstance(node, ast.AugAssign) else node.targets):
                    if isinstance(target, ast.Name):
                        self._bind(target.id, UNKNOWN)

    def _bind_unknown(self, target: ast.expr) -> None:
        for node in ast.walk(target):
            if isinstance(node, ast.Name):
                self._bind(node.id, UNKNOWN)

    def _import(self, local: str, target: list) -> None:
        self._shadow(local)
        self.summary["imports"][local] = target

    def _bind(self, name: str, value: list) -> None:
        """A name bound twice (two branches, a reassignment) is either value."""
        if name in self.summary["imports"] or name in self.summary["functions"] or name in self.summary["classes"]:
            self._shadow(name)
            value = UNKNOWN
        self.summary["names"].setdefault(name, []).append(value)

    def _shadow(self, name: str) -> None:
        """A name bound by an import, def or class and something else is not known."""
        kinds = [kind for kind in ("imports", "functions", "classes") if name in self.summary[kind]]
        if name in self.summary["names"] or len(kinds) > 0:
            for kind in kinds:
                self.summary[kind].pop(name, None)
            self.summary["names"][name] = [UNKNOWN]


def _function(node, class_name: Optional[str], lines: List[str]) -> dict:
    """What calling the function gives: its returns, with its local names followed."""
    params: Dict[str, list] = {}
    arguments = node.args
    positional = list(getattr(arguments, "posonlyargs", [])) + list(arguments.args)
    decorators = [_decorator_name(d) for d in node.decorator_list]
    for index, arg in enumerate(positional + list(arguments.kwonlyargs)
                                + [a for a in (arguments.vararg, arguments.kwarg) if a is not None]):
        if index == 0 and class_name is not None and "staticmethod" not in decorators and arg in positional:
            params[arg.arg] = ["self"] if "classmethod" not in decorators else ["class"]
        else:
            params[arg.arg] = hint_of(arg.annotation) if arg.annotation is not None else UNKNOWN
    local: Dict[str, list] = {}
    returns: List[list] = []
    statements: List[ast.Return] = []
    _function_body(node.body, local, params, returns, statements)
    returned = either(returns) if returns else UNKNOWN
    hint = hint_of(node.returns) if node.returns is not None else UNKNOWN
    # Whether the caller owns what it gets matters only for a client its returns
    # may build: most functions are spared the walk that tells.
    # The returned values beat the hint, when they are known.
    return {"returns": returned, "hint": hint,
            "async": isinstance(node, ast.AsyncFunctionDef),
            "decorators": decorators,
            "hands_off": _may_build(returned) and hands_off_returned_names(node, statements, lines)}


def _may_build(returned: list) -> bool:
    """Can the returns give a new client? Only a call builds one: what a name
    of a module, an attribute, an item, an awaited result or a hint gives was
    built before, and is shared."""
    return returned[0] == "call" or returned[0] == "any" and any(_may_build(e) for e in returned[1])


def _global_assignments(function):
    """`global client` then `client = AsyncIOMotorClient(...)` in a function
    (a start-up hook): one more value the module-level name may hold."""
    declared = {name for node in _statements_of(function.body) if isinstance(node, ast.Global)
                for name in node.names}
    if not declared:
        return
    params = {arg.arg: UNKNOWN for arg in ast.walk(function.args) if isinstance(arg, ast.arg)}
    for node in _statements_of(function.body):
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            for name, value in assigned(node, {}, params):
                if name in declared:
                    yield name, value
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name) and node.target.id in declared:
            yield node.target.id, UNKNOWN


def _decorator_name(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _function_body(body, local: Dict[str, list], params: Dict[str, list], returns: List[list],
                   statements: List[ast.Return]) -> None:
    """Straight-line reading of the body: a name assigned twice is either value.
    `returns` gets what each `return` gives, `statements` the `return`s themselves."""
    for node in body:
        if isinstance(node, ast.Return):
            statements.append(node)
            returns.append(expression(node.value, local, params) if node.value is not None else NONE)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            for name, value in assigned(node, local, params):
                local[name] = either([local[name], value]) if name in local and local[name] != NONE \
                    else value
        elif isinstance(node, (ast.If, ast.While, ast.For, ast.AsyncFor, ast.With, ast.AsyncWith, ast.Try)) \
                or type(node).__name__ == "TryStar":
            if isinstance(node, (ast.For, ast.AsyncFor)):
                _unknown_targets(node.target, local)
            if isinstance(node, (ast.With, ast.AsyncWith)):
                for item in node.items:
                    if item.optional_vars is not None:
                        _unknown_targets(item.optional_vars, local)
            for block in ("body", "orelse", "finalbody"):
                _function_body(getattr(node, block, []), local, params, returns, statements)
            for handler in getattr(node, "handlers", []):
                _function_body(handler.body, local, params, returns, statements)
        elif isinstance(node, ast.AugAssign):
            _unknown_targets(node.target, local)


def _unknown_targets(target, local: Dict[str, list]) -> None:
    for node in ast.walk(target):
        if isinstance(node, ast.Name):
            local[node.id] = UNKNOWN


def _class(node: ast.ClassDef, lines: List[str]) -> dict:
    """Bases, methods and attributes (class level, and `self.x`/`cls.x` in any method)."""
    attributes: Dict[str, List[list]] = {}
    methods: Dict[str, dict] = {}
    for statement in node.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            methods[statement.name] = _function(statement, node.name, lines)
            for name, value in _self_assignments(statement, methods[statement.name]):
                attributes.setdefault(name, []).append(value)
        elif isinstance(statement, (ast.Assign, ast.AnnAssign)):
            for name, value in assigned(statement, {}, None):
                attributes.setdefault(name, []).append(value)
    return {"bases": [expression(base, {}, None) for base in node.bases],
            "methods": methods,
            "attributes": {name: _attribute_value(values) for name, values in attributes.items()}}


def _attribute_value(values: List[list]) -> list:
    """`self.x = None` in `__init__` and `self.x = MongoClient()` later: the client."""
    known = [v for v in values if v != NONE]
    written = [v for v in known if v[0] != "hint"]  # what is assigned beats a hint
    return either(written or known) if known else NONE


def _self_assignments(function, summary: dict):
    """`self.x = value` (also `cls.x`, `self.__class__.x`, `type(self).x`) in a method."""
    params: Dict[str, list] = {}
    positional = list(getattr(function.args, "posonlyargs", [])) + list(function.args.args)
    decorators = summary["decorators"]
    if not positional or "staticmethod" in decorators:
        return
    owner = positional[0].arg
    params[owner] = ["self"]
    for arg in positional[1:] + list(function.args.kwonlyargs):
        params[arg.arg] = hint_of(arg.annotation) if arg.annotation is not None else UNKNOWN
    local: Dict[str, list] = {}
    for node in _statements_of(function.body):
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute) and _names_owner(target.value, owner):
                    value = expression(node.value, local, params) if node.value is not None else UNKNOWN
                    if isinstance(node, ast.AnnAssign) and value in (NONE, UNKNOWN):
                        value = hint_of(node.annotation)
                    yield target.attr, value
            for name, value in assigned(node, local, params):
                local[name] = value


def _names_owner(node: ast.expr, owner: str) -> bool:
    if isinstance(node, ast.Name):
        return node.id == owner
    if isinstance(node, ast.Attribute) and node.attr == "__class__":
        return _names_owner(node.value, owner)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "type" \
            and len(node.args) == 1:
        return _names_owner(node.args[0], owner)
    return False


def _statements_of(body):
    stack = list(reversed(body))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        for block in ("body", "orelse", "finalbody"):
            stack.extend(reversed(getattr(node, block, []) or []))
        for handler in getattr(node, "handlers", []) or []:
            stack.extend(reversed(handler.body))
