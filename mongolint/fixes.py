"""Applying fixes: in passes until nothing changes, re-parsed before any write.

A fix replaces nodes of the module it was computed on. Each pass lints the
current text, applies every fix whose nodes do not overlap an earlier one's,
and checks that the result parses; fixes that overlap wait for the next pass.
"""

from __future__ import annotations

import difflib
import io
import tokenize
import warnings
from collections import Counter
from dataclasses import dataclass, field
from typing import List, Optional, Sequence, Set, Tuple

import libcst as cst

from mongolint import engine, limits, writing
from mongolint.replacements import apply_fixes
from mongolint.diagnostics import Applicability, Diagnostic
from mongolint.engine import FileReport
from mongolint.output.names import display_path
from mongolint.source import DecodeError, decode

MAX_PASSES = 10


@dataclass
class FixOutcome:
    text: str
    applied: List[Tuple[str, str]] = field(default_factory=list)
    internal_errors: List[str] = field(default_factory=list)
    # What the passes found, so nothing is parsed again to report it: the
    # original text's findings, and `text`'s when the last pass linted it.
    before: Optional[FileReport] = None
    after: Optional[FileReport] = None


def fix_text(path: str, text: str, settings, *, unsafe: bool, module_name: str = "", guard=None) -> FixOutcome:
    """The text with every applicable fix applied (nothing when a fix breaks it).
    A `guard` (a notebook's cells) admits fixes and is told what each pass applied."""
    outcome = FixOutcome(text)
    rules = settings.rules(path)
    for _ in range(MAX_PASSES):
        try:
            analysis = engine.parse(path, outcome.text, settings, module_name)
        except (cst.ParserSyntaxError, RecursionError):
            return outcome
        report = FileReport(path, parsed=True)
        pairs = engine.located(analysis, analysis.diagnostics(rules, report))
        report.findings = sorted(finding for finding, _ in pairs)
        outcome.before = outcome.before or report
        candidates = [d for _, d in pairs if _applicable(d, unsafe)]
        if guard is not None:
            candidates = guard.admit(analysis, candidates)
        chosen = _non_overlapping(analysis, candidates)
        if not chosen:
            outcome.after = report
            return outcome
        new_text = _apply(analysis.module, chosen)
        broken = _compile_error(new_text, outcome.text) or _lost_comments(outcome.text, new_text, chosen)
        if broken is not None:
            codes = ", ".join(sorted({d.code for d in chosen}))
            outcome.internal_errors.append(f"internal error: a fix of {codes} was refused ({broken}); "
                                           "the file was left unchanged")
            return FixOutcome(text, [], outcome.internal_errors, outcome.before, outcome.before)
        if new_text == outcome.text:
            outcome.after = report
            return outcome
        outcome.text = new_text
        if guard is not None:
            guard.applied(chosen)
        outcome.applied.extend((d.code, d.fix.description) for d in chosen)
    return outcome


def _applicable(diagnostic: Diagnostic, unsafe: bool) -> bool:
    fix = diagnostic.fix
    return fix is not None and (fix.applicability is Applicability.SAFE or unsafe)


def _non_overlapping(analysis, diagnostics: Sequence[Diagnostic]) -> List[Diagnostic]:
    """Greedily, in order, the fixes none of whose nodes contains or lies in
    another chosen fix's nodes."""
    model = analysis.model
    taken: Set[int] = set()  # the chosen nodes
    covered: Set[int] = set()  # the chosen nodes and all their ancestors
    chosen = []
    # Outermost first: a fix of a whole loop or block subsumes one inside it.
    lineages = {id(d): [[id(t)] + [id(a) for a in model.ancestors(t)] for t in d.fix.replacements]
                for d in diagnostics}
    ordered = sorted(diagnostics, key=lambda d: (d.fix.priority, min(len(line) for line in lineages[id(d)])))
    for diagnostic in ordered:
        targets = list(diagnostic.fix.replacements)
        lineage = lineages[id(diagnostic)]
        if any(id(t) in covered for t in targets) or any(i in taken for line in lineage for i in line):
            continue
        chosen.append(diagnostic)
        for target, line in zip(targets, lineage):
            taken.add(id(target))
            covered.update(line)
    return chosen


