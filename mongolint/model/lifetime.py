"""Is a resource released on every path, exceptions included, unless it escapes?

A resource is the value of a call (a client, a session) or a session's open
transaction. It is *managed* when it is a `with` item, when it escapes (returned,
yielded, stored on an attribute, in a container or a global, captured by a nested
function, passed positionally to another call), or when every path from its
creation reaches a release (`close()`, `end_session()`, `commit_transaction()`...).
The path analysis is an abstract interpretation over the structured statements:
the state is the set of "released?" values a path can carry.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import FrozenSet, List, Optional, Set, Tuple

import libcst as cst

from mongolint.model.scopes import Binding
from mongolint.model.walker import children

_BUILTINS_THAT_KEEP_NOTHING = frozenset({
    "print", "len", "str", "repr", "int", "float", "bool", "isinstance", "id", "type",
    "format", "hash", "range", "sorted", "list", "dict", "tuple", "set",
})
_LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "log"})


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


def lifetime_of_value(model, creation: cst.CSTNode, release: Release) -> Verdict:
    """The verdict for the value `creation` evaluates to (a call, usually)."""
    holder = model.strip_await(creation)
    parent = model.parent(holder)
    if isinstance(parent, (cst.Attribute, cst.Subscript)) and parent.value is holder:
        return _lifetime_of_temporary(model, parent, release)
    if isinstance(parent, cst.Arg):
        keyword = parent.keyword.value if parent.keyword is not None else None
        return Verdict.NEVER if keyword in release.leaking_keywords else Verdict.MANAGED
    if isinstance(parent, cst.Expr):
        return Verdict.NEVER
    name = _bound_name(parent, holder)
    if name is None:
        return Verdict.MANAGED
    scope = model.scope_of(parent)
    if scope.kind not in ("function", "module") or name in scope.globals:
        return Verdict.MANAGED
    binding = next((b for b in scope.bindings.get(name, ()) if b.node is parent), None)
    if binding is None:
        return Verdict.MANAGED
    return lifetime_of_binding(model, binding, scope, parent, release)


def lifetime_of_binding(model, binding: Binding, scope, start: cst.CSTNode,
                        release: Release) -> Verdict:
    """The verdict for the resource a name holds from statement `start` on."""
    uses = _uses_of(model, binding, scope)
    releases: List[cst.CSTNode] = []
    for use in uses:
        role = _role_of_use(model, use, scope, release)
        if role == "escape":
            return Verdict.MANAGED
        if role == "release":
            releases.append(use)
    flow = _Flow(model, _releasing_statements(model, releases), {id(u) for u in releases}, release)
    flow.follow(start, scope.node)
    if flow.normal_leak:
        return Verdict.SOME_PATHS if releases else Verdict.NEVER
    if flow.error_leak and release.error_paths_matter:
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
    name = _bound_name(parent, top)
    if name is None:
        return Verdict.MANAGED
    scope = model.scope_of(parent)
    binding = next((b for b in scope.bindings.get(name, ()) if b.node is parent), None)
    if binding is None or name in scope.globals or _alias_escapes(model, binding, scope, release, 0):
        return Verdict.MANAGED
    return Verdict.NEVER


def _climb_derivations(model, expr: cst.CSTNode, release: Release):
    """Follow `expr.attr`, `expr[...]`, `expr.method(...)` and `await` upwards.
    Returns (the outermost expression still holding a driver object, or None when
    the chain ends in plain data; "release" when the chain releases)."""
    top = expr
    while True:
        parent = model.parent(expr)
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
            top = expr
        elif not isinstance(expr, cst.Attribute) or not isinstance(model.parent(expr), cst.Call):
            return None, "use"


# Objects that keep their client usable; a session does not hand its client on.
_CARRIERS = frozenset({"client", "database", "collection", "cursor", "command_cursor", "change_stream"})


def _holds_driver_object(model, expr: cst.CSTNode) -> bool:
    found = model.driver_type(expr)
    return found is not None and found.kind in _CARRIERS


def _bound_name(parent: cst.CSTNode, value: cst.CSTNode) -> Optional[str]:
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
    uses = []
    for name in model.index.names.get(binding.name, ()):
        if _is_target(model, name):
            continue
        use_scope = model.scope_of(name)
        resolved = use_scope.lookup(binding.name)
        if resolved is not None and binding in resolved:
            uses.append(name)
    return uses


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
    if model.scope_of(use) is not scope:
        return "escape"  # captured by a nested function or lambda
    parent = model.parent(use)
    if isinstance(parent, cst.WithItem):
        return "release" if release.with_releases else "use"
    top, role = _climb_derivations(model, use, release)
    if role == "release":
        return "release"
    if top is None:
        return "use"  # the chain ends in plain data
    if top is not use and isinstance(model.parent(top), cst.WithItem):
        return "use"
    return _role_of_value(model, top, scope, release, depth)


def _role_of_value(model, value: cst.CSTNode, scope, release: Release, depth: int) -> str:
    """Where a value that holds the resource flows to."""
    parent = model.parent(value)
    if isinstance(parent, cst.Arg):
        return _role_of_argument(model, parent)
    name = _bound_name(parent, value)
    if name is not None and depth < 4 and model.scope_of(parent) is scope:
        binding = next((b for b in scope.bindings.get(name, ()) if b.node is parent), None)
        if binding is not None and name not in scope.globals:
            return "escape" if _alias_escapes(model, binding, scope, release, depth + 1) else "use"
    if isinstance(parent, (cst.Return, cst.Yield, cst.Element, cst.DictElement, cst.Assign,
                           cst.AnnAssign, cst.NamedExpr, cst.AugAssign, cst.Await,
                           cst.StarredElement, cst.StarredDictElement, cst.Lambda)):
        return "escape"
    return "use"


def _alias_escapes(model, binding: Binding, scope, release: Release, depth: int) -> bool:
    """Does a local name holding the resource (or an object derived from it) escape?"""
    return any(_role_of_use(model, use, scope, release, depth) == "escape"
               for use in _uses_of(model, binding, scope))


def _role_of_argument(model, arg: cst.Arg) -> str:
    if arg.keyword is not None:
        return "use" if arg.keyword.value == "session" else "escape"
    call = model.parent(arg)
    func = call.func if isinstance(call, cst.Call) else None
    if isinstance(func, cst.Name) and func.value in _BUILTINS_THAT_KEEP_NOTHING:
        return "use"
    if isinstance(func, cst.Attribute) and func.attr.value in _LOG_METHODS:
        return "use"
    return "escape"


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


States = FrozenSet[bool]
_UNRELEASED: States = frozenset({False})
_RELEASED: States = frozenset({True})
_NOTHING: States = frozenset()


class _Flow:
    def __init__(self, model, releasing: Set[int], release_uses: Set[int], release: Release) -> None:
        self.model = model
        self.releasing = releasing
        self.release_uses = release_uses
        self.release = release
        self.normal_leak = False
        self.error_leak = False
        self.boundary_loop: Optional[cst.CSTNode] = None

    # -- from the creation to the end of its scope ------------------------
    def follow(self, start: cst.CSTNode, scope_node: cst.CSTNode) -> None:
        node = self._line_of(start)
        self.boundary_loop = self._innermost_loop(node, scope_node)
        states: States = _UNRELEASED
        if isinstance(node, cst.SimpleStatementLine):
            rest = _after(node.body, self.model.enclosing_statement(start))
            states = self._smalls(rest, states, False, False)
        finally_releases, errors_caught = self._enclosing_protection(node, scope_node)
        while True:
            block, index = self._container(node)
            if block is None:
                return
            states = self._block(block[index + 1:], states, finally_releases, errors_caught)
            owner = self._owner_of_block(node)
            if owner is None or owner is scope_node or owner is self.boundary_loop:
                if False in states and not finally_releases:
                    self.normal_leak = True
                return
            node = owner

    def _line_of(self, node: cst.CSTNode) -> cst.CSTNode:
        statement = self.model.enclosing_statement(node)
        parent = self.model.parent(statement)
        return parent if isinstance(parent, cst.SimpleStatementLine) else statement

    def _container(self, node) -> Tuple[Optional[list], int]:
        block = self.model.parent(node)
        if isinstance(block, (cst.IndentedBlock, cst.Module, cst.SimpleStatementSuite)):
            body = list(block.body)
            for index, statement in enumerate(body):
                if statement is node:
                    return body, index
        return None, 0

    def _owner_of_block(self, node) -> Optional[cst.CSTNode]:
        for ancestor in self.model.ancestors(node):
            if isinstance(ancestor, (cst.BaseCompoundStatement, cst.Module)):
                return ancestor
        return None

    def _innermost_loop(self, node, scope_node) -> Optional[cst.CSTNode]:
        """The loop whose body holds `node`: the end of its iteration ends the path."""
        child = node
        for ancestor in self.model.ancestors(node):
            if ancestor is scope_node:
                return None
            if isinstance(ancestor, (cst.For, cst.While)) and child is ancestor.body:
                return ancestor
            child = ancestor
        return None

    def _enclosing_protection(self, node, scope_node) -> Tuple[bool, bool]:
        finally_releases = errors_caught = False
        child = node
        for ancestor in self.model.ancestors(node):
            if ancestor is scope_node:
                break
            if isinstance(ancestor, (cst.Try, cst.TryStar)) and child is ancestor.body:
                if ancestor.finalbody is not None and self._releases_block(ancestor.finalbody.body):
                    finally_releases = True
                if _catches_everything(ancestor):
                    errors_caught = True
            child = ancestor
        return finally_releases, errors_caught

    def _releases_block(self, block) -> bool:
        saved = (self.normal_leak, self.error_leak)
        result = self._block(_body(block), _UNRELEASED, False, True)
        self.normal_leak, self.error_leak = saved
        return bool(result) and result == _RELEASED

    # -- statements --------------------------------------------------------
    def _block(self, statements, states: States, finally_releases: bool, errors_caught: bool) -> States:
        for statement in statements:
            if not states:
                return states
            states = self._statement(statement, states, finally_releases, errors_caught)
        return states

    def _statement(self, st, states: States, fin: bool, caught: bool) -> States:
        if isinstance(st, cst.SimpleStatementLine):
            return self._smalls(st.body, states, fin, caught)
        if id(st) in self.releasing and isinstance(st, cst.With) and self._with_releases(st):
            self._block(_body(st.body), states, True, caught)
            return _RELEASED
        if isinstance(st, cst.If):
            self._expression(st.test, states, fin, caught)
            body = self._block(_body(st.body), states, fin, caught)
            other = self._else(st.orelse, states, fin, caught)
            return body | other
        if isinstance(st, (cst.For, cst.While)):
            self._expression(st.iter if isinstance(st, cst.For) else st.test, states, fin, caught)
            looped = self._block(_body(st.body), states, fin, caught)
            out = states | looped
            return self._else(st.orelse, out, fin, caught) if st.orelse else out
        if isinstance(st, cst.With):
            for item in st.items:
                self._expression(item.item, states, fin, caught)
            return self._block(_body(st.body), states, fin, caught)
        if isinstance(st, (cst.Try, cst.TryStar)):
            return self._try(st, states, fin, caught)
        if isinstance(st, cst.Match):
            out = states
            for case in st.cases:
                out = out | self._block(_body(case.body), states, fin, caught)
            return out
        return states  # nested def/class: nothing runs now

    def _else(self, orelse, states, fin, caught) -> States:
        if orelse is None:
            return states
        if isinstance(orelse, cst.If):
            return self._statement(orelse, states, fin, caught)
        return self._block(_body(orelse.body), states, fin, caught)

    def _try(self, st, states: States, fin: bool, caught: bool) -> States:
        releases_finally = st.finalbody is not None and self._releases_block(st.finalbody.body)
        inner_fin = fin or releases_finally
        inner_caught = caught or _catches_everything(st)
        body = self._block(_body(st.body), states, inner_fin, inner_caught)
        handler_in = states | body
        out = self._block(_body(st.orelse.body), body, inner_fin, caught) if st.orelse else body
        for handler in st.handlers:
            out = out | self._block(_body(handler.body), handler_in, inner_fin, caught)
        if st.finalbody is not None:
            if releases_finally:
                return _RELEASED if out or not st.handlers else out
            out = self._block(_body(st.finalbody.body), out, fin, caught)
        return out

    def _smalls(self, smalls, states: States, fin: bool, caught: bool) -> States:
        for small in smalls:
            if not states:
                return states
            if id(small) in self.releasing:
                states = _RELEASED
            elif isinstance(small, cst.Return):
                if False in states and not fin:
                    self.normal_leak = True
                return _NOTHING
            elif isinstance(small, (cst.Break, cst.Continue)):
                if self._leaves_boundary_loop(small) and False in states and not fin:
                    self.normal_leak = True
                return _NOTHING if self._leaves_boundary_loop(small) else states
            elif isinstance(small, cst.Raise):
                if False in states and not fin and not caught:
                    self.error_leak = True
                return _NOTHING
            else:
                self._expression(small, states, fin, caught)
        return states

    def _leaves_boundary_loop(self, jump: cst.CSTNode) -> bool:
        """Does this `break`/`continue` end the loop iteration the resource lives in?"""
        for ancestor in self.model.ancestors(jump):
            if isinstance(ancestor, (cst.For, cst.While)):
                return ancestor is self.boundary_loop
            if isinstance(ancestor, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
                return False
        return False

    def _expression(self, node, states: States, fin: bool, caught: bool) -> None:
        if False in states and not fin and not caught and _may_raise(node):
            self.error_leak = True

    def _with_releases(self, st: cst.With) -> bool:
        return any(id(item.item) in self.release_uses for item in st.items)


def _after(smalls, statement) -> list:
    smalls = list(smalls)
    for index, small in enumerate(smalls):
        if small is statement:
            return smalls[index + 1:]
    return []


def _body(block) -> list:
    return list(block.body) if not isinstance(block, (list, tuple)) else list(block)


def _catches_everything(st) -> bool:
    for handler in st.handlers:
        kind = handler.type
        broad = kind is None or isinstance(kind, cst.Name) and kind.value in ("Exception", "BaseException")
        if broad and not any(isinstance(n, cst.Raise) for n in _walk(handler.body)):
            return True
    return False


def _may_raise(node) -> bool:
    for child in _walk(node):
        if isinstance(child, cst.Await) or isinstance(child, cst.Raise):
            return True
        if isinstance(child, cst.Call) and not _is_harmless_call(child):
            return True
    return False


def _is_harmless_call(call: cst.Call) -> bool:
    func = call.func
    if isinstance(func, cst.Name):
        return func.value in _BUILTINS_THAT_KEEP_NOTHING
    return isinstance(func, cst.Attribute) and func.attr.value in _LOG_METHODS


def _walk(node):
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, (cst.FunctionDef, cst.ClassDef, cst.Lambda)) and current is not node:
            continue
        stack.extend(children(current))
