"""`mongolint migrate motor [PATH ...]`: MGL304's unsafe fix, alone.

The same engine as `mongolint --fix --unsafe-fixes --select MGL304`: what cannot
be migrated is reported (as MGL304 findings) and its file left unchanged.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from typing import List, Sequence

from mongolint import cli, command_config
from mongolint.config import ConfigError

MIGRATIONS = {"motor": "MGL304"}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mongolint migrate",
        description="Rewrite code off a deprecated API: `motor` moves Motor code to the PyMongo Async API.")
    parser.add_argument("target", choices=sorted(MIGRATIONS), help="what to migrate from")
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .)")
    parser.add_argument("--diff", action="store_true", help="print the migration as a unified diff; write nothing")
    parser.add_argument("--show-fixes", action="store_true", help="list the files migrated")
    parser.add_argument("--config", help="the configuration file for every file (for `exclude`), as for `mongolint`")
    parser.add_argument("--jobs", "-j", type=int, default=None, help="parallel processes (default: all cores)")
    parser.add_argument("--no-color", action="store_true", help="no colour (also NO_COLOR)")
    return parser


def main(argv: Sequence[str]) -> int:
    args = build_parser().parse_intermixed_args(list(argv))
    check_argv: List[str] = ["--fix", "--unsafe-fixes", "--no-cache", "--select", MIGRATIONS[args.target]]
    for flag in ("diff", "show_fixes", "no_color"):
        if getattr(args, flag):
            check_argv.append("--" + flag.replace("_", "-"))
    if args.config:
        check_argv += ["--config", args.config]
    if args.jobs:
        check_argv += ["--jobs", str(args.jobs)]
    check_args = cli.build_parser().parse_args(check_argv + ["--"] + list(args.paths))
    try:
        # The migration runs whatever the configuration selects or ignores.
        resolver = command_config.resolver(check_args, then=lambda settings: replace(
            settings, select=(MIGRATIONS[args.target],), extend_select=(), ignore=(), per_file_ignores=()))
        return cli._check(check_args, resolver)
    except ConfigError as error:
        print(f"mongolint: error: {error}", file=sys.stderr)
        return cli.EXIT_ERROR
    except KeyboardInterrupt:
        print("mongolint: interrupted", file=sys.stderr)
        return 130
