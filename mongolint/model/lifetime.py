"""Is a resource released on every path, exceptions included, unless it escapes?

A resource is the value of a call (a client, a session) or a session's open
transaction. It is *managed* when it is a `with` item, when it escapes (returned,
yielded, stored on an attribute, in a container or a global, captured by a nested
function, passed positionally to another call), or when every path from its
creation reaches a release (`close()`, `end_session()`, `commit_transaction()`...),
which `paths.PathAnalysis` decides.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Dict, FrozenSet, List, Optional, Set

import libcst as cst

from mongolint.model.after import running_scope
from mongolint.model.containers import stays_in_local_container
from mongolint.model.paths import BUILTINS_THAT_KEEP_NOTHING, LOG_METHODS, PathAnalysis
from mongolint.model.scopes import Binding
from mongolint.model.syntax import decorator_name
from mongolint.model.walker import walk_same_scope

class Verdict(enum.Enum):
    MANAGED = "managed"  # a `with` item, escapes, or released on every path
    ERROR_PATHS = "error-paths"  # released on normal paths; an exception skips it
    SOME_PATHS = "some-paths"  # a normal path leaves without releasing
    NEVER = "never"  # no path releases it


@dataclass(frozen=True)
class Release:
    """How a resource is released: the methods, and keywords that leak it inline."""

    methods: FrozenSet[str]
    leaking_keywords: FrozenSet[str] = frozenset()
    error_paths_matter: bool = True
    with_releases: bool = True  # `with resource:` releases it
    scoped_by: FrozenSet[str] = frozenset()  # `with resource.bind():` releases it too
    raise_paths_matter: bool = False  # a `raise` that leaves it unreleased is a path like a `return`
    # A cursor: reading it to the end (`list(c)`, `c.to_list()`, `for x in c:`
    # with no `break`) closes it on the server.
    exhausted_by_reading: bool = False


def lifetime_of_value(model, creation: cst.CSTNode, release: Release) -> Verdict:
    """The verdict for the value `creation` evaluates to (a call, usually)."""
    if model.expected_to_raise(creation):
        return Verdict.MANAGED  # the test expects the construction to raise: nothing is built
    holder = through_alternatives(model, model.strip_await(creation))
    parent = model.parent(holder)
    if isinstance(parent, (cst.Attribute, cst.Subscript)) and parent.value is holder:
        return _lifetime_of_temporary(model, parent, release)
    kept = stays_in_local_container(model, holder, lambda b, s: _uses_of(model, b, s))
    if kept is not None:
        return Verdict.NEVER if kept else Verdict.MANAGED
    if isinstance(parent, cst.Yield) and keeps_across_yield(model, parent):
        return Verdict.NEVER  # `yield MongoClient()` in a fixture: nothing can close it
    if isinstance(parent, cst.Arg):
        keyword = parent.keyword.value if parent.keyword is not None else None
        return Verdict.NEVER if keyword in release.leaking_keywords else Verdict.MANAGED
    if isinstance(parent, cst.Expr):
        return Verdict.NEVER
    name = bound_name(parent, holder)
    if name is None:
        return Verdict.MANAGED
    scope = model.scope_of(parent)
    if scope.kind not in ("function", "module") or name in scope.globals:
        return Verdict.MANAGED
    binding = next((b for b in scope.bindings.get(name, ()) if b.node is parent), None)
    if binding is None:
        return Verdict.MANAGED
    return lifetime_of_binding(model, binding, scope, parent, release)


def through_alternatives(model, node: cst.CSTNode) -> cst.CSTNode:
    """`client or MongoClient()`, `x if c else MongoClient()`: on that branch the
    value is the whole expression's."""
    parent = model.parent(node)
    while _is_alternative(parent, node):
        node, parent = parent, model.parent(parent)
    return node


def _is_alternative(parent, node: cst.CSTNode) -> bool:
    if isinstance(parent, cst.BooleanOperation):
        return isinstance(parent.operator, cst.Or) and parent.right is node
    return isinstance(parent, cst.IfExp) and (parent.body is node or parent.orelse is node)