def _apply(module: cst.Module, diagnostics: Sequence[Diagnostic]) -> str:
    return apply_fixes(module, [d.fix for d in diagnostics])


def _compile_error(text: str, before: str) -> Optional[str]:
    """The fixed text must parse and compile (the compiler also rejects what the
    parser allows, such as `async with` outside `async def`) whenever the text
    before the fix compiled. Compiling runs nothing."""
    try:
        cst.parse_module(text)
        with warnings.catch_warnings():  # Python's warnings about the user's code are not ours to print
            warnings.simplefilter("ignore")
            compile(text, "<fixed>", "exec", dont_inherit=True)
    except (cst.ParserSyntaxError, SyntaxError, ValueError, RecursionError) as error:
        if _compiles(before):
            detail = str(error).splitlines()[0] if str(error) else type(error).__name__
            return f"the result does not compile: {detail}"
    return None


def _compiles(text: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, "<original>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError):
        return False
    return True


def _lost_comments(before: str, after: str, chosen: Sequence[Diagnostic]) -> Optional[str]:
    """Fixes move code around; none may drop a comment, except one it rewrites
    on purpose (MGL001 removes unused `# noqa` codes)."""
    rewritten = Counter(comment.value.rstrip() for d in chosen for node in d.fix.replacements
                        for comment in _comment_nodes(node))
    missing = _comments(before) - _comments(after) - rewritten
    if missing:
        return f"it would drop the comment {next(iter(missing))!r}"
    return None


def _comment_nodes(node: cst.CSTNode) -> List[cst.Comment]:
    if isinstance(node, cst.Comment):
        return [node]
    comment = getattr(node, "comment", None) if isinstance(node, cst.TrailingWhitespace) else None
    return [comment] if comment is not None else []


def _comments(text: str) -> Counter:
    try:
        tokens = tokenize.generate_tokens(io.StringIO(text).readline)
        return Counter(t.string.rstrip() for t in tokens if t.type == tokenize.COMMENT)
    except (tokenize.TokenError, SyntaxError):
        return Counter()


# -- files -------------------------------------------------------------------

def fix_file(path: str, settings, *, unsafe: bool, diff_only: bool, module_name: str = "") -> FileReport:
    """Fix one file in place (or compute its diff) and report what remains."""
    try:
        snapshot = writing.read_snapshot(path, settings.max_file_size)
        source = decode(snapshot.data)
    except OSError as error:
        return FileReport(path, error=f"cannot read: {error.strerror or error}")
    except (DecodeError, limits.TooLarge) as error:
        return FileReport(path, error=str(error))
    outcome = fix_text(path, source.text, settings, unsafe=unsafe, module_name=module_name)
    changed = outcome.text != source.text
    report = outcome.before if diff_only else outcome.after
    if report is None:  # no pass linted that text (a syntax error, or the pass limit)
        report_text = source.text if diff_only else outcome.text
        report = engine.check_text(path, report_text, settings, module_name=module_name)
    report.internal_errors.extend(outcome.internal_errors)
    report.fixed = outcome.applied
    if changed and diff_only:
        report.diff = unified_diff(path, source.text, outcome.text)
    elif changed:
        problem = writing.write_fixed(path, snapshot, source, outcome.text, settings)
        if problem is not None:
            report = outcome.before or engine.check_text(path, source.text, settings, module_name=module_name)
            report.fixed = []
            report.error = problem
    return report


def unified_diff(path: str, before: str, after: str) -> str:
    return "".join(difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True),
        fromfile=display_path(path), tofile=display_path(path)))
