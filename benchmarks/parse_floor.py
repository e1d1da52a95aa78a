"""The cost floors of mongolint's design: parse files and do nothing else.

run.py starts this script with the benchmark venv's Python, so that the floors
are processes timed exactly like the linters (interpreter start-up and imports
included):

    python parse_floor.py ast PATH ...            # ast.parse every .py/.pyi file
    python parse_floor.py libcst PATH ...         # libcst.parse_module instead
    python parse_floor.py libcst --files LIST     # only the files named in LIST

Files are read as bytes, so both parsers honour PEP 263 cookies and BOMs the
way a linter must.  A file that fails to parse is counted, not fatal.
"""

from __future__ import annotations

import argparse
import os
import sys

SUFFIXES = (".py", ".pyi")


def python_files(root: str) -> list[str]:
    """Every .py/.pyi file under root (or root itself), in a stable order."""
    if os.path.isfile(root):
        return [root]
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        found.extend(os.path.join(folder, f) for f in sorted(files) if f.endswith(SUFFIXES))
    return found


def listed_files(list_path: str) -> list[str]:
    with open(list_path, encoding="utf-8") as handle:
        return [line.strip() for line in handle if line.strip()]


def parser_for(mode: str):
    if mode == "ast":
        import ast

        return ast.parse
    import libcst

    return libcst.parse_module


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("ast", "libcst"))
    parser.add_argument("paths", nargs="*", help="files or folders to walk")
    parser.add_argument("--files", help="a file listing the paths to parse, one per line")
    args = parser.parse_args(argv)

    files = listed_files(args.files) if args.files else []
    for root in args.paths:
        files.extend(python_files(root))
    parse = parser_for(args.mode)

    failed = 0
    for path in files:
        with open(path, "rb") as handle:
            source = handle.read()
        try:
            parse(source)
        except Exception:  # SyntaxError, libcst.ParserSyntaxError, RecursionError, ...
            failed += 1
    print(f"{args.mode}: parsed {len(files)} files, {failed} failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
