"""The pipeline for one file: decode, pre-filter, parse once, model, rules, findings.

Front-ends (CLI, flake8) call `check_text`/`check_file`; `run` checks many
files, in parallel when worth it, with the cache.
"""

from __future__ import annotations

import ast
import sys
import threading
import warnings
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Type, TypeVar

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from mongolint import noqa, prefilter
from mongolint.diagnostics import Diagnostic
from mongolint.findings import NOT_CHECKED, FileReport, Finding
from mongolint.model import SemanticModel
from mongolint.replacements import text_edits
from mongolint.rules import SYNTAX_ERROR_CODE, Rule
from mongolint.source import DecodeError, SourceText, decode, looks_deep

# LibCST's conversion recurses once per nesting level; deep but valid code needs room.
RECURSION_LIMIT = 20000
T = TypeVar("T")


class Analysis:
    """One parsed module with its model: what rules and fixes work on."""

    def __init__(self, path: str, text: str, module: cst.Module, model: SemanticModel,
                 suppressions: noqa.Suppressions = noqa.NONE, fix_edits: bool = False) -> None:
        self.path, self.text, self.module, self.model = path, text, module, model
        self.suppressions = suppressions
        self.fix_edits = fix_edits  # give each finding's fix as text edits
        self._positions = None

    def positions(self):
        if self._positions is None:
            self._positions = MetadataWrapper(self.module, unsafe_skip_copy=True).resolve(PositionProvider)
        return self._positions

    def diagnostics(self, rules: Sequence[Type[Rule]], report: FileReport) -> List[Diagnostic]:
        """The rules' diagnostics; then those of the rules about `# noqa` itself,
        which judge what the others' directives silenced. The report gets the
        warnings about malformed directives (a check's and a fix pass's alike)."""
        report.warnings.extend(self.suppressions.warnings)
        model_rules = [rule for rule in rules if not rule.after_noqa]
        found = self._run(model_rules, report, lambda rule_class: rule_class(self.model))
        noqa_rules = [rule for rule in rules if rule.after_noqa]
        if noqa_rules and self.suppressions.has_directives():
            usage = self._noqa_usage(model_rules, found)
            found += self._run(noqa_rules, report, lambda rule_class: rule_class(self.model, usage))
        return found

    def _noqa_usage(self, rules: Sequence[Type[Rule]], found: Sequence[Diagnostic]) -> noqa.NoqaUsage:
        from mongolint.rules import RULES_BY_CODE, SYNTAX_ERROR_CODE

        usage = noqa.NoqaUsage(self.suppressions, frozenset(RULES_BY_CODE) | {SYNTAX_ERROR_CODE},
                               frozenset(rule.code for rule in rules))
        positions = self.positions()
        for diagnostic in found:
            usage.record(diagnostic.code, positions[diagnostic.node].start.line)
        return usage

    def _kept(self, rule_class: Type[Rule], diagnostic: Diagnostic) -> bool:
        if not rule_class.checks_unreachable_code and self.model.is_unreachable(diagnostic.node):
            return False
        return not (rule_class.quiet_where_raise_expected and self.model.expected_to_raise(diagnostic.node))

    def _run(self, rules: Sequence[Type[Rule]], report: FileReport, make) -> List[Diagnostic]:
        found: List[Diagnostic] = []
        for rule_class in rules:
            try:
                found.extend(d for d in make(rule_class).check() if self._kept(rule_class, d))
            except RecursionError:
                report.internal_errors.append(f"{rule_class.code}: nesting too deep to analyse")
            except MemoryError:
                raise  # the file is too large for the memory limit, not the rule wrong
            except Exception as error:  # a rule bug must not stop the run
                report.internal_errors.append(
                    f"internal error in rule {rule_class.code} ({rule_class.name}): "
                    f"{type(error).__name__}: {error}")
        return found


