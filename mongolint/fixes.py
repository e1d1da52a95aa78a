"""Applying fixes: in passes until nothing changes, re-parsed before any write.

A fix replaces nodes of the module it was computed on. Each pass lints the
current text, applies every fix whose nodes do not overlap an earlier one's,
and checks that the result parses; fixes that overlap wait for the next pass.
"""

from __future__ import annotations

import difflib
import io
import time
import tokenize
import warnings
from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Set, Tuple

import libcst as cst

from mongolint import engine, limits, writing
from mongolint.diagnostics import Applicability, Diagnostic
from mongolint.engine import FileReport
from mongolint.fix_passes import Ledger, PassFindings
from mongolint.output.names import display_path
from mongolint.replacements import apply_fixes
from mongolint.source import DecodeError, decode

# Fixes that need one pass per nesting level (a client hoisted out of 12 nested
# loops) go on while the text changes: bounded by time (half the per-file time
# limit, so that the passes done are written before the limit stops the file),
# and by a count far beyond any real nesting in case two fixes undo each other.
MAX_PASSES = 500


@dataclass
class FixOutcome:
    text: str
    applied: List[Tuple[str, str]] = field(default_factory=list)
    internal_errors: List[str] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)  # fixes not applied, bounds hit, findings a fix moved
    # What the passes found, so nothing is parsed again to report it: the
    # original text's findings, and `text`'s when the last pass linted it.
    before: Optional[FileReport] = None
    after: Optional[FileReport] = None


def fix_text(path: str, text: str, settings, *, unsafe: bool, module_name: str = "", project=None,
             time_budget: Optional[float] = None, report_before: bool = True, guard=None) -> FixOutcome:
    """The text with every applicable fix applied; a fix that would break the
    text is left out (and said so in a note). Each pass lints the text the last
    one wrote, so the findings after the fixes are checked against those before.
    Without `report_before`, `outcome.before` is left out unless it costs nothing
    (locating the first pass's findings is a walk of the whole module).
    `project`: the project as this file sees it (None: the file on its own).
    A `guard` (a notebook's cells) admits fixes and is told what each pass applied."""
    outcome = FixOutcome(text)
    rules = settings.rules(path)
    if time_budget is None:
        limit = getattr(settings, "file_timeout", 0)
        time_budget = limit / 2 if limit else float("inf")
    deadline = time.monotonic() + time_budget
    seen = {text}
    ledger = Ledger(outcome.applied, outcome.notes)
    parsed: Dict[str, cst.Module] = {}  # the text the last pass wrote, parsed when it was checked
    passes = 0
    while True:
        try:
            analysis = engine.parse(path, outcome.text, settings, module_name, parsed.pop(outcome.text, None),
                                    project=project)
        except (cst.ParserSyntaxError, RecursionError):
            outcome.after = None  # the text is not the one the last report is of
            break
        report = FileReport(path, parsed=True)
        current = PassFindings(analysis, analysis.diagnostics(rules, report), report,
                        located=report_before and not passes)
        if not passes:
            outcome.before = report if current.located else None
        outcome.after = report
        ledger.found(analysis, current.diagnostics)
        if passes and (passes >= MAX_PASSES or time.monotonic() > deadline):
            outcome.notes.append(f"stopped after {passes} pass{'es' * (passes != 1)} ({time_budget:g} s): "
                                 "run --fix again to apply the rest")
            current.locate()
            break
        candidates = [d for d in current.diagnostics if _applicable(d, unsafe)]
        if guard is not None:
            candidates = guard.admit(analysis, candidates)
        chosen, together = _non_overlapping(analysis, candidates)
        new_text, applied = _apply_checked(analysis, chosen, outcome, parsed)
        if not applied or new_text == outcome.text:
            current.locate()
            break
        ledger.fixed(analysis, applied + [d for d, partner in together if any(partner is a for a in applied)])
        if guard is not None:
            guard.applied(applied)
        outcome.text = new_text
        passes += 1
        if new_text in seen:
            outcome.notes.append(f"fixes kept undoing each other; stopped after {passes} passes")
            outcome.after = None
            break
        seen.add(new_text)
    if not passes:
        outcome.before = outcome.after  # nothing was fixed: the text is the one checked
    ledger.close()
    return outcome


def _apply_checked(analysis, chosen: Sequence[Diagnostic], outcome: FixOutcome, parsed: Dict[str, cst.Module]):
    """(the text with the chosen fixes, the fixes in it). Fixes are applied
    together; when the result is refused, one at a time, keeping each that
    leaves the text sound. The accepted text's module goes into `parsed`."""
    if not chosen:
        return outcome.text, []
    new_text = _apply(analysis, chosen)
    if _refusal(new_text, outcome.text, parsed, chosen) is None:
        return new_text, list(chosen)
    kept: List[Diagnostic] = []
    for diagnostic in chosen:
        trial = _apply(analysis, kept + [diagnostic])
        problem = _refusal(trial, outcome.text, parsed, kept + [diagnostic])
        if problem is None:
            kept.append(diagnostic)
            continue
        note = f"fix not applied: {diagnostic.code} ({diagnostic.fix.description}): {problem}"
        if note not in outcome.notes:
            outcome.notes.append(note)
    return (_apply(analysis, kept) if kept else outcome.text), kept


