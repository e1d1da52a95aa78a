"""Code written to raise: the body of `with pytest.raises(...)` or
`with self.assertRaises(...)` (`assertRaisesRegex`...). A test there checks that
the driver refuses a misuse; reporting the misuse would be a false alarm."""

from __future__ import annotations

import libcst as cst

_EXPECTING_METHODS = frozenset({"raises", "assertRaises", "assertRaisesRegex", "assertRaisesRegexp"})
_EXPECTING_FUNCTIONS = frozenset({"pytest.raises"})


def expects_error(model, node: cst.CSTNode) -> bool:
    """Is `node` inside the body of a `with` that expects an exception (in its own function)?"""
    child = node
    for ancestor in model.ancestors(node):
        if isinstance(ancestor, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
            return False
        if isinstance(ancestor, cst.With) and child is ancestor.body \
                and any(_expects(model, item.item) for item in ancestor.items):
            return True
        child = ancestor
    return False


def _expects(model, expr: cst.BaseExpression) -> bool:
    if not isinstance(expr, cst.Call):
        return False
    if isinstance(expr.func, cst.Attribute):
        return expr.func.attr.value in _EXPECTING_METHODS
    return model.qualified_name(expr.func) in _EXPECTING_FUNCTIONS
