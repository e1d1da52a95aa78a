"""The query options of a connection string written in the code.

A URI is read when its text is known where it matters: a string literal, the
literal parts of an f-string, `%`-formatting of a literal, `+` of literals, or a
name bound once to one of those. Whatever is not literal (a formatted value, a
variable) becomes a hole: an option whose name touches a hole is not read, and an
option whose value touches one has an unknown value. Options are split as
PyMongo's `split_options` does (`&` or `;`) and names are `unquote_plus`-decoded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, List, Optional, Tuple
from urllib.parse import unquote_plus

import libcst as cst

from mongolint.model import SemanticModel
from mongolint.model import scopes as S

_HOLE = "\x00"
_SCHEMES = ("mongodb://", "mongodb+srv://")
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[a-zA-Z%]")

# Where a character of the URI text comes from: (node, index in the node's raw text).
Origin = Optional[Tuple[cst.CSTNode, int]]


@dataclass(frozen=True)
class UriOption:
    name: str  # as written (decoded)
    value: Optional[str]  # None when not literal
    node: cst.CSTNode  # the string (part) the name is written in
    start: int  # the name's span in that node's raw text (for renaming)
    end: int


class _Text:
    """A URI's characters with the origin of each: literal text or a hole."""

    def __init__(self) -> None:
        self.chars: List[str] = []
        self.origins: List[Origin] = []

    def literal(self, raw: str, node: cst.CSTNode, offset: int) -> None:
        if "\\" in raw:
            self.hole()  # an escape sequence: the raw text is not the value
            return
        for index, char in enumerate(raw):
            self.chars.append(char)
            self.origins.append((node, offset + index))

    def hole(self) -> None:
        self.chars.append(_HOLE)
        self.origins.append(None)

    @property
    def text(self) -> str:
        return "".join(self.chars)


def uri_options(model: SemanticModel, expr: cst.BaseExpression) -> Iterator[UriOption]:
    """The options of the connection string(s) `expr` evaluates to, when readable."""
    if isinstance(expr, (cst.List, cst.Tuple)):
        for element in expr.elements:
            yield from uri_options(model, element.value)
        return
    text = _Text()
    if not _read(model, expr, text, depth=0):
        return
    yield from _parse(text)


def _read(model: SemanticModel, expr: cst.BaseExpression, text: _Text, depth: int) -> bool:
    """Append `expr`'s text; False when `expr` is no string at all (or not known to be)."""
    if depth > 8:
        return False
    if isinstance(expr, cst.SimpleString):
        prefix = expr.prefix.lower()
        if "b" in prefix:
            return False
        quote = expr.quote
        start = len(expr.prefix) + len(quote)
        raw = expr.value[start:len(expr.value) - len(quote)]
        if "r" in prefix:
            raw = raw.replace("\\", _HOLE)  # a raw backslash is itself: keep the rest readable
            for index, char in enumerate(raw):
                text.chars.append(char)
                text.origins.append(None if char == _HOLE else (expr, start + index))
        else:
            text.literal(raw, expr, start)
        return True
    if isinstance(expr, cst.ConcatenatedString):
        return _read(model, expr.left, text, depth + 1) and _read(model, expr.right, text, depth + 1)
    if isinstance(expr, cst.FormattedString):
        if "b" in expr.prefix.lower():
            return False
        for part in expr.parts:
            if isinstance(part, cst.FormattedStringText) and "{{" not in part.value and "}}" not in part.value:
                text.literal(part.value, part, 0)
            else:
                text.hole()
        return True
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
        left_known = _read(model, expr.left, text, depth + 1)
        if not left_known:
            text.hole()
        right = _Text()
        if _read(model, expr.right, right, depth + 1):
            text.chars += right.chars
            text.origins += right.origins
        else:
            if not left_known:
                return False  # neither side is a string we can see
            text.hole()
        return True
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Modulo):
        template = _Text()
        if not isinstance(expr.left, cst.SimpleString) or not _read(model, expr.left, template, depth + 1):
            return False
        _substitute_percent(template, text)
        return True
    if isinstance(expr, cst.Name):
        bindings = model.bindings_of(expr)
        if len(bindings) == 1 and bindings[0].kind == S.ASSIGN and bindings[0].value is not None:
            return _read(model, bindings[0].value, text, depth + 1)
    return False


def _substitute_percent(template: _Text, text: _Text) -> None:
    """`"...%s..." % args`: every conversion specifier is a hole (`%%` is a `%`)."""
    raw = template.text
    position = 0
    for match in _PERCENT_SPEC.finditer(raw):
        text.chars += template.chars[position:match.start()]
        text.origins += template.origins[position:match.start()]
        if match.group() == "%%":
            text.chars.append("%")
            text.origins.append(template.origins[match.start()])
        else:
            text.hole()
        position = match.end()
    text.chars += template.chars[position:]
    text.origins += template.origins[position:]


def _parse(text: _Text) -> Iterator[UriOption]:
    raw = text.text
    scheme = next((s for s in _SCHEMES if raw.startswith(s)), None)
    if scheme is None:
        return
    question = raw.find("?", len(scheme))
    if question < 0:
        return
    query_start = question + 1
    query = raw[query_start:]
    if "&" in query and ";" in query:
        return  # PyMongo refuses to mix the delimiters (InvalidURI): which is meant is not known
    delimiter = ";" if ";" in query else "&"
    position = query_start
    for piece in query.split(delimiter):
        option = _option(text, piece, position)
        if option is not None:
            yield option
        position += len(piece) + 1


def _option(text: _Text, piece: str, start: int) -> Optional[UriOption]:
    name, equals, value = piece.partition("=")
    if not equals or not name or _HOLE in name:
        return None
    origins = text.origins[start:start + len(name)]
    first = origins[0]
    if first is None or any(o is None or o[0] is not first[0] for o in origins):
        return None  # the name spans two parts of the expression
    if origins[-1][1] - first[1] != len(name) - 1:
        return None
    decoded_value = None if _HOLE in value else unquote_plus(value)
    return UriOption(unquote_plus(name), decoded_value, first[0], first[1], first[1] + len(name))
