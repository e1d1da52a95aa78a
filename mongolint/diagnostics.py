"""What a rule reports: a diagnostic on a node, optionally with a fix.

Rules produce `Diagnostic`s that point at LibCST nodes; the engine turns them
into `Finding`s (plain data in `findings`, with 1-based positions) once it
knows where the nodes are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional, Union

import libcst as cst

from mongolint.findings import Applicability, Edit, Finding, FixSummary  # noqa: F401 (re-exported)

Replacement = Union[cst.CSTNode, cst.RemovalSentinel, cst.FlattenSentinel]


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