def parse(path: str, text: str, settings, module_name: str = "", module: Optional[cst.Module] = None,
          project=None) -> Analysis:
    """Raises `cst.ParserSyntaxError`, or `RecursionError` when the code is too
    deep. `module`: `text` already parsed (a fix's result, checked by parsing it).
    `project`: the project as this file sees it (None: the file on its own)."""
    if module is None:
        _refuse_beyond_python(path, text)
        module = cst.parse_module(text)
    model = SemanticModel(module, module_name=module_name, client_factories=settings.client_factories,
                          path=path, strict_tests=settings.strict_tests, project=project)
    suppressions = noqa.NONE if settings.ignore_noqa else noqa.suppressions(text)
    return Analysis(path, text, module, model, suppressions, settings.fix_edits)


def check_text(path: str, text: str, settings, *, module_name: str = "",
               pattern=prefilter.DEFAULT_PATTERN, project=None) -> FileReport:
    """Findings of the rules selected for `path` on `text`; `project` (a
    `ProjectView`) resolves the names it imports from the rest of the project."""
    report = FileReport(path)
    rules = settings.rules(path)
    if not (rules or settings.reports_syntax_errors(path)):
        return report
    if not prefilter.may_have_findings(text, pattern) and not _imports_driver_objects(project, text):
        return report
    if project is None:
        return run_deep(_check_text, report, text, settings, module_name, rules, None)
    with project.index.recording() as consulted:
        report = run_deep(_check_text, report, text, settings, module_name, rules, project)
    report.dependencies = {module: project.index.fingerprint_of(module) for module in sorted(consulted)}
    return report


def _imports_driver_objects(project, text: str) -> bool:
    return project is not None and project.imports_driver_objects(text)


def _check_text(report: FileReport, text: str, settings, module_name: str, rules, project) -> FileReport:
    path = report.path
    with _recursion_room():
        try:
            analysis = parse(path, text, settings, module_name, project=project)
        except cst.ParserSyntaxError as error:
            if _python_accepts(path, text):  # e.g. a form feed before an indent
                report.error = NOT_CHECKED + "LibCST cannot parse this file, though Python accepts it"
            elif settings.reports_syntax_errors(path):
                report.findings.append(syntax_error_finding(path, text, error))
            return report
        except RecursionError:
            report.error = NOT_CHECKED + "nesting too deep to parse"
            return report
        report.parsed = True
        diagnostics = analysis.diagnostics(rules, report)
        report.findings = locate(analysis, diagnostics)
    return report


def check_bytes(path: str, data: bytes, settings, **kwargs) -> FileReport:
    try:
        source = decode(data)
    except DecodeError as error:
        return FileReport(path, error=str(error))
    return check_text(path, source.text, settings, **kwargs)


