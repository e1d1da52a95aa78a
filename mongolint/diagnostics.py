"""What a rule reports: a diagnostic on a node, optionally with a fix.

Rules produce `Diagnostic`s that point at LibCST nodes; the engine turns them
into `Finding`s (plain data in `findings`, with 1-based positions) once it
knows where the nodes are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, Iterable, Iterator, Mapping, Optional, Union

import libcst as cst

from mongolint.findings import Applicability, Edit, Finding, FixSummary  # noqa: F401 (re-exported)

Replacement = Union[cst.CSTNode, cst.RemovalSentinel, cst.FlattenSentinel]


class Deferred(Mapping):
    """Replacements whose targets are known at once and whose new nodes are
    built only when a fix is applied: checking a file never pays for them."""

    def __init__(self, targets: Iterable[cst.CSTNode], build: Callable[[], Mapping]) -> None:
        self._targets = list(targets)
        self._build = build
        self._built: Optional[Dict] = None

    def _replacements(self) -> Dict:
        if self._built is None:
            self._built = dict(self._build())
        return self._built

    def __getitem__(self, target: cst.CSTNode) -> "Replacement":
        return self._replacements()[target]

    def __iter__(self) -> Iterator[cst.CSTNode]:
        return iter(self._targets)

    def __len__(self) -> int:
        return len(self._targets)


@dataclass(frozen=True)
class Fix:
    """A LibCST transformation: each key node is replaced by its value.

    Keys are nodes of the module the diagnostic was computed on; a fix whose
    keys are not disjoint subtrees of other fixes' keys waits for the next pass.
    """

    description: str
    applicability: Applicability
    replacements: Mapping[cst.CSTNode, Replacement]
    # Lower goes first among overlapping fixes: a fix that changes what an
    # object is (sync -> async client) must precede fixes that wrap its uses.
    priority: int = 0


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    node: cst.CSTNode
    fix: Optional[Fix] = None
