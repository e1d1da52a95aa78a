"""Expected findings written inline in fixtures: `# error: MGL101[, MGL102]`."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path
from typing import Set, Tuple

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
_MARKER = re.compile(r"#\s*error:\s*(MGL\d{3}(?:\s*,\s*MGL\d{3})*)")
# A fixture that needs more rules than its own (MGL001 judges the others' noqa)
# says so in its docstring: `fixture-select: MGL001, MGL303`.
_SELECT = re.compile(r"^fixture-select:\s*(MGL\d{3}(?:\s*,\s*MGL\d{3})*)\s*$", re.MULTILINE)


def expected_findings(text: str) -> Set[Tuple[int, str]]:
    """Markers in comments only (a docstring may describe the syntax)."""
    expected = set()
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type != tokenize.COMMENT:
            continue
        # After a `# noqa` in the same comment too (MGL001's fixture).
        match = _MARKER.match(token.string) or _MARKER.search(token.string.split("# noqa", 1)[-1])
        if match:
            for code in match.group(1).split(","):
                expected.add((token.start[0], code.strip()))
    return expected


def rule_fixtures():
    return sorted(FIXTURES.glob("MGL[0-9][0-9][0-9].py"))


def seed_fixtures():
    return sorted((FIXTURES / "seeds").glob("*.py"))


def fixture_selection(path: Path) -> Tuple[str, ...]:
    """The codes a rule fixture is checked with: its own, or its `fixture-select:`."""
    found = _SELECT.search(path.read_text(encoding="utf-8"))
    return tuple(code.strip() for code in found.group(1).split(",")) if found else (path.stem,)
