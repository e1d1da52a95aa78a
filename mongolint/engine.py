"""The pipeline for one file: decode, pre-filter, parse once, model, rules, findings.

Front-ends (CLI, flake8) call `check_text`/`check_file`; `run` checks many
files, in parallel when worth it, with the cache.
"""

from __future__ import annotations

import ast
import sys
from typing import Dict, List, Optional, Sequence, Tuple, Type

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from mongolint import noqa, prefilter
from mongolint.diagnostics import Diagnostic
from mongolint.findings import FileReport, Finding
from mongolint.model import SemanticModel
from mongolint.rules import SYNTAX_ERROR_CODE, Rule
from mongolint.source import DecodeError, SourceText, decode

# LibCST's conversion recurses once per nesting level; deep but valid code needs room.
RECURSION_LIMIT = 20000


class Analysis:
    """One parsed module with its model: what rules and fixes work on."""

    def __init__(self, path: str, text: str, module: cst.Module, model: SemanticModel) -> None:
        self.path, self.text, self.module, self.model = path, text, module, model

    def diagnostics(self, rules: Sequence[Type[Rule]], report: FileReport) -> List[Diagnostic]:
        found: List[Diagnostic] = []
        for rule_class in rules:
            try:
                found.extend(rule_class(self.model).check())
            except RecursionError:
                report.internal_errors.append(f"{rule_class.code}: nesting too deep to analyse")
            except Exception as error:  # a rule bug must not stop the run
                report.internal_errors.append(
                    f"internal error in rule {rule_class.code} ({rule_class.name}): "
                    f"{type(error).__name__}: {error}")
        return found


def parse(path: str, text: str, settings, module_name: str = "") -> Analysis:
    module = cst.parse_module(text)
    model = SemanticModel(module, module_name=module_name, client_factories=settings.client_factories)
    return Analysis(path, text, module, model)


def check_text(path: str, text: str, settings, *, module_name: str = "",
               pattern=prefilter.DEFAULT_PATTERN) -> FileReport:
    """Findings of the rules selected for `path` on `text`."""
    report = FileReport(path)
    rules = settings.rules(path)
    if not rules or not prefilter.may_have_findings(text, pattern):
        return report
    with _recursion_room():
        try:
            analysis = parse(path, text, settings, module_name)
        except cst.ParserSyntaxError as error:
            report.findings.append(syntax_error_finding(path, text, error))
            return report
        except RecursionError:
            report.error = "nesting too deep to parse"
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
        compile(text, path, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as python_error:
        if python_error.lineno:
            line, column = python_error.lineno, max(1, python_error.offset or 1)
            message = python_error.msg
    except (ValueError, RecursionError, MemoryError):
        pass
    return Finding(path, line, column, line, column, SYNTAX_ERROR_CODE, f"syntax error: {message}",
                   "syntax-error")


def locate(analysis: Analysis, diagnostics: Sequence[Diagnostic]) -> List[Finding]:
    """Findings with positions, `# noqa` applied, sorted."""
    return sorted(finding for finding, _ in located(analysis, diagnostics))


def located(analysis: Analysis, diagnostics: Sequence[Diagnostic]) -> List[Tuple[Finding, Diagnostic]]:
    """Each diagnostic that `# noqa` leaves, with its finding. Positions are
    computed only for files that have a diagnostic."""
    if not diagnostics:
        return []
    from mongolint.rules import RULES_BY_CODE

    positions = MetadataWrapper(analysis.module, unsafe_skip_copy=True).resolve(PositionProvider)
    silenced = noqa.noqa_lines(analysis.text)
    result = []
    seen = set()
    for diagnostic in diagnostics:
        span = positions[diagnostic.node]
        key = (diagnostic.code, span.start.line, span.start.column)
        if key in seen or noqa.is_silenced(diagnostic.code, span.start.line, silenced):
            continue
        seen.add(key)
        finding = Finding(
            analysis.path, span.start.line, span.start.column + 1, span.end.line, span.end.column + 1,
            diagnostic.code, diagnostic.message, RULES_BY_CODE[diagnostic.code].name,
            _fix_summary(diagnostic))
        result.append((finding, diagnostic))
    return result


def _fix_summary(diagnostic: Diagnostic):
    if diagnostic.fix is None:
        return None
    from mongolint.diagnostics import FixSummary

    return FixSummary(diagnostic.fix.description, diagnostic.fix.applicability)


class _recursion_room:
    def __enter__(self) -> None:
        self.saved = sys.getrecursionlimit()
        if self.saved < RECURSION_LIMIT:
            sys.setrecursionlimit(RECURSION_LIMIT)

    def __exit__(self, *exc) -> None:
        sys.setrecursionlimit(self.saved)
