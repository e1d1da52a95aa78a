"""Where a driver object came from, when it was resolved through another
module of the project: what messages name (`users` from `app/database.py`)."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from mongolint.model import scopes as S
from mongolint.model.types import ASYNC, MOTOR, SYNC, DriverType, Foreign

FLAVOUR_NAMES = {SYNC: "PyMongo", ASYNC: "PyMongo Async", MOTOR: "Motor"}


class Origins:
    def origin_of(self, expr: cst.CSTNode, depth: int = 0) -> Optional[str]:
        """The path of the module that built the object `expr` holds, when
        that is another module of the project; None otherwise."""
        if self.project is None or depth > 20:
            return None
        if isinstance(expr, cst.Await):
            return self.origin_of(expr.expression, depth + 1)
        if isinstance(expr, cst.Call):
            made = self.project_entity_called(expr)
            if made is not None:
                return made.origin or None
            return self.origin_of(expr.func.value, depth + 1) if isinstance(expr.func, cst.Attribute) else None
        if isinstance(expr, (cst.Attribute, cst.Subscript)):
            if isinstance(expr, cst.Attribute) and isinstance(self.type_of(expr.value), Foreign):
                base = self.type_of(expr.value)
                if base.origin == "self":
                    return self._origin_of_self_attribute(expr, depth)
                if base.origin == "project":
                    member = self.project.index.attribute(base.entity, expr.attr.value)
                    return member.origin if member is not None and member.origin else None
            return self.origin_of(expr.value, depth + 1)
        if isinstance(expr, cst.Name):
            bindings = self.bindings_of(expr)
            if len(bindings) != 1:
                return None
            binding = bindings[0]
            if binding.kind == S.IMPORT:
                entity = self.imported_entity(binding)
                return entity.origin if entity is not None and entity.origin else None
            if binding.kind == S.ASSIGN and binding.value is not None:
                return self.origin_of(binding.value, depth + 1)
        return None

    def _origin_of_self_attribute(self, attr: cst.Attribute, depth: int) -> Optional[str]:
        class_def = self._class_of_self(attr.value)
        if class_def is None:
            return None
        values = [value for _, value, _ in self.self_attribute_assignments(class_def, attr.attr.value)]
        if not values:
            member = self.inherited_member(attr)
            return member.origin if member is not None and member.origin else None
        origins = {self.origin_of(value, depth + 1) if value is not None else None for value in values}
        return origins.pop() if len(origins) == 1 else None

    def described(self, expr: cst.CSTNode, text: str) -> str:
        """` (`users`, a PyMongo collection from `app/database.py`)` for an
        object resolved through another module; empty otherwise."""
        origin = self.origin_of(expr)
        found = self.type_of(expr)
        if origin is None or not isinstance(found, DriverType):
            return ""
        kind = found.kind.replace("_", " ")
        flavour = FLAVOUR_NAMES.get(found.flavour or "", "")
        return f" (`{text}`, a {flavour + ' ' if flavour else ''}{kind} from `{origin}`)"
