"""What a rule reports: a diagnostic on a node, optionally with a fix.

Rules produce `Diagnostic`s that point at LibCST nodes; the engine turns them
into `Finding`s (plain, picklable data with 1-based positions) once it knows
where the nodes are.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Mapping, Optional, Tuple, Union

import libcst as cst

Replacement = Union[cst.CSTNode, cst.RemovalSentinel, cst.FlattenSentinel]


class Applicability(str, enum.Enum):
    SAFE = "safe"
    UNSAFE = "unsafe"


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


@dataclass(frozen=True)
class Edit:
    """Replace the text between two 1-based (line, column) positions."""

    start: Tuple[int, int]
    end: Tuple[int, int]
    content: str


@dataclass(frozen=True)
class FixSummary:
    description: str
    applicability: Applicability
    edits: Tuple[Edit, ...] = ()


@dataclass(frozen=True, order=True)
class Finding:
    """A diagnostic located in a file: what every output format consumes."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    code: str
    message: str = field(compare=False)
    name: str = field(compare=False, default="")
    fix: Optional[FixSummary] = field(compare=False, default=None)
