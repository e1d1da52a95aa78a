"""Does every path from a statement reach a release?

An abstract interpretation over the structured statements of one scope: the
state is the set of "released?" values the paths reaching a point can carry.
It records two verdicts: a normal path (fall-through, return, break/continue
out of the resource's loop) that leaves unreleased, and an exception that can
escape while the resource is unreleased and no `finally` releases it.
"""

from __future__ import annotations

from typing import FrozenSet, Optional, Set, Tuple

import libcst as cst

from mongolint.model.walker import walk_same_scope

States = FrozenSet[bool]
_UNRELEASED: States = frozenset({False})
_RELEASED: States = frozenset({True})
_NOTHING: States = frozenset()


class PathAnalysis:
    def __init__(self, model, releasing: Set[int], release_uses: Set[int], release: Release, *,
                 into_next_iteration: bool = False) -> None:
        self.model = model
        # Only a leak into the next iteration of the boundary loop counts.
        self.into_next_iteration = into_next_iteration
        self.releasing = releasing
        self.release_uses = release_uses
        self.release = release
        self.normal_leak = False
        self.error_leak = False
        self.raise_leak = False  # a `raise` statement no handler of this scope can catch leaves unreleased
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
                next_iteration = self.boundary_loop is not None and owner is self.boundary_loop
                if False in states and not finally_releases and (next_iteration or not self.into_next_iteration):
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
        saved = (self.normal_leak, self.error_leak, self.raise_leak)
        result = self._block(_body(block), _UNRELEASED, False, True)
        self.normal_leak, self.error_leak, self.raise_leak = saved
        return bool(result) and result == _RELEASED

    # -- statements --------------------------------------------------------
    def _block(self, statements, states: States, finally_releases: bool, errors_caught: bool) -> States:
        for statement in statements:
            if not states:
                return states
            states = self._statement(statement, states, finally_releases, errors_caught)
        return states

    def _statement(self, st, states: States, fin: bool, caught: bool) -> States:
        if isinstance(st, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            return self._smalls(st.body, states, fin, caught)
        if id(st) in self.releasing and isinstance(st, cst.With) and self._with_releases(st):
            self._block(_body(st.body), states, True, caught)
            return _RELEASED
        if isinstance(st, cst.If):
            self._expression(st.test, states, fin, caught)
            body = self._block(_body(st.body), states, fin, caught)
            other = self._else(st.orelse, states, fin, caught)
            return body | other
        if isinstance(st, (cst.For, cst.While)) and self._reads_to_the_end(st):
            self._block(_body(st.body), states, fin, caught)  # read to the end: released after the loop
            return _RELEASED
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
                if False in states and not fin and not self.into_next_iteration:
                    self.normal_leak = True
                return _NOTHING
            elif isinstance(small, (cst.Break, cst.Continue)):
                restarts = isinstance(small, cst.Continue) or not self.into_next_iteration
                if self._leaves_boundary_loop(small) and False in states and not fin and restarts:
                    self.normal_leak = True
                return _NOTHING if self._leaves_boundary_loop(small) else states
            elif isinstance(small, cst.Raise):
                if False in states and not fin and not caught:
                    self.error_leak = True
                    self.raise_leak = self.raise_leak or not self._handled_here(small)
                return _NOTHING
            else:
                self._expression(small, states, fin, caught)
        return states

    def _handled_here(self, node: cst.CSTNode) -> bool:
        """Is `node` in the body of a `try` with handlers (that may catch what it raises)?"""
        child = node
        for ancestor in self.model.ancestors(node):
            if isinstance(ancestor, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
                return False
            if isinstance(ancestor, (cst.Try, cst.TryStar)) and child is ancestor.body and ancestor.handlers:
                return True
            child = ancestor
        return False

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

    def _reads_to_the_end(self, loop) -> bool:
        """`for x in cursor:` / `while cursor.alive:` that `Release.exhausted_by_reading` releases."""
        head = loop.iter if isinstance(loop, cst.For) else loop.test
        if isinstance(head, cst.Attribute):
            head = head.value
        return id(head) in self.release_uses

    def _with_releases(self, st: cst.With) -> bool:
        """`with resource:`, or `with resource.bind():` (the use is inside the item)."""
        return any(id(node) in self.release_uses for item in st.items for node in walk_same_scope(item.item))


def _after(smalls, statement) -> list:
    smalls = list(smalls)
    for index, small in enumerate(smalls):
        if small is statement:
            return smalls[index + 1:]
    return []


def _body(block) -> list:
    """The statements of a block; `if x: a; b` (a suite on one line) is one."""
    if isinstance(block, cst.SimpleStatementSuite):
        return [block]
    return list(block.body) if not isinstance(block, (list, tuple)) else list(block)


def _catches_everything(st) -> bool:
    for handler in st.handlers:
        kind = handler.type
        broad = kind is None or isinstance(kind, cst.Name) and kind.value in ("Exception", "BaseException")
        if broad and not any(isinstance(n, cst.Raise) for n in walk_same_scope(handler.body)):
            return True
    return False


def may_raise(node) -> bool:
    """Can evaluating `node` raise (a call other than a harmless builtin, `await`, `raise`)?"""
    return _may_raise(node)


def _may_raise(node) -> bool:
    for child in walk_same_scope(node):
        if isinstance(child, cst.Await) or isinstance(child, cst.Raise):
            return True
        if isinstance(child, cst.Call) and not _is_harmless_call(child):
            return True
    return False


# Calls that neither keep a reference to their arguments nor, in practice, raise.
BUILTINS_THAT_KEEP_NOTHING = frozenset({
    "print", "len", "str", "repr", "int", "float", "bool", "isinstance", "id", "type",
    "format", "hash", "range", "sorted", "list", "dict", "tuple", "set",
})
LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "log"})


def _is_harmless_call(call: cst.Call) -> bool:
    func = call.func
    if isinstance(func, cst.Name):
        return func.value in BUILTINS_THAT_KEEP_NOTHING
    return isinstance(func, cst.Attribute) and func.attr.value in LOG_METHODS
