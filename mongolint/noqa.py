"""`# noqa` and `# noqa: MGL101` on the reported line."""

from __future__ import annotations

import re
from typing import Dict, FrozenSet, Optional

_NOQA = re.compile(r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)
_CODE = re.compile(r"[A-Z]+[0-9]+", re.IGNORECASE)

ALL = frozenset({"*"})


def noqa_lines(text: str) -> Dict[int, FrozenSet[str]]:
    """1-based line -> the codes it silences (`ALL` for a bare `# noqa`)."""
    found: Dict[int, FrozenSet[str]] = {}
    if "noqa" not in text and "NOQA" not in text.upper():
        return found
    for number, line in enumerate(text.splitlines(), start=1):
        codes = _codes_on(line)
        if codes is not None:
            found[number] = codes
    return found


def _codes_on(line: str) -> Optional[FrozenSet[str]]:
    if "#" not in line:
        return None
    match = _NOQA.search(line)
    if match is None:
        return None
    if match.group("codes") is None:
        return ALL
    return frozenset(code.upper() for code in _CODE.findall(match.group("codes")))


def is_silenced(code: str, line: int, noqa: Dict[int, FrozenSet[str]]) -> bool:
    codes = noqa.get(line)
    return codes is not None and (codes is ALL or code in codes)


def may_silence(text: str) -> bool:
    """Could a comment of `text` silence a finding? (A quick look, for callers
    that can skip locating findings otherwise.)"""
    return _NOQA.search(text) is not None
