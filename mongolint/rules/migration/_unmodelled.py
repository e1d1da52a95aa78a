"""Motor objects the semantic model has no kind for: GridFS buckets and files,
client-side encryption. Where their coroutines differ from PyMongo Async's.

Read from Motor 3.7.1's class descriptors (`AsyncCommand`/`AsyncRead` return a
future, `DelegateMethod` calls through) and PyMongo 4.20's `gridfs.asynchronous`
and `pymongo.asynchronous.encryption` (`inspect.iscoroutinefunction`).
"""

from __future__ import annotations

from typing import Dict, FrozenSet, Optional, Tuple

import libcst as cst

from mongolint.model import SemanticModel
from mongolint.model import scopes as S
from mongolint.rules.migration import motor_names as N

# Plain methods in Motor, coroutines in PyMongo Async.
NOW_COROUTINES: Dict[str, FrozenSet[str]] = {
    "GridOut": frozenset({"seek", "close"}),
}
# Coroutines in Motor, plain methods in PyMongo Async.
NO_LONGER_COROUTINES: Dict[str, FrozenSet[str]] = {
    "ClientEncryption": frozenset({"get_keys"}),
}
_RETURNS: Dict[Tuple[str, str], str] = {
    ("GridFSBucket", "open_download_stream"): "GridOut",
    ("GridFSBucket", "open_download_stream_by_name"): "GridOut",
    ("GridFSBucket", "open_upload_stream"): "GridIn",
    ("GridFSBucket", "open_upload_stream_with_id"): "GridIn",
}
_CLASSES = ("GridFSBucket", "GridOut", "GridIn", "ClientEncryption")


def motor_class(model: SemanticModel, expr: cst.BaseExpression, depth: int = 0) -> Optional[str]:
    """"GridOut", "GridFSBucket", ... when `expr` is such a Motor object."""
    if depth > 8:
        return None
    if isinstance(expr, cst.Await):
        return motor_class(model, expr.expression, depth + 1)
    if isinstance(expr, cst.Call):
        own = _class_name(model.qualified_name(expr.func))
        if own is not None or not isinstance(expr.func, cst.Attribute):
            return own
        owner = motor_class(model, expr.func.value, depth + 1)
        return _RETURNS.get((owner, expr.func.attr.value)) if owner else None
    if isinstance(expr, cst.Name):
        bindings = model.bindings_of(expr)
        if len(bindings) != 1:
            return None
        binding = bindings[0]
        if binding.annotation is not None:
            found = _class_name(model.qualified_name(binding.annotation))
            if found is not None:
                return found
        if binding.kind in (S.ASSIGN, S.WITH) and binding.value is not None:
            return motor_class(model, binding.value, depth + 1)
    return None


def _class_name(qualified: Optional[str]) -> Optional[str]:
    if not N.is_motor(qualified):
        return None
    name = qualified.rsplit(".", 1)[-1]
    for prefix in ("AsyncIOMotor", "Agnostic"):
        if name.startswith(prefix) and name[len(prefix):] in _CLASSES:
            return name[len(prefix):]
    return None
