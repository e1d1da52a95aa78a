"""gitignore patterns, matched in polynomial time.

A regular-expression translation of `a*a*a*a*a*a*a*a*a*a*a*a*b` backtracks
exponentially on a long name; git's own wildmatch does not. Here a pattern is
split into path segments; `*`, `?` and `[...]` match within one segment and `**`
matches whole segments, each level with the greedy one-backtrack-point
algorithm of wildcard matching: a match costs at most (pattern length x text
length) steps at each level, whatever the pattern.

Semantics are git's (gitignore(5)): `#` comments, `!` negation (the last matching
pattern wins), a trailing `/` for directories only, a `/` at the start or in the
middle anchors the pattern to the directory of its file (otherwise it matches at
any depth), `**/`, `/**/` and a trailing `/**`, backslash escapes, and trailing
spaces dropped unless escaped. A path whose parent directory is excluded is
excluded, as git never looks inside such a directory.
"""

from __future__ import annotations

import functools
from typing import Iterable, List, Optional, Sequence, Tuple


class _Token:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


_STAR = _Token("*")  # within a segment: any characters
_ANY_CHAR = _Token("?")
_ANY_SEGMENTS = _Token("**")  # any number of whole segments (zero or more)
_ONE_SEGMENT = _Token("*/")  # exactly one segment, whatever it is


class _Class:
    """A bracket expression: `[a-z]`, `[!0-9]`, `[[:alpha:]]`."""

    __slots__ = ("negated", "members", "ranges", "classes")

    def __init__(self, negated: bool, members: str, ranges: Sequence[Tuple[str, str]], classes: Sequence[str]):
        self.negated, self.members, self.ranges, self.classes = negated, members, tuple(ranges), tuple(classes)

    def matches(self, char: str) -> bool:
        found = (char in self.members or any(low <= char <= high for low, high in self.ranges)
                 or any(_POSIX_CLASSES[name](char) for name in self.classes))
        return found != self.negated


_POSIX_CLASSES = {
    "alnum": str.isalnum, "alpha": str.isalpha, "blank": lambda c: c in " \t", "cntrl": lambda c: ord(c) < 32,
    "digit": str.isdigit, "graph": lambda c: c.isprintable() and c != " ", "lower": str.islower,
    "print": str.isprintable, "punct": lambda c: c.isprintable() and not c.isalnum() and c != " ",
    "space": str.isspace, "upper": str.isupper, "xdigit": lambda c: c in "0123456789abcdefABCDEF",
}


class Pattern:
    __slots__ = ("text", "negated", "directory_only", "segments")

    def __init__(self, text: str, negated: bool, directory_only: bool, segments: List) -> None:
        self.text, self.negated, self.directory_only, self.segments = text, negated, directory_only, segments

    def matches(self, parts: Sequence[str], is_dir: bool) -> bool:
        if self.directory_only and not is_dir:
            return False
        return _wildcard(self.segments, parts, _segment_matches, _ANY_SEGMENTS)


def compile_pattern(line: str) -> Optional[Pattern]:
    """One line of a .gitignore; None for a blank line or a comment."""
    text = _strip_trailing_spaces(line.rstrip("\r\n"))
    if not text or text.startswith("#"):
        return None
    negated = text.startswith("!")
    if negated:
        text = text[1:]
    directory_only = text.endswith("/")
    body = text[:-1] if directory_only else text  # only one: `a//` keeps an empty segment, matching nothing
    anchored = "/" in body
    pieces = body.split("/")
    if anchored and pieces[0] == "":  # a leading `/` only anchors
        pieces = pieces[1:]
    if not body or not pieces:
        return None
    segments: List = [] if anchored else [_ANY_SEGMENTS]
    for index, piece in enumerate(pieces):
        if piece == "**":
            last = index == len(pieces) - 1
            segments.extend([_ONE_SEGMENT, _ANY_SEGMENTS] if last and index > 0 else [_ANY_SEGMENTS])
        else:
            segments.append(_segment_tokens(piece))
    return Pattern(line, negated, directory_only, segments)


def _strip_trailing_spaces(text: str) -> str:
    end = len(text)
    while end > 0 and text[end - 1] == " " and not (end > 1 and text[end - 2] == "\\"):
        end -= 1
    return text[:end]


