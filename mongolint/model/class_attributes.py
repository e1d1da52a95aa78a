"""Class attributes: `self.x` assigned in one method and read in another."""

from __future__ import annotations

from typing import Dict, Optional, Sequence

import libcst as cst

from mongolint.model import scopes as S
from mongolint.model.expression_types import NEUTRAL, Resolved
from mongolint.model.syntax import decorator_name, instance_of_class_reference, is_none, statements_in
from mongolint.model.types import Foreign


_PROPERTIES = frozenset({"property", "cached_property"})


class ClassAttributes:
    """What `self.<name>` (also `cls.`, `self.__class__.`, `type(self).`) holds."""

    def method_of_own_class(self, func: cst.Attribute) -> Optional[cst.FunctionDef]:
        class_def = self._class_of_self(func.value)
        if class_def is None:
            return None
        for statement in class_def.body.body:
            if isinstance(statement, cst.FunctionDef) and statement.name.value == func.attr.value:
                return statement
        return None

    def _class_of_self(self, expr: cst.BaseExpression) -> Optional[cst.ClassDef]:
        if not isinstance(expr, cst.Name):
            return None
        bindings = self.bindings_of(expr)
        if len(bindings) != 1 or bindings[0].kind != S.PARAM:
            return None
        function = self.parent(self.parent(bindings[0].node))
        if not isinstance(function, cst.FunctionDef):
            return None
        owner = self.scope_of(function).node
        return owner if isinstance(owner, cst.ClassDef) else None

    def _type_of_self_attribute(self, attr: cst.Attribute) -> Resolved:
        class_def = self._class_of_self(attr.value)
        if class_def is None:
            return None
        getter = self._property_of(class_def, attr.attr.value)
        if getter is not None:
            return self.return_type(getter)
        types = list(self._attribute_assignment_types(class_def, attr.attr.value))
        if not types:
            inherited = self.inherited_member(attr)
            return self.project.index.type_of(inherited) if inherited is not None else None
        return self._combine(types)

    def inherited_member(self, attr: cst.Attribute):
        """`self.x` that the own class does not define, from a base class of
        another module (a `project.Entity`)."""
        if self.project is None:
            return None
        class_def = self._class_of_self(attr.value)
        if class_def is None:
            return None
        for base in class_def.bases:
            found = self.type_of(base.value)
            if isinstance(found, Foreign) and found.origin == "project" and found.entity.kind == "class":
                member = self.project.index.attribute(found.entity._replace(kind="instance"), attr.attr.value)
                if member is not None:
                    return member
        return None

    @staticmethod
    def _property_of(class_def: cst.ClassDef, name: str) -> Optional[cst.FunctionDef]:
        """The getter of `@property def <name>` (or `functools.cached_property`) in the class."""
        for statement in class_def.body.body:
            if isinstance(statement, cst.FunctionDef) and statement.name.value == name and \
                    statement.asynchronous is None and any(decorator_name(d) in _PROPERTIES
                                                           for d in statement.decorators):
                return statement
        return None

    def _attribute_assignment_types(self, class_def: cst.ClassDef, name: str):
        class_scope = self.index.scopes.get(id(class_def))
        if class_scope is not None:
            for binding in class_scope.bindings.get(name, ()):
                yield self.type_of_binding(binding)
        for target, value, annotation in self.self_attribute_assignments(class_def, name):
            assigned = self.type_of(value) if value is not None and not is_none(value) else None
            if assigned is not None:
                yield assigned
            elif annotation is not None and self.type_of_annotation(annotation) is not None:
                yield self.type_of_annotation(annotation)
            elif value is not None:
                yield NEUTRAL if is_none(value) else None

    def self_attribute_assignments(self, class_def: cst.ClassDef, name: str):
        """(target, value, annotation) of every `self.<name> = value` in the class
        (also `cls.<name>`, `self.__class__.<name>` and `type(self).<name>`)."""
        return self._attribute_assignments_of(class_def).get(name, ())

    def _attribute_assignments_of(self, class_def: cst.ClassDef) -> Dict[str, list]:
        """Every attribute assignment of a class, by name: one scan per class."""
        cache = self._class_attributes
        found = cache.get(id(class_def))
        if found is None:
            found = cache[id(class_def)] = {}
            for statement in statements_in(class_def.body):
                targets: Sequence = ()
                value = annotation = None
                if isinstance(statement, cst.Assign):
                    targets, value = [t.target for t in statement.targets], statement.value
                elif isinstance(statement, cst.AnnAssign):
                    targets, value = [statement.target], statement.value
                    annotation = statement.annotation.annotation
                for target in targets:
                    if (isinstance(target, cst.Attribute)
                            and self._class_of_self(instance_of_class_reference(target.value)) is class_def):
                        found.setdefault(target.attr.value, []).append((target, value, annotation))
        return found
