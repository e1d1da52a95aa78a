"""`mongolint clean [PATH ...]`: remove the result caches, as `ruff clean` does.

It removes the project's cache (where `mongolint PATH` keeps it: `--cache-dir`,
`MONGOLINT_CACHE_DIR`, `cache-dir` in the configuration, or `.mongolint_cache`
in the project root) and every
`.mongolint_cache` below the paths (default: the working directory), printing
`Removing cache at: PATH` for each. Only what mongolint wrote goes: a directory
without mongolint's marker is left alone, and a file mongolint did not create
keeps its directory.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Dict, Iterator, List, Sequence

from mongolint import cache
from mongolint.output.names import display_path

EXIT_CLEAN, EXIT_ERROR = 0, 2
_NOT_SEARCHED = frozenset({".git", ".hg", ".svn"})


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mongolint clean",
                                     description="Remove the result caches of the project and below the paths.")
    parser.add_argument("paths", nargs="*", metavar="PATH", help="folders to clean (default: .)")
    parser.add_argument("--cache-dir", help=f"the cache to remove (default: ${cache.ENVIRONMENT_VARIABLE}, "
                                            f"else {cache.DIRECTORY} in the project root)")
    parser.add_argument("--quiet", "-q", action="store_true", help="print only problems")
    parser.add_argument("--silent", "-s", action="store_true", help="print nothing")
    return parser


def main(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(list(argv))
    paths = args.paths or ["."]
    named = args.cache_dir or os.environ.get(cache.ENVIRONMENT_VARIABLE) or _configured(paths)
    status = EXIT_CLEAN
    for directory, explicit in _candidates(paths, named).items():
        owned = cache.owned_entries(directory)
        shown = display_path(_shown(directory))
        if owned is None:
            if os.path.lexists(directory) and (explicit or os.path.basename(directory) == cache.DIRECTORY):
                _say(args, f"mongolint: {'error' if explicit else 'warning'}: {shown}: not a mongolint cache "
                           f"(no {cache.MARKER_NAME} written by mongolint); nothing removed", problem=True)
                status = EXIT_ERROR if explicit else status
            continue
        _say(args, f"Removing cache at: {shown}")
        if not _remove(args, shown, directory, *owned):
            status = EXIT_ERROR
    return status


def _candidates(paths: Sequence[str], named) -> Dict[str, bool]:
    """Cache directories to look at -> whether the user named it; each once."""
    found: Dict[str, bool] = {}
    seen = set()
    first = [(named, True)] if named else [(cache.cache_directory(paths), False)]
    for directory, explicit in first + [(d, False) for path in paths for d in _caches_below(path)]:
        key = os.path.realpath(directory)
        if key not in seen:
            seen.add(key)
            found[directory] = explicit
    return found


def _configured(paths: Sequence[str]):
    """`cache-dir` in the configuration; a configuration that cannot be read
    must not stop the default cache from being cleaned."""
    from mongolint import config

    try:
        return config.load(paths).cache_dir
    except config.ConfigError:
        return None


def _caches_below(path: str) -> Iterator[str]:
    for root, folders, _ in os.walk(path):
        if cache.DIRECTORY in folders:
            yield os.path.join(root, cache.DIRECTORY)
        folders[:] = sorted(f for f in folders if f != cache.DIRECTORY and f not in _NOT_SEARCHED)


def _remove(args, shown: str, directory: str, owned: List[str], others: List[str]) -> bool:
    """The marker goes last, so that a directory left half removed is still
    recognised by the next `clean`."""
    try:
        for name in sorted(owned, key=lambda name: name == cache.MARKER_NAME):
            os.unlink(os.path.join(directory, name))
        if not others:
            os.rmdir(directory)
    except OSError as error:
        _say(args, f"mongolint: error: {shown}: cannot remove: {error.strerror or error}",
             problem=True)
        return False
    if others:
        _say(args, f"mongolint: warning: {shown}: kept {len(others)} "
                   f"file{'s' * (len(others) != 1)} mongolint did not create", problem=True)
    return True


def _shown(directory: str) -> str:
    """Relative to the working directory when below it, as ruff prints it."""
    relative = os.path.relpath(os.path.abspath(directory))
    return directory if relative.startswith(os.pardir) else relative


def _say(args, line: str, problem: bool = False) -> None:
    if not args.silent and (problem or not args.quiet):
        print(line, file=sys.stderr)
