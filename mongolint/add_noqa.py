"""`--add-noqa`: a `# noqa: CODE` on every reported line, so that a codebase can
adopt mongolint today and fix its findings later."""

from __future__ import annotations

import io
import tokenize
from typing import Dict, List, Optional, Set, Tuple

from mongolint import noqa


def with_directives(text: str, codes_by_line: Dict[int, Set[str]]) -> Tuple[str, int, List[int]]:
    """(the new text, how many lines got a directive, the lines that cannot
    take a comment: inside a multi-line string, or continued with `\\`)."""
    lines = text.splitlines(keepends=True)
    comments, no_comment = _comment_positions(text)
    suppressions = noqa.suppressions(text)
    added, refused = 0, []
    for number, codes in sorted(codes_by_line.items()):
        if not 0 < number <= len(lines) or number in no_comment:
            refused.append(number)
            continue
        directives = suppressions.lines.get(number, [])
        if any(d.codes is None for d in directives):
            continue  # a bare `# noqa` already silences every code
        present = {code for d in directives for code in d.codes or ()}
        missing = sorted(set(codes) - present)
        if not missing:
            continue
        lines[number - 1] = _add(lines[number - 1], missing, directives[0] if directives else None)
        added += 1
    return "".join(lines), added, refused


def _add(line: str, codes: List[str], directive) -> str:
    body = line.rstrip("\r\n")
    ending = line[len(body):]
    if directive is not None:  # extend its code list
        merged = "# noqa: " + ", ".join(list(directive.codes) + codes)
        return body[:directive.start] + merged + body[directive.end:] + ending
    return body.rstrip() + "  # noqa: " + ", ".join(codes) + ending


def add_to_file(path: str, findings, settings) -> Tuple[int, List[int], Optional[str]]:
    """(directives added, lines refused, a one-line problem or None)."""
    from mongolint import limits, notebooks, writing

    if notebooks.is_notebook(path):
        from mongolint.notebook_checks import add_noqa

        return add_noqa(path, findings, settings)
    from mongolint.source import DecodeError, decode

    codes_by_line: Dict[int, Set[str]] = {}
    for finding in findings:
        if finding.code != "MGL001":  # a stale `# noqa` is mended with --fix, not silenced
            codes_by_line.setdefault(finding.line, set()).add(finding.code)
    try:
        snapshot = writing.read_snapshot(path, settings.max_file_size)
        source = decode(snapshot.data)
    except (OSError, DecodeError, limits.TooLarge) as error:
        return 0, [], f"cannot read: {error}"
    text, added, refused = with_directives(source.text, codes_by_line)
    problem = writing.write_fixed(path, snapshot, source, text, settings) if added else None
    return (0 if problem else added), refused, problem


def _comment_positions(text: str) -> Tuple[Dict[int, int], Set[int]]:
    """Line -> column of its comment; the lines whose end cannot take a comment."""
    comments: Dict[int, int] = {}
    no_comment: Set[int] = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                comments[token.start[0]] = token.start[1]
            elif token.start[0] < token.end[0] and token.type != tokenize.NL:
                no_comment.update(range(token.start[0], token.end[0]))  # a string spanning lines
    except (tokenize.TokenError, SyntaxError):
        return comments, set(range(1, text.count("\n") + 2))
    for number, line in enumerate(text.splitlines(), start=1):
        if line.rstrip().endswith("\\") and number not in comments:
            no_comment.add(number)
    return comments, no_comment