def _refusal(new_text: str, text: str, parsed: Dict[str, cst.Module], fixed: Sequence[Diagnostic]) -> Optional[str]:
    return _compile_error(new_text, text, parsed) or _lost_comments(text, new_text, fixed)


def _applicable(diagnostic: Diagnostic, unsafe: bool) -> bool:
    fix = diagnostic.fix
    return fix is not None and (fix.applicability is Applicability.SAFE
                                or unsafe and fix.applicability is Applicability.UNSAFE)


def _non_overlapping(analysis, diagnostics: Sequence[Diagnostic]):
    """Greedily, in order, the fixes none of whose nodes contains or lies in
    another chosen fix's nodes; and, for each finding whose fix is the very one
    a chosen finding has (one client switched to async for all its awaits), that
    finding."""
    model = analysis.model
    taken: Set[int] = set()  # the chosen nodes
    covered: Set[int] = set()  # the chosen nodes and all their ancestors
    chosen: List[Diagnostic] = []
    together: Dict[int, Tuple[Diagnostic, Diagnostic]] = {}  # id -> (finding, the chosen one with its fix)
    by_edit: Dict[tuple, Diagnostic] = {}
    # Outermost first: a fix of a whole loop or block subsumes one inside it.
    lineages = {id(d): [[id(t)] + [id(a) for a in model.ancestors(t)] for t in d.fix.replacements]
                for d in diagnostics}
    ordered = sorted(diagnostics, key=lambda d: (d.fix.priority, min(len(line) for line in lineages[id(d)])))
    for diagnostic in ordered:
        targets = list(diagnostic.fix.replacements)
        edit = (diagnostic.fix.description, tuple(sorted(id(t) for t in targets)))
        if edit in by_edit:
            together[id(diagnostic)] = (diagnostic, by_edit[edit])
            continue
        lineage = lineages[id(diagnostic)]
        if any(id(t) in covered for t in targets) or any(i in taken for line in lineage for i in line):
            continue
        chosen.append(diagnostic)
        by_edit[edit] = diagnostic
        for target, line in zip(targets, lineage):
            taken.add(id(target))
            covered.update(line)
    return chosen, list(together.values())


def _apply(analysis, diagnostics: Sequence[Diagnostic]) -> str:
    """The module's code with the fixes of `diagnostics`, visiting only the nodes
    that hold a target (a fix touches a few statements of a big file)."""
    on_the_way: Optional[Set[int]] = set()
    module = analysis.module
    for d in diagnostics:
        for node in d.fix.replacements:
            ancestors = [id(a) for a in analysis.model.ancestors(node)]
            if not ancestors and node is not module:
                on_the_way = None  # a node the walk did not index (a keyword's name): visit everything
                break
            on_the_way.add(id(node))
            on_the_way.update(ancestors)
        if on_the_way is None:
            break
    return apply_fixes(module, analysis.text, [d.fix for d in diagnostics], on_the_way)


def _compile_error(text: str, before: str, parsed: Dict[str, cst.Module]) -> Optional[str]:
    """The fixed text must parse and compile (the compiler also rejects what the
    parser allows, such as `async with` outside `async def`) whenever the text
    before the fix compiled. Compiling runs nothing."""
    try:
        parsed.clear()
        parsed[text] = cst.parse_module(text)
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

def fix_file(path: str, settings, *, unsafe: bool, diff_only: bool, module_name: str = "",
             project=None) -> FileReport:
    """Fix one file in place (or compute its diff) and report what remains."""
    try:
        snapshot = writing.read_snapshot(path, settings.max_file_size)
        source = decode(snapshot.data)
    except OSError as error:
        return FileReport(path, error=f"cannot read: {error.strerror or error}")
    except (DecodeError, limits.TooLarge) as error:
        return FileReport(path, error=str(error))
    outcome = fix_text(path, source.text, settings, unsafe=unsafe, module_name=module_name, project=project,
                       report_before=diff_only)
    changed = outcome.text != source.text
    report = outcome.before if diff_only else outcome.after
    if report is None:  # no pass linted that text (a syntax error, or the pass limit)
        report_text = source.text if diff_only else outcome.text
        report = engine.check_text(path, report_text, settings, module_name=module_name, project=project)
    report.internal_errors.extend(outcome.internal_errors)
    report.notes.extend(outcome.notes)
    report.fixed = outcome.applied
    if changed and diff_only:
        report.diff = unified_diff(path, source.text, outcome.text)
    elif changed:
        problem = writing.write_fixed(path, snapshot, source, outcome.text, settings)
        if problem is not None:
            report = outcome.before or engine.check_text(path, source.text, settings, module_name=module_name,
                                                         project=project)
            report.fixed = []
            report.error = problem
    return report


def unified_diff(path: str, before: str, after: str) -> str:
    return "".join(difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True),
        fromfile=display_path(path), tofile=display_path(path)))
