"""What the project index deals in: a module of the project (`ModuleInfo`) and
what one of its names stands for (`Entity`), as plain values."""

from __future__ import annotations

from typing import Callable, NamedTuple, Optional, Union

from mongolint.model.types import CLIENT, COROUTINE, DriverType


class ModuleInfo:
    """A module of the project. Its summary may be handed as a function that
    computes it (None when the module cannot be summarised): a module that is
    only imported, whose names are never asked for, is never parsed."""

    __slots__ = ("_summary", "is_package", "path", "fingerprint")

    def __init__(self, summary: Union[dict, Callable[[], Optional[dict]]], is_package: bool, path: str,
                 fingerprint: str) -> None:
        self._summary = summary
        self.is_package = is_package
        self.path = path  # as the user would read it, for messages
        self.fingerprint = fingerprint  # changes when the summary does

    @property
    def summary(self) -> dict:
        if callable(self._summary):
            self._summary = self._summary() or empty_summary()
        return self._summary


def empty_summary() -> dict:
    return {"imports": {}, "stars": [], "names": {}, "functions": {}, "classes": {}}


class Entity(NamedTuple):
    """What a name of the project stands for.

    kind: "value" (a driver object: `driver_type`, `fresh` when each evaluation
    builds a new client its caller owns), "module", "function" (`owner` is its
    class for a method), "class", "instance", "driver" (a name inside the
    driver's packages, `name` its qualified name), "none"."""

    kind: str
    module: str = ""
    name: str = ""
    owner: str = ""
    driver_type: Optional[DriverType] = None
    fresh: bool = False
    origin: str = ""  # the path of the module that built a value


def is_fresh_client(entity: Optional[Entity]) -> bool:
    """A new client the caller owns (not a shared one, not one a cache keeps)."""
    if entity is None or entity.kind != "value" or not entity.fresh or entity.driver_type is None:
        return False
    made = entity.driver_type.returns if entity.driver_type.kind == COROUTINE else entity.driver_type
    return made is not None and made.kind == CLIENT
