"""The subcommands of `mongolint`, as `mongolint --help` lists them.

`check` is the default command: `mongolint PATH` and `mongolint check PATH` are
the same run (ruff users type the second). Every other command is a module with
a `main(argv) -> int` and a `build_parser()`. A path named like a command is
checked with `mongolint check NAME` (or `./NAME`).
"""

from __future__ import annotations

import importlib
import sys
from typing import Callable, Dict, Sequence, Tuple

DEFAULT = "check"
# name -> (module, one line for `--help`), in the order `--help` lists them
SUBCOMMANDS: Dict[str, Tuple[str, str]] = {
    "check": ("mongolint.cli", "Check files or directories (the default command)"),
    "rule": ("mongolint.explain", "Print a rule's page, or every rule's page with --all"),
    "migrate": ("mongolint.migrate", "Rewrite code off a deprecated API (`migrate motor`: Motor to PyMongo Async)"),
    "clean": ("mongolint.clean", "Remove the result caches of the project and of the folders below"),
    "help": ("", "Print this message or the help of the given command"),
}
USAGE = "mongolint [check] [OPTIONS] [PATH ...]\n       mongolint COMMAND [OPTIONS] ..."
EPILOG = "For help with a specific command, see: `mongolint help COMMAND`."


def overview(description: str) -> str:
    """The description `mongolint --help` starts with: what it does, then its commands."""
    width = max(len(name) for name in SUBCOMMANDS)
    lines = [f"  {name:<{width}}  {summary}" for name, (_, summary) in SUBCOMMANDS.items()]
    return "\n".join([description, "", "commands:", *lines])


def is_subcommand(argv: Sequence[str]) -> bool:
    """A command other than the default one starts the arguments."""
    return bool(argv) and argv[0] in SUBCOMMANDS and argv[0] != DEFAULT


def run(argv: Sequence[str], top_level: Callable) -> int:
    """Run the command that starts `argv`; `top_level` builds the default
    command's parser (for `mongolint help` and `mongolint help check`)."""
    name, rest = argv[0], list(argv[1:])
    if name == "help":
        return _help(rest, top_level)
    return _module(name).main(rest)


def _help(names: Sequence[str], top_level: Callable) -> int:
    if len(names) > 1 or names and names[0] not in SUBCOMMANDS:
        print(f"mongolint: error: unknown command `{' '.join(names)}` (commands: {', '.join(SUBCOMMANDS)})",
              file=sys.stderr)
        return 2
    name = names[0] if names else DEFAULT
    parser = top_level() if name in (DEFAULT, "help") else _module(name).build_parser()
    parser.print_help()
    return 0


def _module(name: str):
    return importlib.import_module(SUBCOMMANDS[name][0])
