"""Client identity: which client a driver object belongs to."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from mongolint.model import driver
from mongolint.model import scopes as S
from mongolint.model.scopes import Binding
from mongolint.model.syntax import argument_for, is_none
from mongolint.model.types import CLIENT, DriverType, Foreign

# A binding whose client is not known (as opposed to `x = None`, which says nothing).
UNKNOWN_CLIENT = cst.Name("_")


class ClientIdentity:
    """`client_of(expr)`: the node standing for the client an object belongs to."""

    def client_of(self, expr: cst.CSTNode) -> Optional[cst.CSTNode]:
        """The node standing for the client a driver object belongs to: the
        constructor call that built it, or the parameter annotated as a client it
        came through. None when not known (two objects with the same node belong
        to the same client; with different nodes, to different ones)."""
        return self._guarded(expr, "client", self._compute_client)

    def _compute_client(self, expr: cst.CSTNode) -> Optional[cst.CSTNode]:
        if isinstance(expr, cst.Await):
            return self.client_of(expr.expression)
        if isinstance(expr, cst.NamedExpr):
            return self.client_of(expr.value)
        if isinstance(expr, cst.Name):
            return self._same_client(self._client_of_binding(b) for b in self.bindings_of(expr))
        if self.driver_type(expr) is None:
            return None
        if isinstance(expr, cst.Call):
            if self.qualified_name(expr.func) in driver.CLIENT_CLASSES:
                return expr
            if isinstance(expr.func, cst.Attribute) and self.driver_type(expr.func.value) is not None:
                return self.client_of(expr.func.value)
            return None
        if isinstance(expr, cst.Attribute):
            base = self.type_of(expr.value)
            if isinstance(base, Foreign) and base.origin == "self":
                class_def = self._class_of_self(expr.value)
                if class_def is None:
                    return None
                values = [value for _, value, _ in self.self_attribute_assignments(class_def, expr.attr.value)]
                if any(value is None for value in values):
                    return None
                return self._same_client(None if is_none(v) else self.client_of(v) or UNKNOWN_CLIENT
                                         for v in values)
            return self.client_of(expr.value) if isinstance(base, DriverType) else None
        if isinstance(expr, cst.Subscript):
            return self.client_of(expr.value)
        return None

    def _client_of_binding(self, binding: Binding):
        if binding.kind in (S.ASSIGN, S.WITH) and binding.value is not None:
            if is_none(binding.value):
                return None  # `client = None` says nothing
            return self.client_of(binding.value) or UNKNOWN_CLIENT
        if binding.kind == S.PARAM:
            if binding.annotation is None:
                passed = self._client_from_call_sites(binding.node)
                if passed is not None:
                    return passed
                function = self.parent(self.parent(binding.node))
                runner = self.transaction_runner_of(function, binding.node) \
                    if isinstance(function, cst.FunctionDef) else None
                if runner is not None:
                    return self.client_of(runner) or UNKNOWN_CLIENT
            found = self.type_of_binding(binding)
            if isinstance(found, DriverType) and found.kind == CLIENT:
                return binding.node
        return UNKNOWN_CLIENT

    def _client_from_call_sites(self, param: cst.Param) -> Optional[cst.CSTNode]:
        """An unannotated parameter belongs to the client every same-module caller's argument does."""
        function = self.parent(self.parent(param))
        if not isinstance(function, cst.FunctionDef) or self._is_self_parameter(function, param):
            return None
        positional = list(function.params.posonly_params) + list(function.params.params)
        index = next((i for i, p in enumerate(positional) if p is param), None)
        roots = []
        for call in self.calls_of_function(function):
            argument = argument_for(call, index, param.name.value)
            if argument is not None:
                roots.append(self.client_of(argument) or UNKNOWN_CLIENT)
        return self._same_client(roots) if roots else None

    @staticmethod
    def _same_client(roots) -> Optional[cst.CSTNode]:
        found = None
        for root in roots:
            if root is None:
                continue
            if root is UNKNOWN_CLIENT or (found is not None and root is not found):
                return None
            found = root
        return found

    def has_single_client(self, flavour: Optional[str] = None) -> bool:
        """At most one client (of `flavour`, when given) is constructed in the
        module: objects whose client is not known then most likely share it."""
        constructed = [driver.CLIENT_CLASSES[name] for name in
                       (self.qualified_name(call.func) for call in self.index.calls)
                       if name in driver.CLIENT_CLASSES]
        return len([c for c in constructed if flavour is None or c.flavour == flavour]) <= 1
