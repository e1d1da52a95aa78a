"""The semantic model: which expressions of a module are driver objects.

Built from one walk of the module (see `walker`). Each question has its own
module: where a node is (`structure`), what an expression is
(`expression_types`), which client an object belongs to (`client_identity`),
what `self.x` holds (`class_attributes`), what is test code, patched or
expected to raise (`test_context`), what cannot run (`reachability`), what the
other modules of the project export (`project`, from the plain-data
`summaries`, whose values are `summary_expressions`).

`SemanticModel` (in `semantic`) is imported on first use: the project index
and the driver tables need no LibCST, and a run answered from the cache
never imports it.
"""

from __future__ import annotations

__all__ = ["Resolved", "SemanticModel"]


def __getattr__(name: str):
    if name in __all__:
        from mongolint.model import semantic

        return getattr(semantic, name)
    raise AttributeError(f"module 'mongolint.model' has no attribute {name!r}")
