"""What a run that fixes says and exits with, as ruff decides it.

`--fix-only` applies the fixes and reports nothing about the findings that
remain; it exits 0 unless `--exit-non-zero-on-fix` is given and a fix was
applied, or a fix could not be written. `--exit-non-zero-on-fix` with `--fix` fails a run that changed a file
even when nothing remains. `--diff` wins over both: it writes nothing and exits 1
when there is something to fix.
"""

from __future__ import annotations

from typing import Callable, Optional, Sequence

from mongolint.findings import NOT_FIXED

EXIT_CLEAN, EXIT_FINDINGS = 0, 1


def check_flags(parser, args) -> None:
    """`--fix-only` implies `--fix` (not with `--diff`, which writes nothing);
    `--exit-zero` and `--exit-non-zero-on-fix` contradict each other (ruff refuses
    them together too)."""
    if args.exit_zero and args.exit_non_zero_on_fix:
        parser.error("argument --exit-non-zero-on-fix: not allowed with argument --exit-zero")
    args.fix = args.fix or (args.fix_only and not args.diff)


def exit_status(args, reports: Sequence) -> int:
    """The exit code of a run in which every path could be checked."""
    if args.exit_zero:
        return EXIT_CLEAN
    if args.diff:
        found = any(report.diff for report in reports)
    elif args.fix_only:
        # A fix that could not be written is not a finding left for later: it failed.
        found = any(report.error and report.error.startswith(NOT_FIXED) for report in reports) \
            or args.exit_non_zero_on_fix and _fixed(reports) > 0
    else:
        found = any(report.findings for report in reports) or (args.exit_non_zero_on_fix and _fixed(reports) > 0)
    return EXIT_FINDINGS if found else EXIT_CLEAN


def fix_only_summary(reports: Sequence, unsafe: Callable[[str], bool]) -> Optional[str]:
    """ruff's line for `--fix-only`: what was fixed, and the fixes that
    `--unsafe-fixes` would add; never how many findings remain. `unsafe(path)`:
    whether that file's fixes include the unsafe ones."""
    fixed = _fixed(reports)
    unapplied = sum(1 for report in reports if not unsafe(report.path) for finding in report.findings
                    if finding.fix is not None and _is_unsafe(finding.fix))
    fixes = f"{fixed} finding{'s' * (fixed != 1)}"
    if unapplied:
        hint = f"{unapplied} {'additional ' * (fixed > 0)}fix{'es' * (unapplied != 1)} available with `--unsafe-fixes`"
        return f"Fixed {fixes} ({hint})." if fixed else f"No findings fixed ({hint})."
    return f"Fixed {fixes}." if fixed else None


def _fixed(reports: Sequence) -> int:
    return sum(len(report.fixed) for report in reports)


def _is_unsafe(fix) -> bool:
    return getattr(fix.applicability, "value", fix.applicability) == "unsafe"
