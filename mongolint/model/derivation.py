"""What a driver object's attributes and methods give, from the API tables:
asked by the module's expression types and by the project index alike."""

from __future__ import annotations

from typing import Optional

from mongolint.model import api
from mongolint.model.types import CLIENT, COLLECTION, COROUTINE, DATABASE, TRANSACTION, DriverType

SUBSCRIPT_DERIVATION = {CLIENT: DATABASE, DATABASE: COLLECTION, COLLECTION: COLLECTION}


def method_entry(receiver: DriverType, name: str):
    """(takes_session, is_coroutine, returns) of a driver method, or None."""
    return api.METHODS.get((receiver.flavour or "sync", receiver.kind), {}).get(name)


def is_method(base: DriverType, name: str) -> bool:
    return name in api.METHODS.get((base.flavour or "sync", base.kind), {})


def attribute_type(base: DriverType, name: str) -> Optional[DriverType]:
    """`client.app` is a database, `db.users` a collection; a method or a private
    name is not a driver object."""
    if base.kind == COROUTINE or name.startswith("_"):
        return None
    flavour = base.flavour or "sync"
    attributes = api.ATTRIBUTES.get((flavour, base.kind), {})
    if name in attributes:
        returns = attributes[name]
        return base.derive(returns) if returns else None
    if is_method(base, name):
        return None
    if base.kind in SUBSCRIPT_DERIVATION:
        return base.derive(SUBSCRIPT_DERIVATION[base.kind])
    return None


def subscript_type(base: DriverType) -> Optional[DriverType]:
    return base.derive(SUBSCRIPT_DERIVATION[base.kind]) if base.kind in SUBSCRIPT_DERIVATION else None


def method_result(receiver: DriverType, name: str) -> Optional[DriverType]:
    """What calling a driver method gives (a coroutine of it for an async method)."""
    if receiver.kind == COROUTINE:
        return None
    entry = method_entry(receiver, name)
    if entry is None:
        return None
    _, is_coroutine, returns = entry
    result = receiver.derive(returns) if returns else None
    if name == "start_transaction":
        result = receiver.derive(TRANSACTION)
    if is_coroutine:
        return DriverType(COROUTINE, receiver.flavour, result)
    return result
