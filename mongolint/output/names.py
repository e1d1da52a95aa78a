"""File names as they may be printed: a name can hold a newline (which would
split a report line), a terminal escape sequence (which would be run by the
terminal) or bytes that are not UTF-8 (which no UTF-8 output can carry).

Those are written as escapes: `\\n`, `\\r`, `\\t`, `\\xNN` for other control
characters and for each byte that is not UTF-8, `\\uNNNN` for the characters
that reorder text (bidirectional controls). Every other character is kept.
"""

from __future__ import annotations

import unicodedata

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_BIDI_CONTROLS = frozenset(range(0x202A, 0x202F)) | frozenset(range(0x2066, 0x206A)) | {0x200E, 0x200F, 0x061C}


def display_path(path: str) -> str:
    if path.isprintable():
        return path
    return "".join(_escaped(char) for char in path)


def _escaped(char: str) -> str:
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (os.fsdecode's surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if code in _BIDI_CONTROLS or unicodedata.category(char) == "Cs":
        return f"\\u{code:04x}"
    if unicodedata.category(char) == "Cc":
        return f"\\x{code:02x}"
    return char


def without_undecodable_bytes(path: str) -> str:
    """For formats with their own escaping of control characters (JSON): only
    the bytes that are not UTF-8 need escapes."""
    if not any(0xD800 <= ord(char) <= 0xDFFF for char in path):
        return path
    return "".join(_escaped(char) if 0xD800 <= ord(char) <= 0xDFFF else char for char in path)


def ascii_only(stream) -> bool:
    """Whether a JSON document written to `stream` must escape non-ASCII text."""
    import codecs

    try:
        return codecs.lookup(getattr(stream, "encoding", None) or "ascii").name != "utf-8"
    except LookupError:
        return True


def in_cell(finding) -> str:
    """`cell 3: ` before a notebook finding's message, for the formats that
    have a line and a column but no place for a notebook's cell."""
    return "" if finding.cell is None else f"cell {finding.cell}: "