def lifetime_of_binding(model, binding: Binding, scope, start: cst.CSTNode,
                        release: Release, *, into_next_iteration: bool = False) -> Verdict:
    """The verdict for the resource a name holds from statement `start` on.
    With `into_next_iteration`, only the paths that carry it unreleased into the
    next iteration of the loop around `start` count (not returns or breaks)."""
    uses = _uses_of(model, binding, scope)
    releases: List[cst.CSTNode] = []
    for use in uses:
        role = _role_of_use(model, use, scope, release)
        if role == "escape":
            return Verdict.MANAGED
        if role == "release":
            releases.append(use)
    flow = PathAnalysis(model, _releasing_statements(model, releases), {id(u) for u in releases}, release,
                        into_next_iteration=into_next_iteration)
    flow.follow(start, scope.node)
    if flow.normal_leak:
        return Verdict.SOME_PATHS if releases else Verdict.NEVER
    if flow.raise_leak and release.raise_paths_matter and releases:
        return Verdict.SOME_PATHS
    if flow.error_leak and release.error_paths_matter and model.error_paths_reported(start):
        return Verdict.ERROR_PATHS
    return Verdict.MANAGED


def _lifetime_of_temporary(model, expr: cst.CSTNode, release: Release) -> Verdict:
    """`MongoClient(uri).db.c.find_one()`: the client lives as long as the driver
    objects derived from it; a plain result (a document) lets it die unclosed."""
    top, role = _climb_derivations(model, expr, release)
    if role == "release":
        return Verdict.MANAGED
    if top is None:
        return Verdict.NEVER
    parent = model.parent(top)
    if isinstance(parent, cst.Expr):
        return Verdict.NEVER
    name = bound_name(parent, top)
    if name is None:
        return Verdict.MANAGED
    scope = model.scope_of(parent)
    binding = next((b for b in scope.bindings.get(name, ()) if b.node is parent), None)
    if binding is None or name in scope.globals or _alias_escapes(model, binding, scope, release, 0):
        return Verdict.MANAGED
    return Verdict.NEVER


def _climb_derivations(model, expr: cst.CSTNode, release: Release, assumed: bool = False):
    """Follow `expr.attr`, `expr[...]`, `expr.method(...)` and `await` upwards.
    Returns (the outermost expression still holding a driver object, or None when
    the chain ends in plain data; "release" when the chain releases).
    `assumed`: `expr` holds the resource although the model cannot type it (a
    name whose other bindings are unknown, `c = Unknown() if rs else MongoClient()`):
    `expr[...]` and `expr.attr` then hold it too."""
    top = expr
    while True:
        parent = model.parent(expr)
        if (isinstance(expr, cst.Attribute) and expr.attr.value in release.scoped_by
                and isinstance(parent, cst.Call) and parent.func is expr
                and isinstance(model.parent(parent), cst.WithItem)):
            return None, "release"
        if isinstance(parent, cst.Attribute) and parent.value is expr:
            if parent.attr.value in release.methods:
                return None, "release"
        elif isinstance(parent, cst.Subscript) and parent.value is expr:
            pass
        elif isinstance(parent, cst.Call) and parent.func is expr or isinstance(parent, cst.Await):
            pass
        else:
            return top, "use"
        expr = parent
        if _holds_driver_object(model, expr):
            top, assumed = expr, False
        elif assumed and model.type_of(expr) is None and (
                isinstance(expr, cst.Subscript)
                or isinstance(expr, cst.Attribute) and not isinstance(model.parent(expr), cst.Call)):
            top = expr
        elif not isinstance(expr, cst.Attribute) or not isinstance(model.parent(expr), cst.Call):
            return None, "use"


# Objects that keep their client usable; a session does not hand its client on.
_CARRIERS = frozenset({"client", "database", "collection", "cursor", "command_cursor", "change_stream"})


def _holds_driver_object(model, expr: cst.CSTNode) -> bool:
    return _is_carrier(model.driver_type(expr))


