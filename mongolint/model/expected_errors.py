"""Code written to raise: the body of `with pytest.raises(...)` or
`with self.assertRaises(...)` (`assertRaisesRegex`...). A test there checks that
the driver refuses a misuse; reporting the misuse would be a false alarm.
Those blocks, and `with contextlib.suppress(...)`, swallow an exception: the
code after them also runs when their body stopped half-way."""

from __future__ import annotations

import libcst as cst

_EXPECTING_METHODS = frozenset({"raises", "assertRaises", "assertRaisesRegex", "assertRaisesRegexp"})
_EXPECTING_FUNCTIONS = frozenset({"pytest.raises"})
_SUPPRESSING_FUNCTIONS = frozenset({"contextlib.suppress"})


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


def swallows_errors(model, statement: cst.With) -> bool:
    """May the body of this `with` stop half-way and the code after it still run?"""
    return any(_expects(model, item.item) or isinstance(item.item, cst.Call)
               and model.qualified_name(item.item.func) in _SUPPRESSING_FUNCTIONS for item in statement.items)


def _expects(model, expr: cst.BaseExpression) -> bool:
    if not isinstance(expr, cst.Call):
        return False
    if isinstance(expr.func, cst.Attribute):
        return expr.func.attr.value in _EXPECTING_METHODS
    return model.qualified_name(expr.func) in _EXPECTING_FUNCTIONS
