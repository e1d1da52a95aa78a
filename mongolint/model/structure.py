"""Where a node is: parents, scopes, enclosing functions and statements, names
and the order of nodes in the source."""

from __future__ import annotations

from typing import Iterator, List, Optional

import libcst as cst

from mongolint.model import scopes as S
from mongolint.model.scopes import Binding, Scope
from mongolint.model.walker import children


class ModuleStructure:
    """Answers from the walk's index alone; no knowledge of the driver."""

    def parent(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        return self.index.parents.get(id(node))

    def ancestors(self, node: cst.CSTNode) -> Iterator[cst.CSTNode]:
        parent = self.parent(node)
        while parent is not None:
            yield parent
            parent = self.parent(parent)

    def scope_of(self, node: cst.CSTNode) -> Scope:
        found = self.index.node_scopes.get(id(node)) or self._scopes.get(id(node))
        if found is None:
            found = self._scopes[id(node)] = self._scope_of(node)
        return found

    def _scope_of(self, node: cst.CSTNode) -> Scope:
        for ancestor in self.ancestors(node):
            scope = self.index.scopes.get(id(ancestor))
            if scope is not None and not self._is_outside_of(node, ancestor):
                return scope
        return self.index.module_scope

    def _is_outside_of(self, node: cst.CSTNode, owner: cst.CSTNode) -> bool:
        """Decorators, defaults and annotations of a def belong to the outer scope."""
        if not isinstance(owner, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            return False
        child = node
        for ancestor in self.ancestors(node):
            if ancestor is owner:
                return child is not owner.body
            child = ancestor
        return False

    def enclosing_function(self, node: cst.CSTNode) -> Optional[cst.FunctionDef]:
        scope: Optional[Scope] = self.scope_of(node)
        while scope is not None and scope.kind in ("comprehension", "lambda"):
            scope = scope.parent
        if scope is not None and scope.kind == "function":
            return scope.node  # type: ignore[return-value]
        return None

    def in_async_function(self, node: cst.CSTNode) -> bool:
        function = self.enclosing_function(node)
        return function is not None and function.asynchronous is not None

    def enclosing_statement(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        """The innermost simple or compound statement that contains `node`."""
        if isinstance(node, (cst.BaseSmallStatement, cst.BaseCompoundStatement)):
            return node
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, (cst.BaseSmallStatement, cst.BaseCompoundStatement)):
                return ancestor
        return None

    def strip_await(self, node: cst.CSTNode) -> cst.CSTNode:
        """The node an expression's value flows into, looking through `await`."""
        parent = self.parent(node)
        while isinstance(parent, cst.Await):
            node, parent = parent, self.parent(parent)
        return node

    def bindings_of(self, name: cst.Name) -> List[Binding]:
        return self.scope_of(name).lookup(name.value) or []

    def qualified_name(self, expr: cst.BaseExpression) -> Optional[str]:
        if isinstance(expr, cst.Name):
            bindings = self.bindings_of(expr)
            imported = {b.qualified_name for b in bindings if b.kind == S.IMPORT}
            if len(imported) == 1 and all(b.kind == S.IMPORT for b in bindings):
                return self._import_path(bindings[0])  # `import pymongo` repeated, or with submodules
            if len(bindings) != 1:
                return None
            binding = bindings[0]
            if binding.kind == S.IMPORT:
                return self._import_path(binding)
            if binding.kind == S.ASSIGN and isinstance(binding.value, (cst.Name, cst.Attribute)):
                if binding.value is expr:
                    return None
                return self._guarded(binding.value, "qn", self.qualified_name)
            if binding.kind in (S.DEF, S.CLASS) and self.module_name:
                return f"{self.module_name}.{expr.value}"
            return None
        if isinstance(expr, cst.Attribute):
            base = self.qualified_name(expr.value)
            return f"{base}.{expr.attr.value}" if base else None
        return None

    def resolved_import(self, binding: Binding):
        """The `project.Entity` an import stands for, when there is a project to look in."""
        if self.project is None or not binding.qualified_name:
            return None
        key = id(binding)
        if key not in self._imports_resolved:
            self._imports_resolved[key] = self.project.resolve_import(binding.qualified_name)
        return self._imports_resolved[key]

    def _import_path(self, binding: Binding) -> Optional[str]:
        """The qualified name an import binds; a re-export (`from app.db import
        MongoClient`, where `app/db.py` imports it) is followed to its source."""
        if self.project is None or not binding.qualified_name:
            return binding.qualified_name
        return self.reexported_driver_name(binding) or binding.qualified_name

    def _guarded(self, node: cst.CSTNode, tag: str, compute):
        key = (id(node), tag)
        if key in self._resolving:
            return None
        self._resolving.add(key)
        try:
            return compute(node)
        finally:
            self._resolving.discard(key)

    def precedes(self, first: cst.CSTNode, second: cst.CSTNode) -> bool:
        """Does `first` come before `second` in the source, neither containing the other?"""
        chain_first = [first] + list(self.ancestors(first))
        position = {id(node): index for index, node in enumerate(chain_first)}
        child_second = second
        for node in [second] + list(self.ancestors(second)):
            index = position.get(id(node))
            if index is not None:
                if index == 0 or node is second:
                    return False
                child_first = chain_first[index - 1]
                for child in children(node):
                    if child is child_first:
                        return True
                    if child is child_second:
                        return False
                return False
            child_second = node
        return False
