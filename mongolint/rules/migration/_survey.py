"""One walk over a Motor module for what the semantic model does not index:
attributes, string annotations, `__all__`, attribute assignments."""

from __future__ import annotations

import re
from typing import Dict, List, Set

import libcst as cst

from mongolint.model.walker import children
from mongolint.rules.migration import motor_names as N


class Survey:
    def __init__(self) -> None:
        # Strings that may spell a type: in annotations, or anywhere but `__all__`
        # (`Optional["AsyncIOMotorDatabase"]` in an alias, `cast("...", x)`).
        self.annotation_strings: List[cst.SimpleString] = []
        self.exported: Set[str] = set()
        self.motor_only_attributes: List[cst.Attribute] = []
        # "app.state.client" -> the values assigned to it (not `self.x`: the model follows those)
        self.attribute_assignments: Dict[str, List[cst.BaseExpression]] = {}
        self.motor_star_imports: List[cst.ImportFrom] = []  # the model binds no name for them
        self._exports: Set[int] = set()

    @classmethod
    def of(cls, module: cst.Module) -> "Survey":
        """One walk over the fields that hold expressions (the model's, not LibCST's
        visitor, which visits every token and costs more than the parse)."""
        survey = cls()
        stack = [(module, False)]
        while stack:
            node, in_annotation = stack.pop()
            kind = type(node)
            if kind is cst.SimpleString:
                survey._string(node, in_annotation)
            elif kind is cst.Attribute and node.attr.value in N.MOTOR_ONLY_ATTRIBUTES:
                survey.motor_only_attributes.append(node)
            elif kind is cst.Assign:
                for target in node.targets:
                    survey._assigned(target.target, node.value)
            elif kind is cst.AnnAssign and node.value is not None:
                survey._assigned(node.target, node.value)
            elif kind is cst.ImportFrom and isinstance(node.names, cst.ImportStar) and node.module is not None \
                    and not node.relative and N.is_motor(dotted(node.module)):
                survey.motor_star_imports.append(node)
            inside = in_annotation or kind is cst.Annotation
            stack.extend((child, inside) for child in reversed(list(children(node))))
        return survey

    def _string(self, node: cst.SimpleString, in_annotation: bool) -> None:
        if id(node) not in self._exports and (in_annotation or _spells_a_type(node)):
            self.annotation_strings.append(node)

    def _assigned(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name) and target.value == "__all__" and isinstance(value, (cst.List, cst.Tuple)):
            strings = [e.value for e in value.elements if isinstance(e.value, cst.SimpleString)]
            self.exported.update(string.evaluated_value for string in strings)
            self._exports.update(id(string) for string in strings)
            return
        key = dotted(target)
        if key is not None and "." in key and not key.startswith(("self.", "cls.")):
            self.attribute_assignments.setdefault(key, []).append(value)


_TYPE_EXPRESSION = re.compile(r"[A-Za-z_][\w.]*(\[[\w.\[\], |\"']*\])?( *\| *[A-Za-z_][\w.]*)*")


def _spells_a_type(node: cst.SimpleString) -> bool:
    try:
        value = node.evaluated_value
    except Exception:
        return False
    return isinstance(value, str) and "Motor" in value and _TYPE_EXPRESSION.fullmatch(value) is not None


def dotted(expr: cst.BaseExpression):
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        base = dotted(expr.value)
        return f"{base}.{expr.attr.value}" if base else None
    return None
