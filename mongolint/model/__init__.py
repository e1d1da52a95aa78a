"""The semantic model: which expressions of a module are driver objects.

Built from one walk of the module (see `walker`). Each question has its own
module: where a node is (`structure`), what an expression is
(`expression_types`), which client an object belongs to (`client_identity`),
what `self.x` holds (`class_attributes`), what is test code, patched or
expected to raise (`test_context`), what cannot run (`reachability`).
"""

from __future__ import annotations

from typing import Dict, FrozenSet

import libcst as cst

from mongolint.model import driver
from mongolint.model.class_attributes import ClassAttributes
from mongolint.model.client_identity import ClientIdentity
from mongolint.model.expression_types import ExpressionTypes, Resolved
from mongolint.model.reachability import Reachability
from mongolint.model.scopes import Scope
from mongolint.model.structure import ModuleStructure
from mongolint.model.test_context import TestContext
from mongolint.model.walker import ModuleIndex, Walker

__all__ = ["Resolved", "SemanticModel"]


class SemanticModel(ModuleStructure, ExpressionTypes, ClientIdentity, ClassAttributes, TestContext,
                    Reachability):
    def __init__(self, module: cst.Module, *, module_name: str = "",
                 client_factories: FrozenSet[str] = frozenset(), path: str = "",
                 strict_tests: bool = False) -> None:
        self.index: ModuleIndex = Walker(module).run()
        self.module = module
        self.module_name = module_name
        self.client_factories = client_factories
        self.path = path  # to tell test files; the model never reads it
        self.strict_tests = strict_tests
        self._types: Dict[int, Resolved] = {}
        self._scopes: Dict[int, Scope] = {}  # scope_of, memoised: rules ask it for every use of a name
        self._class_attributes: Dict[int, Dict[str, list]] = {}
        self._resolving: set = set()
        self.driver_flavours = {driver.flavour_of_import(b.qualified_name)
                                for b in self.index.imports if b.qualified_name} - {None}
        self.uses_driver = bool(self.driver_flavours) or any(
            driver.is_driver_path(b.qualified_name or "") for b in self.index.imports)
