"""Which files to check: like ruff, recursive, minus the usual and `.gitignore`d."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator, List, Optional, Sequence, Tuple

from mongolint import git_excludes, gitignore

SKIPPED_DIRECTORIES = frozenset({
    ".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", ".mypy_cache", ".pytest_cache",
    ".ruff_cache", ".mongolint_cache", "__pycache__", "build", "dist", "node_modules",
    "site-packages", ".eggs",
})
PYTHON_SUFFIXES = (".py", ".pyi")
# As ruff's `include`: the files a directory walk checks (named files are always checked).
DEFAULT_INCLUDE = ("*.py", "*.pyi", "*.ipynb")


def is_virtualenv(directory: str) -> bool:
    return os.path.isfile(os.path.join(directory, "pyvenv.cfg"))


def matches_pattern(path: str, pattern: str, root: Optional[str]) -> bool:
    """Gitignore semantics against the path relative to the project root: an
    unanchored pattern matches at any depth, `/build/` only at the root."""
    return gitignore.spec_of((pattern,)).match_file(_relative(path, root).replace(os.sep, "/"))


def _relative(path: str, root: Optional[str]) -> str:
    """`path` relative to the project root, whichever of the two was reached
    through a symbolic link (a linked checkout, macOS's /tmp): the folders are
    compared resolved, the file's own name is kept (a linked file is matched by
    its name in the project, not by where it points)."""
    if not root:
        return path
    absolute = os.path.abspath(path)
    resolved = os.path.join(os.path.realpath(os.path.dirname(absolute)), os.path.basename(absolute))
    for base in dict.fromkeys((os.path.abspath(root), os.path.realpath(root))):
        for candidate in (absolute, resolved):
            if (candidate + os.sep).startswith(base.rstrip(os.sep) + os.sep):
                return os.path.relpath(candidate, base)
    return path


class FixedRules:
    """One exclusion for every folder (the discovery of one configuration)."""

    def __init__(self, exclude: Sequence[str] = (), root: Optional[str] = None,
                 respect_gitignore: bool = True, include: Sequence[str] = DEFAULT_INCLUDE) -> None:
        self.exclude, self.extend_exclude, self.project_root = tuple(exclude), (), root
        self.respect_gitignore = respect_gitignore
        self.include, self.extend_include = tuple(include), ()

    def for_path(self, path: str) -> "FixedRules":
        return self

    def for_directory(self, directory: str, names=None) -> "FixedRules":
        return self


def discover(paths: Sequence[str], exclude: Sequence[str] = (), root: Optional[str] = None,
             *, force_exclude: bool = False, settings=None) -> Tuple[List[str], List[Tuple[str, str]]]:
    """(files to check, [(path, problem)]). `settings` gives the configuration of
    each path and folder (`for_path`, `for_directory`): its `exclude` patterns,
    relative to its `project_root`, decide the entries of the folders it
    applies to. A file named explicitly is checked even when an `exclude`
    pattern matches it, unless `force_exclude` (pre-commit and editors name
    every file explicitly)."""
    settings = settings if settings is not None else FixedRules(exclude, root)
    files = _OncePerFile()
    problems: List[Tuple[str, str]] = []
    for path in paths:
        rules = settings.for_path(path)
        excluded, root = _exclusion(rules)
        if force_exclude and excluded is not None and _excluded_explicitly(path, excluded, root):
            continue
        if os.path.isdir(path):
            if excluded is None or not excluded.match_file(_relative(path, root).replace(os.sep, "/"), True):
                found = list(_walk(path, settings, rules.respect_gitignore, problems))
                if not found:
                    problems.append((path, "no Python files found"))
                for file in found:
                    files.add(_without_dot(file))
        elif os.path.lexists(path) and not os.path.exists(path):
            problems.append((path, "broken symbolic link"))
        elif os.path.isfile(path):
            files.add(path)
        elif os.path.exists(path):  # reading a FIFO or a device would block or never end
            problems.append((path, "not a regular file"))
        else:
            problems.append((path, "no such file or directory"))
    return files.paths, [(_without_dot(path), problem) for path, problem in problems]


class _Included:
    """`include` patterns, matched as ruff's globs: one without a slash (`*.ipynb`)
    matches a file's name at any depth, one with a slash (`notebooks/*.ipynb`)
    the path from the project root."""

    def __init__(self, patterns: Sequence[str], root: Optional[str]) -> None:
        self.root = root
        # The default set is only name suffixes: a string test, not a pattern match per file.
        suffixes = [p[1:] for p in patterns if p.startswith("*.") and not any(c in p[1:] for c in "*?[/\\")]
        self.suffixes = tuple(suffixes) if len(suffixes) == len(patterns) else None
        self.spec = None if self.suffixes is not None else gitignore.spec_of(tuple(patterns))

    def __call__(self, path: str, name: str) -> bool:
        if self.suffixes is not None:
            return name.endswith(self.suffixes)
        return self.spec.match_file(_relative(path, self.root).replace(os.sep, "/"))


_INCLUDED: dict = {}


def _inclusion(rules) -> _Included:
    """The `include` of a folder's configuration (made once per configuration)."""
    key = (tuple(rules.include) + tuple(rules.extend_include), rules.project_root)
    if key not in _INCLUDED:
        _INCLUDED[key] = _Included(*key)
    return _INCLUDED[key]


