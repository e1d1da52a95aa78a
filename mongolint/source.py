"""Source text as Python reads it: PEP 263 cookie, BOM, and line endings kept."""

from __future__ import annotations

import codecs
import io
import re
import tokenize
from dataclasses import dataclass


class DecodeError(Exception):
    """The bytes are not text in the encoding the file declares."""


@dataclass(frozen=True)
class SourceText:
    text: str
    encoding: str  # as tokenize names it: "utf-8-sig" when there is a BOM

    def encode(self, text: str) -> bytes:
        return text.encode(self.encoding)


def decode(data: bytes) -> SourceText:
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise DecodeError("file is UTF-16 or UTF-32 (it starts with their byte-order mark); "
                          "Python reads source only in ASCII-compatible encodings")
    if b"\x00" in data:
        raise DecodeError("file contains NUL bytes (binary file?)")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        if data.startswith(codecs.BOM_UTF8):  # tokenize names utf-8 here, Python the cookie's encoding
            declared = _declared_encoding(data[len(codecs.BOM_UTF8):])
            if declared is not None:
                raise DecodeError(f"encoding problem: {declared} with BOM") from None
        raise DecodeError(str(error)) from None
    if not _ascii_compatible(encoding):  # `# coding: utf-16`: Python refuses it too
        raise DecodeError(f"encoding problem: {encoding} (Python reads source only in ASCII-compatible encodings)")
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        raise DecodeError(f"cannot decode as {encoding}: {error}") from None
    if encoding == "utf-8-sig" and text.startswith("\ufeff"):
        text = text[1:]
    return SourceText(text, encoding)


_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
_BLANK_OR_COMMENT = re.compile(rb"^[ \t\f]*(?:[#\r\n]|$)")


def _declared_encoding(data: bytes):
    """The PEP 263 cookie's encoding, named as Python names it in its messages."""
    lines = data.splitlines()[:2]
    for index, line in enumerate(lines):
        match = _COOKIE.match(line)
        if match:
            return _normal_name(match.group(1).decode("ascii", "replace"))
        if index == 0 and not _BLANK_OR_COMMENT.match(line):
            return None
    return None


def _normal_name(name: str) -> str:
    """As CPython's tokenizer normalizes a cookie (`get_normal_name`)."""
    lowered = name[:12].lower().replace("_", "-")
    if lowered == "utf-8" or lowered.startswith("utf-8-"):
        return "utf-8"
    for latin in ("latin-1", "iso-8859-1", "iso-latin-1"):
        if lowered == latin or lowered.startswith(latin + "-"):
            return "iso-8859-1"
    return name


def _ascii_compatible(encoding: str) -> bool:
    try:
        return b"# x\n".decode(encoding) == "# x\n"
    except (UnicodeDecodeError, LookupError):
        return False


_BRACKETS = re.compile(r"[][(){}]")
_DEEP_BRACKETS = 100
_LONG_LINE = 1000


def looks_deep(text: str) -> bool:
    """Brackets nested past 100, or a line past 1,000 characters: code that
    Python's own compiler is shown first (it may be too deep for it)."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(text):
        if bracket in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif depth:
            depth -= 1
    return deepest > _DEEP_BRACKETS or max(map(len, text.splitlines()), default=0) > _LONG_LINE
