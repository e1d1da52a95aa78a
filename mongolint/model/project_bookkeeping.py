"""The project index's bookkeeping: each answer computed once, evaluations that
would go round a cycle (or too deep) cut short, and for every answer the
modules it consulted, so that a cached result can be checked against them.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Dict, Iterable, Iterator, List, Set, Tuple

_MAX_DEPTH = 60


class Bookkeeping:
    def __init__(self) -> None:
        self._traces: List[Set[str]] = []
        self._memo: Dict[tuple, Tuple[object, frozenset]] = {}
        self._active: Set[tuple] = set()
        self._depth = 0
        self._cuts = 0  # how many times a cycle or the depth limit cut an evaluation short

    @contextmanager
    def recording(self) -> Iterator[Set[str]]:
        """`with bookkeeping.recording() as consulted:` the modules a check looked at."""
        consulted: Set[str] = set()
        self._traces.append(consulted)
        try:
            yield consulted
        finally:
            self._traces.remove(consulted)

    def record(self, modules: Iterable[str]) -> None:
        """Every answer under way consulted `modules`."""
        for trace in self._traces:
            trace.update(modules)

    def traced(self, compute) -> Tuple[object, frozenset]:
        """`compute()` and the modules it consulted (recorded for the answers
        under way as well)."""
        self._traces.append(set())
        try:
            value = compute()
        finally:
            consulted = frozenset(self._traces.pop())
        self.record(consulted)
        return value, consulted

    def memoized(self, key: tuple, compute):
        """`compute()` once per key; the modules it consulted are recorded again
        on every later use. A result that a cycle cut short depends on where the
        evaluation started: it is not kept."""
        if key in self._memo:
            value, consulted = self._memo[key]
            self.record(consulted)
            return value
        cuts = self._cuts
        value, consulted = self.traced(compute)
        if self._cuts == cuts:
            self._memo[key] = (value, consulted)
        return value

    def is_cycle(self, key: tuple) -> bool:
        """Is `key` already under way? If so, the evaluation asking is cut short."""
        if key in self._active:
            self._cuts += 1
            return True
        return False

    @contextmanager
    def under_way(self, key: tuple, deeper: bool = False) -> Iterator[None]:
        self._active.add(key)
        self._depth += deeper
        try:
            yield
        finally:
            self._depth -= deeper
            self._active.discard(key)

    def guarded(self, key: tuple, compute):
        """`compute()`, or None when it is already under way (a cycle) or too deep."""
        if self._depth > _MAX_DEPTH:
            self._cuts += 1
            return None
        if self.is_cycle(key):
            return None
        with self.under_way(key, deeper=True):
            return compute()
