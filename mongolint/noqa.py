"""Suppression comments, read from the module's real comment tokens (a `# noqa`
inside a string is text, not a directive):

- `# noqa` on the reported line silences every code there, `# noqa: MGL101,
  MGL102` only those (spaces around the colon and between codes are allowed);
- `# mongolint: noqa` anywhere in the file silences the whole file,
  `# mongolint: noqa: MGL101` one code in the whole file.

A directive whose code list cannot be read (`# noqa:` then no code) silences
nothing and is reported as a warning, as ruff does.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, Iterator, List, Optional, Set, Tuple

_LINE_DIRECTIVE = re.compile(r"#\s*noqa(?![\w-])", re.IGNORECASE)
_FILE_DIRECTIVE = re.compile(r"#\s*mongolint\s*:\s*noqa(?![\w-])", re.IGNORECASE)
_COLON = re.compile(r"\s*:")
_CODE = re.compile(r"[ \t]*,?[ \t]*([A-Z]+[0-9]+)(?![\w-])", re.IGNORECASE)


@dataclass(frozen=True)
class Directive:
    """One `# noqa` (or `# mongolint: noqa`): where it is and what it silences."""

    line: int  # 1-based
    start: int  # 0-based columns of the directive's text within the line
    end: int
    codes: Optional[Tuple[str, ...]]  # None: every code
    code_spans: Tuple[Tuple[int, int], ...] = ()  # the columns of each code, in order
    comment: int = 0  # which comment of the module (0-based, in source order) holds it
    comment_column: int = 0  # where that comment starts on its line

    def silences(self, code: str) -> bool:
        return self.codes is None or code in self.codes


@dataclass
class Suppressions:
    lines: Dict[int, List[Directive]] = field(default_factory=dict)
    file: List[Directive] = field(default_factory=list)
    warnings: List[str] = field(default_factory=list)

    def silences(self, code: str, line: int) -> bool:
        return any(d.silences(code) for d in self.file) or any(d.silences(code) for d in self.lines.get(line, ()))

    def has_directives(self) -> bool:
        return bool(self.lines or self.file)

    def directives(self) -> Iterator[Directive]:
        for found in self.lines.values():
            yield from found
        yield from self.file


NONE = Suppressions()


@dataclass
class NoqaUsage:
    """What the directives silenced in one check: the facts MGL001 judges."""

    suppressions: Suppressions
    known_codes: FrozenSet[str]  # every code mongolint has
    checked_codes: FrozenSet[str]  # the codes of the rules that ran on the file
    silenced: Set[Tuple[int, str]] = field(default_factory=set)  # (line, code) a line directive silenced
    silenced_in_file: Set[str] = field(default_factory=set)  # codes a file-level directive silenced

    def silenced_by(self, directive: Directive, code: str) -> bool:
        if directive in self.suppressions.file:
            return code in self.silenced_in_file
        return (directive.line, code) in self.silenced

    def record(self, code: str, line: int) -> bool:
        """Is a finding of `code` on `line` silenced? Remember which directive did it."""
        if any(d.silences(code) for d in self.suppressions.lines.get(line, ())):
            self.silenced.add((line, code))
            return True
        if any(d.silences(code) for d in self.suppressions.file):
            self.silenced_in_file.add(code)
            return True
        return False


def suppressions(text: str) -> Suppressions:
    """Every directive in `text`'s comments."""
    if "noqa" not in text.lower():
        return NONE
    found = Suppressions()
    for index, (line, column, comment) in enumerate(_comments(text)):
        file_match = _FILE_DIRECTIVE.search(comment)
        if file_match is not None:
            directive = _directive(found, (index, line, column), comment, file_match.end(), file_match.start())
            if directive is not None:
                found.file.append(directive)
            continue
        for match in _LINE_DIRECTIVE.finditer(comment):
            directive = _directive(found, (index, line, column), comment, match.end(), match.start())
            if directive is not None:
                found.lines.setdefault(line, []).append(directive)
    return found


def _directive(found: Suppressions, where: Tuple[int, int, int], comment: str, after: int,
               start: int) -> Optional[Directive]:
    index, line, column = where
    colon = _COLON.match(comment, after)
    if colon is None:
        return Directive(line, column + start, column + after, None, (), index, column)
    codes, spans, position = [], [], colon.end()
    for match in iter(lambda: _CODE.match(comment, position), None):
        codes.append(match.group(1).upper())
        spans.append((column + match.start(1), column + match.end(1)))
        position = match.end()
    if not codes:
        found.warnings.append(f"line {line}: invalid `# noqa` directive: expected a comma-separated list of "
                              f"codes after `:` (e.g. `# noqa: MGL101`); it silences nothing")
        return None
    return Directive(line, column + start, column + position, tuple(codes), tuple(spans), index, column)


def _comments(text: str) -> List[Tuple[int, int, str]]:
    """(line, column, text) of each comment token. Code that does not tokenize
    (a syntax error) is read line by line: its only finding is MGL000."""
    try:
        return [(token.start[0], token.start[1], token.string)
                for token in tokenize.generate_tokens(io.StringIO(text).readline)
                if token.type == tokenize.COMMENT]
    except (tokenize.TokenError, SyntaxError):
        lines = enumerate(text.splitlines(), start=1)
        return [(number, line.find("#"), line[line.find("#"):]) for number, line in lines if "#" in line]