def _exclusion(rules):
    patterns = tuple(rules.exclude) + tuple(rules.extend_exclude)
    return (gitignore.spec_of(patterns) if patterns else None), rules.project_root


def _without_dot(path: str) -> str:
    """`./app/db.py` -> `app/db.py`: paths are reported as ruff reports them."""
    prefix = "." + os.sep
    while path.startswith(prefix) and len(path) > len(prefix):
        path = path[len(prefix):]
    return path


class _OncePerFile:
    """The first path to each real file: a file reached again through a symbolic
    link or a hard link is checked (and fixed) once."""

    def __init__(self) -> None:
        self.paths: List[str] = []
        self.seen = set()

    def add(self, path: str) -> None:
        try:
            status = os.stat(path)
            identity = (status.st_dev, status.st_ino)
        except OSError:
            identity = os.path.abspath(path)
        if identity not in self.seen:
            self.seen.add(identity)
            self.paths.append(path)


def _walk(top: str, settings, respect_gitignore: bool, problems) -> Iterator[str]:
    """Depth first, in name order. Everything a directory's listing can answer
    (is it a virtualenv, has it a .gitignore or a configuration file) is read
    from the listing itself: on large trees the extra stat calls were most of
    the cost. Each entry is decided by the configuration of its folder."""
    stack: List[Tuple[str, Tuple]] = [(top, git_excludes.ignores_above(top) if respect_gitignore else ())]
    seen_links = {_identity(top)}
    while stack:
        directory, ignores = stack.pop()
        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as error:
            problems.append((directory, error.strerror or str(error)))
            continue
        names = {entry.name for entry in entries}
        if "pyvenv.cfg" in names and directory != top:
            continue  # a virtual environment
        rules = settings.for_directory(directory, names)
        excluded, root = _exclusion(rules)
        included = _inclusion(rules)
        if respect_gitignore:
            # `.ignore` (ripgrep's, which ruff reads too) outranks `.gitignore` in the same folder.
            for name in git_excludes.IGNORE_FILES:
                spec = _gitignore(directory, name) if name in names else None
                if spec is not None:
                    ignores = ignores + ((directory, spec),)
        subdirectories = []
        for entry in entries:
            if _is_dir(entry):
                if entry.name in SKIPPED_DIRECTORIES or _ignored(entry.path, True, ignores, excluded, root):
                    continue
                if entry.is_symlink():  # a link may lead back up: a loop
                    identity = _identity(entry.path)
                    if identity in seen_links:
                        continue
                    seen_links.add(identity)
                subdirectories.append(entry.path)
            elif included(entry.path, entry.name):
                if _ignored(entry.path, False, ignores, excluded, root):
                    continue
                if entry.is_symlink() and not os.path.exists(entry.path):
                    problems.append((entry.path, "broken symbolic link"))
                    continue
                if not _is_file(entry):
                    problems.append((entry.path, "not a regular file"))
                    continue
                yield entry.path
        stack.extend((path, ignores) for path in reversed(subdirectories))


def _excluded_explicitly(path: str, excluded, root: Optional[str]) -> bool:
    """Is `path`, or a folder above it inside the project, matched by `exclude`?"""
    relative = _relative(path, root).replace(os.sep, "/").strip("/")
    return bool(relative) and relative != "." and excluded.match_file(relative, os.path.isdir(path))


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _is_file(entry: os.DirEntry) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False


def _identity(directory: str):
    """(device, inode): one stat, where realpath costs one per path component."""
    try:
        status = os.stat(directory)
    except OSError:
        return directory
    return status.st_dev, status.st_ino


def _gitignore(directory: str, name: str = ".gitignore") -> Optional[gitignore.Spec]:
    path = os.path.join(directory, name)
    if not os.path.isfile(path):
        return None
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return gitignore.Spec(handle)
    except OSError:
        return None


def _ignored(path: str, is_dir: bool, ignores, excluded, root) -> bool:
    """The entry itself: the walk never entered an excluded directory. The
    deepest .gitignore with an opinion decides, as in git."""
    for base, spec in reversed(ignores):
        decision = spec.decide(gitignore.split(os.path.relpath(path, base).replace(os.sep, "/")), is_dir)
        if decision is not None:
            if decision:
                return True
            break
    if excluded is not None:
        return excluded.excludes(gitignore.split(_relative(path, root).replace(os.sep, "/")), is_dir)
    return False


def module_name(path: str, root: Optional[str]) -> str:
    """`app/db.py` under the project root -> `app.db` (for client-factories)."""
    relative = Path(_relative(path, root))
    parts = list(relative.with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(p for p in parts if p not in ("", ".", "..") and p.isidentifier())
