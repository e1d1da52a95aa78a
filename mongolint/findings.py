"""The results of a run as plain data: what output formats, the cache and the
flake8 adapter consume. Nothing here needs LibCST, so a run answered from the
cache never imports it."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple


class Applicability(str, enum.Enum):
    SAFE = "safe"
    UNSAFE = "unsafe"
    DISPLAY_ONLY = "display-only"  # a suggestion: shown (--show-fixes, JSON), never applied


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


# How a report's `error` begins when mongolint chose not to check a readable file
# (a limit of its own, not a problem with the user's input).
NOT_CHECKED = "not checked: "
# ... and when a checked file's fixes could not be written (its findings remain).
NOT_FIXED = "not fixed: "


@dataclass
class FileReport:
    path: str
    findings: List[Finding] = field(default_factory=list)
    error: Optional[str] = None  # could not read or decode: one line for the user
    internal_errors: List[str] = field(default_factory=list)  # a rule or fix crashed
    parsed: bool = False
    fixed: List[Tuple[str, str]] = field(default_factory=list)  # (code, fix description) applied
    diff: Optional[str] = None  # with --diff: what --fix would change
    source_digest: Optional[str] = None  # of the bytes this report is about (the cache's key)
    warnings: List[str] = field(default_factory=list)  # e.g. a `# noqa` that cannot be read
    notes: List[str] = field(default_factory=list)  # with --fix: fixes not applied, limits reached
    # Modules of the project the check resolved names through, with their
    # fingerprints (None: looked for, not found): the cache's validity.
    dependencies: Dict[str, Optional[str]] = field(default_factory=dict)
    # Summaries of modules first read for this check (by content digest), for
    # the summaries cache of the process that saves it.
    summaries: Dict[str, dict] = field(default_factory=dict)

    @property
    def unreadable(self) -> bool:
        """The path could not be found, read or decoded: the run did not check
        what it was asked to, so it must not exit 0."""
        return self.error is not None and not self.error.startswith((NOT_CHECKED, NOT_FIXED))