def _carrier_among_unknowns(model, use: cst.Name) -> bool:
    """The name cannot be typed, but one of its bindings holds a client, database
    or collection (the others are unknown): what is derived from it may hold it."""
    if model.type_of(use) is not None:
        return False
    return any(_is_carrier(model.type_of_binding(b)) for b in model.bindings_of(use))


def _is_carrier(found) -> bool:
    return getattr(found, "kind", None) in _CARRIERS


def bound_name(parent: cst.CSTNode, value: cst.CSTNode) -> Optional[str]:
    if isinstance(parent, cst.Assign) and len(parent.targets) == 1:
        target = parent.targets[0].target
        return target.value if isinstance(target, cst.Name) else None
    if isinstance(parent, (cst.AnnAssign, cst.NamedExpr)) and isinstance(parent.target, cst.Name):
        return parent.target.value
    return None


def uses_of_binding(model, binding: Binding, scope) -> List[cst.Name]:
    """Every load of the name that refers to `binding` (the binding target excluded)."""
    return _uses_of(model, binding, scope)


def _uses_of(model, binding: Binding, scope) -> List[cst.Name]:
    return list(_loads_by_binding(model, binding.name).get(binding, ()))


def _loads_by_binding(model, identifier: str) -> Dict[Binding, List[cst.Name]]:
    """The loads of `identifier`, by the binding each refers to: computed once per
    name and model (per binding, it made files with many clients quadratic)."""
    cache = model.__dict__.setdefault("_loads_by_binding", {})
    if identifier not in cache:
        loads: Dict[Binding, List[cst.Name]] = {}
        for name in model.index.names.get(identifier, ()):
            if _is_target(model, name):
                continue
            for binding in model.scope_of(name).lookup(identifier) or ():
                loads.setdefault(binding, []).append(name)
        cache[identifier] = loads
    return cache[identifier]


def _is_target(model, name: cst.Name) -> bool:
    """A Name that binds (assignment, `as`, loop target) rather than loads."""
    parent = model.parent(name)
    if isinstance(parent, (cst.AssignTarget, cst.AsName)):
        return True
    if isinstance(parent, (cst.AnnAssign, cst.AugAssign, cst.NamedExpr, cst.For, cst.CompFor)):
        return parent.target is name
    return False


def _role_of_use(model, use: cst.Name, scope, release: Release, depth: int = 0) -> str:
    """'release', 'escape' or 'use'."""
    if running_scope(model, use) is not scope:
        return "escape"  # captured by a nested function, lambda or generator expression
    parent = model.parent(use)
    if isinstance(parent, cst.WithItem):
        return "release" if release.with_releases else "use"
    if release.exhausted_by_reading and reads_to_the_end(model, use):
        return "release"
    top, role = _climb_derivations(model, use, release, assumed=_carrier_among_unknowns(model, use))
    if role == "release":
        return "release"
    if top is None:
        return "use"  # the chain ends in plain data
    if top is not use and isinstance(model.parent(top), cst.WithItem):
        return "use"
    return _role_of_value(model, top, scope, release, depth)


def _role_of_value(model, value: cst.CSTNode, scope, release: Release, depth: int) -> str:
    """Where a value that holds the resource flows to."""
    kept = stays_in_local_container(model, value, lambda b, s: _uses_of(model, b, s))
    if kept is not None:
        return "use" if kept else "escape"
    parent = model.parent(value)
    if isinstance(parent, cst.Yield) and keeps_across_yield(model, parent):
        return "use"  # a fixture lends what it yields, and still owns it afterwards
    if isinstance(parent, cst.Arg):
        return _role_of_argument(model, parent)
    name = bound_name(parent, value)
    if name is not None and depth < 4 and model.scope_of(parent) is scope:
        binding = next((b for b in scope.bindings.get(name, ()) if b.node is parent), None)
        if binding is not None and name not in scope.globals:
            return "escape" if _alias_escapes(model, binding, scope, release, depth + 1) else "use"
    if isinstance(parent, (cst.Return, cst.Yield, cst.Element, cst.DictElement, cst.Assign,
                           cst.AnnAssign, cst.NamedExpr, cst.AugAssign, cst.Await,
                           cst.StarredElement, cst.StarredDictElement, cst.Lambda)):
        return "escape"
    return "use"


