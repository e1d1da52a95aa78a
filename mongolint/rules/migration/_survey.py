"""One walk over a Motor module for what the semantic model does not index:
attributes, string annotations, `__all__`, attribute assignments."""

from __future__ import annotations

from typing import Dict, List, Set

import libcst as cst

from mongolint.rules.migration import motor_names as N


class Survey(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.annotation_strings: List[cst.SimpleString] = []
        self.exported: Set[str] = set()
        self.motor_only_attributes: List[cst.Attribute] = []
        # "app.state.client" -> the values assigned to it (not `self.x`: the model follows those)
        self.attribute_assignments: Dict[str, List[cst.BaseExpression]] = {}
        self._annotations = 0

    @classmethod
    def of(cls, module: cst.Module) -> "Survey":
        survey = cls()
        module.visit(survey)
        return survey

    def visit_Annotation(self, node: cst.Annotation) -> None:
        self._annotations += 1

    def leave_Annotation(self, node: cst.Annotation) -> None:
        self._annotations -= 1

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if self._annotations:
            self.annotation_strings.append(node)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if node.attr.value in N.MOTOR_ONLY_ATTRIBUTES:
            self.motor_only_attributes.append(node)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._assigned(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._assigned(node.target, node.value)

    def _assigned(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name) and target.value == "__all__" and isinstance(value, (cst.List, cst.Tuple)):
            self.exported.update(e.value.evaluated_value for e in value.elements
                                 if isinstance(e.value, cst.SimpleString))
            return
        key = dotted(target)
        if key is not None and "." in key and not key.startswith(("self.", "cls.")):
            self.attribute_assignments.setdefault(key, []).append(value)


def dotted(expr: cst.BaseExpression):
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        base = dotted(expr.value)
        return f"{base}.{expr.attr.value}" if base else None
    return None
