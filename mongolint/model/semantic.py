"""`SemanticModel`: every question about one module, composed from the model's parts."""

from __future__ import annotations

from typing import Dict, FrozenSet, Optional

import libcst as cst

from mongolint.model import driver
from mongolint.model.class_attributes import ClassAttributes
from mongolint.model.client_identity import ClientIdentity
from mongolint.model.expression_types import ExpressionTypes, Resolved
from mongolint.model.origins import Origins
from mongolint.model.project_view import ProjectView
from mongolint.model.reachability import Reachability
from mongolint.model.scopes import Scope
from mongolint.model.structure import ModuleStructure
from mongolint.model.test_context import TestContext
from mongolint.model.walker import ModuleIndex, Walker


class SemanticModel(ModuleStructure, ExpressionTypes, ClientIdentity, ClassAttributes, TestContext,
                    Reachability, Origins):
    def __init__(self, module: cst.Module, *, module_name: str = "",
                 client_factories: FrozenSet[str] = frozenset(), path: str = "",
                 strict_tests: bool = False, project: Optional[ProjectView] = None) -> None:
        self.index: ModuleIndex = Walker(module).run()
        self.module = module
        self.module_name = module_name
        self.client_factories = client_factories
        self.path = path  # to tell test files; the model never reads it
        self.strict_tests = strict_tests
        self.project = project  # the other modules of the project, when known
        self._imports_resolved: Dict[int, object] = {}
        self._types: Dict[int, Resolved] = {}
        self._scopes: Dict[int, Scope] = {}  # scope_of, memoised: rules ask it for every use of a name
        self._class_attributes: Dict[int, Dict[str, list]] = {}
        self._resolving: set = set()
        self.driver_flavours = {driver.flavour_of_import(b.qualified_name)
                                for b in self.index.imports if b.qualified_name} - {None}
        self.uses_driver = bool(self.driver_flavours) or any(
            driver.is_driver_path(b.qualified_name or "") for b in self.index.imports)
