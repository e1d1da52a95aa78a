"""The `mongolint` command's arguments: its flags, as a ruff user knows them."""

from __future__ import annotations

import argparse
from typing import List, Tuple

from mongolint import __version__, commands
from mongolint.output import FORMATS

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mongolint", usage=commands.USAGE, epilog=commands.EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=commands.overview("Find misuse of MongoDB's Python drivers (PyMongo, PyMongo Async, Motor)."))
    parser.add_argument("--version", action="version", version=f"mongolint {__version__}")
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .); - reads stdin")
    selection = parser.add_argument_group("rule selection")
    selection.add_argument("--select", type=_codes, help="comma-separated codes or prefixes to check (default: MGL)")
    selection.add_argument("--extend-select", type=_codes, default=[], help="codes or prefixes to add")
    selection.add_argument("--ignore", type=_codes, default=[], help="codes or prefixes to skip")
    selection.add_argument("--per-file-ignores", type=_pattern_codes, action="extend", metavar="PATTERN:CODES",
                           help="replace per-file-ignores: comma-separated pattern:code pairs (tests/*:MGL102)")
    selection.add_argument("--extend-per-file-ignores", type=_pattern_codes, action="extend", default=[],
                           metavar="PATTERN:CODES", help="add to per-file-ignores")
    selection.add_argument("--ignore-noqa", action="store_true", help="ignore every `# noqa` comment")
    output = parser.add_argument_group("output")
    output.add_argument("--format", "--output-format", dest="format", choices=sorted(FORMATS), default="text",
                        help="text (also: full) shows each finding with its source line")
    output.add_argument("--statistics", action="store_true", help="count findings per rule")
    output.add_argument("--output-file", "-o", help="write the report to this file")
    output.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings remain")
    output.add_argument("--no-color", action="store_true", help="no colour (also NO_COLOR; FORCE_COLOR forces it)")
    output.add_argument("--quiet", "-q", action="store_true", help="print the findings and nothing else")
    output.add_argument("--silent", "-s", action="store_true",
                        help="print nothing; the exit code still tells (configuration errors are printed)")
    fixing = parser.add_argument_group("fixes")
    fixing.add_argument("--fix", action="store_true", help="apply safe fixes")
    fixing.add_argument("--unsafe-fixes", action="store_true", default=None,
                        help="also apply fixes that may change behaviour (with --fix or --diff)")
    fixing.add_argument("--diff", action="store_true", help="print the fixes as a unified diff; write nothing")
    fixing.add_argument("--show-fixes", action="store_true", help="list the fixes applied")
    fixing.add_argument("--fix-only", action="store_true",
                        help="apply fixes (implies --fix) and report nothing about the findings that remain; exit 0")
    fixing.add_argument("--exit-non-zero-on-fix", action="store_true",
                        help="exit 1 when a fix was applied, even if no finding remains")
    fixing.add_argument("--add-noqa", action="store_true",
                        help="add `# noqa: CODE` to every line with a finding (to adopt mongolint on existing code)")
    fixing.add_argument("--fix-through-symlinks", action="store_true",
                        help="also fix files that a symbolic link leads to outside the project root")
    run = parser.add_argument_group("run")
    run.add_argument("--exclude", type=_codes, action="extend", metavar="PATTERNS",
                     help="replace exclude: comma-separated gitignore-style patterns")
    run.add_argument("--extend-exclude", type=_codes, action="extend", default=[], metavar="PATTERNS",
                     help="add to exclude")
    run.add_argument("--force-exclude", action="store_true",
                     help="apply exclude patterns to paths named on the command line too (as pre-commit does)")
    run.add_argument("--config", action="append", metavar="FILE_OR_KEY=VALUE",
                     help="the configuration file for every file (pyproject.toml, mongolint.toml), or a TOML "
                          "`key = value` laid over every configuration, e.g. \"select = ['MGL1']\" (repeatable)")
    run.add_argument("--respect-gitignore", action="store_true", default=None,
                     help="skip what .gitignore, .git/info/exclude and git's global excludes skip (the default)")
    run.add_argument("--no-respect-gitignore", dest="respect_gitignore", action="store_false",
                     help="do not read .gitignore nor git's exclude files")
    run.add_argument("--show-settings", action="store_true",
                     help="print the settings used for the first file found under the paths, and exit")
    run.add_argument("--show-files", action="store_true", help="print the files that would be checked, and exit")
    run.add_argument("--stdin-filename", help="the path to report for code read from stdin")
    run.add_argument("--jobs", "-j", type=int, default=None, help="parallel processes (default: all cores)")
    run.add_argument("--no-cache", action="store_true", help="neither read nor write the result cache")
    run.add_argument("--cache-dir", help="keep the result cache here (default: $MONGOLINT_CACHE_DIR, else cache-dir "
                                         "in the configuration, else .mongolint_cache in the project root)")
    run.add_argument("--list-parsed", action="store_true",
                     help="print the files the pre-filter lets through, one per line, and exit")
    return parser


def _codes(value: str) -> List[str]:
    return [code.strip() for code in value.split(",") if code.strip()]


def _pattern_codes(value: str) -> List[Tuple[str, str]]:
    pairs = []
    for item in _codes(value):
        pattern, colon, code = item.rpartition(":")
        if not colon or not pattern.strip() or not code.strip():
            raise argparse.ArgumentTypeError(f"expected pattern:code, got `{item}`")
        pairs.append((pattern.strip(), code.strip()))
    return pairs