def syntax_error_finding(path: str, text: str, error: cst.ParserSyntaxError) -> Finding:
    """Python's own position and message when it agrees the code is invalid
    (LibCST's can point a line late); LibCST's otherwise."""
    line, column = error.raw_line, error.raw_column + 1
    message = error.message.splitlines()[0] if error.message else "invalid syntax"
    try:
        with warnings.catch_warnings():  # e.g. invalid escapes: not ours to report
            warnings.simplefilter("ignore")
            compile(text, path, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as python_error:
        if python_error.lineno:
            line, column = python_error.lineno, max(1, python_error.offset or 1)
            message = python_error.msg
    except (ValueError, RecursionError, MemoryError):
        pass
    return Finding(path, line, column, line, column, SYNTAX_ERROR_CODE, f"syntax error: {message}",
                   "syntax-error")


def _python_accepts(path: str, text: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, path, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def locate(analysis: Analysis, diagnostics: Sequence[Diagnostic]) -> List[Finding]:
    """Findings with positions, `# noqa` applied, sorted."""
    return sorted(finding for finding, _ in located(analysis, diagnostics))


def located(analysis: Analysis, diagnostics: Sequence[Diagnostic]) -> List[Tuple[Finding, Diagnostic]]:
    """Each diagnostic that `# noqa` leaves, with its finding. Positions are
    computed only for files that have a diagnostic."""
    if not diagnostics:
        return []
    from mongolint.rules import RULES_BY_CODE

    positions = analysis.positions()
    silenced = analysis.suppressions
    result = []
    seen = set()
    for diagnostic in diagnostics:
        span = positions[diagnostic.node]
        key = (diagnostic.code, span.start.line, span.start.column)
        if key in seen or silenced.silences(diagnostic.code, span.start.line):
            continue
        seen.add(key)
        finding = Finding(
            analysis.path, span.start.line, span.start.column + 1, span.end.line, span.end.column + 1,
            diagnostic.code, diagnostic.message, RULES_BY_CODE[diagnostic.code].name,
            _fix_summary(diagnostic, analysis))
        result.append((finding, diagnostic))
    return result


def _fix_summary(diagnostic: Diagnostic, analysis: Analysis):
    if diagnostic.fix is None:
        return None
    from mongolint.diagnostics import FixSummary

    edits = text_edits(analysis.module, analysis.text, diagnostic.fix) if analysis.fix_edits else ()
    return FixSummary(diagnostic.fix.description, diagnostic.fix.applicability, edits)


class _recursion_room:
    def __enter__(self) -> None:
        self.saved = sys.getrecursionlimit()
        if self.saved < RECURSION_LIMIT:
            sys.setrecursionlimit(RECURSION_LIMIT)

    def __exit__(self, *exc) -> None:
        sys.setrecursionlimit(self.saved)


# LibCST's parser (native code) and its tree walks recurse once per nesting level:
# on the main thread's stack, a few thousand nested brackets crash the process.
# They run on a thread with this much stack (address space; memory only as used).
DEEP_STACK_SIZE = 512 * 1024 * 1024
_thread_state = threading.local()


def run_deep(function: Callable[..., T], *args) -> T:
    """`function(*args)` on a thread with a big stack and a recursion limit to
    match; inline when already on one (or when the platform refuses such a thread)."""
    if getattr(_thread_state, "deep", False):
        return function(*args)
    outcome: list = []

    def target() -> None:
        _thread_state.deep = True
        try:
            with _recursion_room():
                outcome.append((True, function(*args)))
        except BaseException as error:  # re-raised in the caller's thread
            outcome.append((False, error))

    try:
        previous = threading.stack_size(DEEP_STACK_SIZE)
        try:
            thread = threading.Thread(target=target, name="mongolint-deep", daemon=True)
            thread.start()
        finally:
            threading.stack_size(previous)
    except (ValueError, RuntimeError):
        return function(*args)
    thread.join()
    succeeded, value = outcome[0]
    if succeeded:
        return value
    raise value


# CPython refuses more than 200 nested brackets, and expressions too deep for its
# compiler (say, a chain of 10,000 `+`), whatever its version. LibCST accepts some
# of these, in time that grows much faster than the depth; so a file with deep
# brackets or very long lines (`source.looks_deep`) is first shown to Python's
# compiler (which never runs it), and what Python refuses is reported without LibCST.
_PYTHON_RECURSION_LIMIT = 1000  # CPython's default: the compiler's depth limit follows it


def _refuse_beyond_python(path: str, text: str) -> None:
    if not looks_deep(text):
        return
    saved = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(_PYTHON_RECURSION_LIMIT)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, path, "exec", dont_inherit=True)
    except SyntaxError as error:
        if (error.msg or "").startswith("too many nested parentheses"):
            raise cst.ParserSyntaxError(error.msg, lines=text.splitlines(keepends=True) or [""],
                                        raw_line=error.lineno or 1,
                                        raw_column=max(0, (error.offset or 1) - 1)) from None
        # Otherwise LibCST decides: it knows newer syntax than this Python may.
    except (RecursionError, MemoryError):
        raise RecursionError("Python itself cannot compile this file") from None
    except ValueError:
        pass
    finally:
        sys.setrecursionlimit(saved)
