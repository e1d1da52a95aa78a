"""Scopes and the names bound in them, as the model builder records them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set

import libcst as cst

# Binding kinds
ASSIGN = "assign"  # also annotated assignments and the walrus
AUGMENT = "augment"
PARAM = "param"
IMPORT = "import"
WITH = "with"
FOR = "for"
DEF = "def"
CLASS = "class"
EXCEPT = "except"


@dataclass(eq=False)
class Binding:
    name: str
    kind: str
    node: cst.CSTNode  # the statement, parameter or alias that binds
    value: Optional[cst.BaseExpression] = None
    annotation: Optional[cst.BaseExpression] = None
    qualified_name: Optional[str] = None  # for imports


@dataclass(eq=False)
class Scope:
    kind: str  # "module", "class", "function", "lambda", "comprehension"
    node: cst.CSTNode
    parent: Optional["Scope"]
    bindings: Dict[str, List[Binding]] = field(default_factory=dict)
    globals: Set[str] = field(default_factory=set)
    nonlocals: Set[str] = field(default_factory=set)

    def bind(self, binding: Binding) -> None:
        target = self
        if binding.name in self.globals:
            while target.parent is not None:
                target = target.parent
        target.bindings.setdefault(binding.name, []).append(binding)

    def lookup(self, name: str) -> Optional[List[Binding]]:
        """The bindings a load of `name` in this scope refers to (LEGB)."""
        scope: Optional[Scope] = self
        first = True
        while scope is not None:
            if (first or scope.kind != "class") and name in scope.bindings:
                return scope.bindings[name]
            first = False
            scope = scope.parent
        return None

    @property
    def is_async(self) -> bool:
        return isinstance(self.node, cst.FunctionDef) and self.node.asynchronous is not None