def _segment_tokens(piece: str) -> tuple:
    """Literal characters, `?`, `*`, and bracket expressions."""
    tokens: list = []
    index = 0
    while index < len(piece):
        char = piece[index]
        if char == "\\" and index + 1 < len(piece):
            tokens.append(piece[index + 1])
            index += 2
        elif char == "*":
            if not tokens or tokens[-1] is not _STAR:  # `**` inside a segment is `*`
                tokens.append(_STAR)
            index += 1
        elif char == "?":
            tokens.append(_ANY_CHAR)
            index += 1
        elif char == "[":
            bracket, index = _bracket(piece, index)
            tokens.append(bracket)
        else:
            tokens.append(char)
            index += 1
    return tuple(tokens)


def _bracket(piece: str, start: int):
    """(`_Class`, index after it), or ("[", start + 1) when it is not closed."""
    index = start + 1
    negated = index < len(piece) and piece[index] in "!^"
    if negated:
        index += 1
    members, ranges, classes = [], [], []
    first = True
    while index < len(piece):
        char = piece[index]
        if char == "]" and not first:
            return _Class(negated, "".join(members), ranges, classes), index + 1
        first = False
        if char == "[" and piece.startswith("[:", index):
            end = piece.find(":]", index + 2)
            if end != -1 and piece[index + 2:end] in _POSIX_CLASSES:
                classes.append(piece[index + 2:end])
                index = end + 2
                continue
        if char == "\\" and index + 1 < len(piece):
            index += 1
            char = piece[index]
        if index + 2 < len(piece) and piece[index + 1] == "-" and piece[index + 2] != "]":
            high = piece[index + 2]
            if high == "\\" and index + 3 < len(piece):
                high = piece[index + 3]
                index += 1
            ranges.append((char, high))
            index += 3
            continue
        members.append(char)
        index += 1
    return "[", start + 1


def _char_matches(token, char: str) -> bool:
    if token is _ANY_CHAR:
        return True
    if isinstance(token, str):
        return token == char
    return token.matches(char)


def _segment_matches(token, segment: str) -> bool:
    if token is _ONE_SEGMENT:
        return True
    return _wildcard(token, segment, _char_matches, _STAR)


def _wildcard(tokens: Sequence, items: Sequence, matches, star) -> bool:
    """Does the token sequence match the item sequence? `star` matches any run of
    items. Greedy, returning only to the last star: with stars that match any
    run, an earlier star never needs to give back what it took."""
    token = item = 0
    star_token, star_item = -1, 0
    while item < len(items):
        if token < len(tokens) and tokens[token] is star:
            star_token, star_item = token, item
            token += 1
        elif token < len(tokens) and matches(tokens[token], items[item]):
            token += 1
            item += 1
        elif star_token >= 0:
            star_item += 1
            token, item = star_token + 1, star_item
        else:
            return False
    while token < len(tokens) and tokens[token] is star:
        token += 1
    return token == len(tokens)


class Spec:
    """The patterns of one .gitignore (or of `exclude`), in order."""

    def __init__(self, lines: Iterable[str]) -> None:
        self.patterns = [p for p in (compile_pattern(line) for line in lines) if p is not None]

    def decide(self, parts: Sequence[str], is_dir: bool) -> Optional[bool]:
        """True: excluded, False: re-included by a `!` pattern, None: no pattern matches."""
        for pattern in reversed(self.patterns):
            if pattern.matches(parts, is_dir):
                return not pattern.negated
        return None

    def excludes(self, parts: Sequence[str], is_dir: bool) -> bool:
        """Only the entry itself: its parents are known not to be excluded."""
        return self.decide(parts, is_dir) is True

    def match_file(self, path: str, is_dir: bool = False) -> bool:
        """The entry, or one of its parent directories, is excluded."""
        parts = split(path)
        for end in range(1, len(parts)):
            if self.decide(parts[:end], True) is True:
                return True
        return bool(parts) and self.decide(parts, is_dir) is True


def split(path: str) -> List[str]:
    """A `/`-separated relative path as segments, without `.` and empty ones."""
    return [part for part in path.split("/") if part not in ("", ".")]


@functools.lru_cache(maxsize=1024)
def spec_of(patterns: Tuple[str, ...]) -> Spec:
    return Spec(patterns)
