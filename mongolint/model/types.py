"""The vocabulary of the semantic model: what kind of driver object a value is."""

from __future__ import annotations

from typing import NamedTuple, Optional, Union

SYNC = "sync"
ASYNC = "async"
MOTOR = "motor"
FLAVOURS = (SYNC, ASYNC, MOTOR)

CLIENT = "client"
DATABASE = "database"
COLLECTION = "collection"
SESSION = "session"
CURSOR = "cursor"
COMMAND_CURSOR = "command_cursor"
CHANGE_STREAM = "change_stream"
# The object `start_transaction()` returns (a context manager in every flavour).
TRANSACTION = "transaction"
# A not-yet-awaited coroutine of an async driver method; `returns` is its result.
COROUTINE = "coroutine"

CURSOR_KINDS = frozenset({CURSOR, COMMAND_CURSOR, CHANGE_STREAM})


class DriverType(NamedTuple):
    kind: str
    flavour: Optional[str]  # None when the driver is known but not which flavour
    returns: Optional["DriverType"] = None  # for COROUTINE: the awaited result

    @property
    def is_async(self) -> bool:
        return self.flavour in (ASYNC, MOTOR)

    def derive(self, kind: str) -> "DriverType":
        return DriverType(kind, self.flavour)


class Foreign(NamedTuple):
    """A value known to be something other than a driver object."""

    origin: str
    entity: object = None  # for origin "project": the `project.Entity` (a module, class, instance...)


FOREIGN = Foreign("unknown")


# What the model says an expression is: a driver object, something it knows
# is not one (`self`, a class of the module), or nothing known.
Resolved = Union[DriverType, Foreign, None]
