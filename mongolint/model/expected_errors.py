"""`with` blocks that swallow an exception: `contextlib.suppress(...)` and the
test helpers that expect one (`pytest.raises`, `assertRaises`). The code after
them also runs when their body stopped half-way."""

from __future__ import annotations

import libcst as cst

from mongolint.model.test_context import expects_exception

_SUPPRESSING_FUNCTIONS = frozenset({"contextlib.suppress"})


def swallows_errors(model, statement: cst.With) -> bool:
    """May the body of this `with` stop half-way and the code after it still run?"""
    return any(expects_exception(item.item) or isinstance(item.item, cst.Call)
               and model.qualified_name(item.item.func) in _SUPPRESSING_FUNCTIONS for item in statement.items)
