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


def expected_findings(text: str) -> Set[Tuple[int, str]]:
    """Markers in comments only (a docstring may describe the syntax)."""
    expected = set()
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type != tokenize.COMMENT:
            continue
        match = _MARKER.match(token.string)
        if match:
            for code in match.group(1).split(","):
                expected.add((token.start[0], code.strip()))
    return expected


def rule_fixtures():
    return sorted(FIXTURES.glob("MGL[0-9][0-9][0-9].py"))


def seed_fixtures():
    return sorted((FIXTURES / "seeds").glob("*.py"))