# Generators whose `yield` lends a value and takes it back: the code after the
# `yield` is their teardown.
_LENDING_DECORATORS = frozenset({"fixture", "yield_fixture", "contextmanager", "asynccontextmanager"})


def keeps_across_yield(model, node: cst.CSTNode) -> bool:
    function = model.enclosing_function(node)
    return function is not None and any(decorator_name(d) in _LENDING_DECORATORS for d in function.decorators)


def _alias_escapes(model, binding: Binding, scope, release: Release, depth: int) -> bool:
    """Does a local name holding the resource (or an object derived from it) escape?"""
    return any(_role_of_use(model, use, scope, release, depth) == "escape"
               for use in _uses_of(model, binding, scope))


# Builtins that read from an iterator and keep no reference to it (and may raise).
_READERS = frozenset({"next", "anext"})


def _role_of_argument(model, arg: cst.Arg) -> str:
    if arg.keyword is not None:
        return "use" if arg.keyword.value == "session" else "escape"
    call = model.parent(arg)
    func = call.func if isinstance(call, cst.Call) else None
    if isinstance(func, cst.Name) and (func.value in BUILTINS_THAT_KEEP_NOTHING or func.value in _READERS):
        return "use"
    if isinstance(func, cst.Attribute) and func.attr.value in LOG_METHODS:
        return "use"
    return "escape"


_READ_BY_BUILTINS = frozenset({"list", "tuple", "set", "sorted"})


def reads_to_the_end(model, expr: cst.CSTNode) -> bool:
    """Does the code around a cursor expression read every document from it?"""
    parent = model.parent(expr)
    if isinstance(parent, cst.Arg) and parent.keyword is None and not parent.star:
        call = model.parent(parent)
        return (isinstance(call, cst.Call) and isinstance(call.func, cst.Name)
                and call.func.value in _READ_BY_BUILTINS and len(call.args) == 1)
    if isinstance(parent, cst.Attribute) and parent.value is expr and parent.attr.value == "to_list":
        call = model.parent(parent)
        return isinstance(call, cst.Call) and call.func is parent and all(
            isinstance(arg.value, cst.Name) and arg.value.value == "None" for arg in call.args)
    if isinstance(parent, cst.For) and parent.iter is expr:
        return _runs_to_the_end(model, parent)
    if isinstance(parent, cst.CompFor) and parent.iter is expr:
        comprehension = next(a for a in model.ancestors(parent) if not isinstance(a, cst.CompFor))
        return isinstance(comprehension, (cst.ListComp, cst.SetComp, cst.DictComp))  # a generator may stop early
    if isinstance(parent, cst.Attribute) and parent.value is expr and parent.attr.value == "alive":
        loop = model.parent(parent)
        return isinstance(loop, cst.While) and loop.test is parent and _runs_to_the_end(model, loop)
    return False


def _runs_to_the_end(model, loop: cst.CSTNode) -> bool:
    """A loop with no `break` of its own and no `return`."""
    return not any(isinstance(node, cst.Return) or isinstance(node, cst.Break) and _loop_of(model, node) is loop
                   for node in walk_same_scope(loop.body))


def _loop_of(model, jump: cst.CSTNode) -> Optional[cst.CSTNode]:
    return next((a for a in model.ancestors(jump) if isinstance(a, (cst.For, cst.While))), None)


def _releasing_statements(model, releases: List[cst.CSTNode]) -> Set[int]:
    """ids of the statements that release, and of every statement around them."""
    marked: Set[int] = set()
    for use in releases:
        node = model.enclosing_statement(use)
        if isinstance(model.parent(use), cst.WithItem):
            node = model.parent(model.parent(use))
        if node is None:
            continue
        marked.add(id(node))
        for ancestor in model.ancestors(node):
            marked.add(id(ancestor))
    return marked
