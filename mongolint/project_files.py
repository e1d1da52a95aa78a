"""The checked project on disk, as the project index needs it: where its
modules are (the import roots of each file) and their summaries, cached by
content. The model never sees a path: it is handed a `ProjectView`.

Roots, in the order imports are looked up: the directory above a file's
top-level package (its `__init__.py` chain), the project's `src/` and the
project directory (where pyproject.toml, setup.cfg or setup.py is), and the
file's own directory when it is in no package (a script importing its siblings),
and the working directory when the file is under it (where `uvicorn main:app`
or `python -m app` would run it).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from typing import Dict, Iterable, Optional, Tuple

from mongolint.cache import build_fingerprint, read_regular_file, write_json_atomically
from mongolint.model.project import ModuleInfo, ProjectIndex
from mongolint.model.project_view import ProjectView
from mongolint.model.summaries import FORMAT, summarize
from mongolint.model.summary_shape import is_summary
from mongolint.source import DecodeError, decode, looks_deep

PROJECT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py")
# Up to this many files that name no driver, each one's imports are resolved.
RESOLVE_EVERY_FILE_UP_TO = 32
SUMMARY_CACHE = "summaries-{format}-{build}.json"
_MAX_SUMMARY_CACHE_BYTES = 64 * 1024 * 1024

Roots = Tuple[str, ...]


class ProjectFiles:
    def __init__(self, root: Optional[str] = None, cache_directory: Optional[str] = None) -> None:
        self.root = os.path.abspath(root) if root else None
        self._indexes: Dict[Roots, ProjectIndex] = {}
        self._infos: Dict[Tuple[Roots, str], Optional[ModuleInfo]] = {}
        self._files: Dict[str, Optional[ModuleInfo]] = {}
        self._located: Dict[str, Tuple[str, bool, Roots]] = {}
        self._listings: Dict[str, Tuple[frozenset, frozenset]] = {}
        self._new: Dict[str, dict] = {}
        self._cache_path = os.path.join(cache_directory, SUMMARY_CACHE.format(
            format=FORMAT, build=build_fingerprint())) if cache_directory else None
        self._summaries: Dict[str, dict] = self._load_summaries()
        self._stored = set(self._summaries)
        self._used: set = set()

    # -- what the engine and the cache ask ---------------------------------------

    def view_for(self, path: str) -> ProjectView:
        module, is_package, roots = self.locate(path)
        return ProjectView(self._index(roots), module, is_package)

    def locate(self, path: str) -> Tuple[str, bool, Roots]:
        """(the file's import name, is it a package's `__init__`, its roots)."""
        if path not in self._located:
            self._located[path] = self._locate(path)
        return self._located[path]

    def _locate(self, path: str) -> Tuple[str, bool, Roots]:
        absolute = os.path.abspath(path)
        directory = os.path.dirname(absolute)
        stem = os.path.splitext(os.path.basename(absolute))[0]
        is_package = stem == "__init__"
        top = directory
        while self._is_file(top, "__init__.py") and os.path.dirname(top) != top:
            top = os.path.dirname(top)
        project = _project_directory(directory) or self.root
        roots = [top] if top != directory else []
        if project is not None:
            roots.extend([os.path.join(project, "src"), project])
        if top == directory:  # a loose module or script: it may import its siblings
            roots.append(directory)
        working = os.getcwd()
        if _is_under(absolute, working):  # where `python -m app` or `uvicorn main:app` runs
            roots.append(working)
        roots = [r for r in dict.fromkeys(roots) if os.path.isdir(r)]
        if top != directory:
            module = _dotted(os.path.relpath(absolute, top))
        else:
            under = next((r for r in roots if r != directory and _is_under(absolute, r)), None)
            module = _dotted(os.path.relpath(absolute, under)) if under is not None else _dotted(stem + ".py")
            if module is None:
                module = _dotted(stem + ".py")
        return module or "", is_package, tuple(roots)

    def dependencies_unchanged(self, path: str, dependencies: Dict[str, Optional[str]]) -> bool:
        if not dependencies:
            return True
        _, _, roots = self.locate(path)
        return all((self._info(roots, module) or _MISSING).fingerprint == (fingerprint or "")
                   for module, fingerprint in dependencies.items())

    def settle_unnamed(self, unnamed: Dict[str, str], named: Iterable[str]) -> Dict[str, Dict[str, Optional[str]]]:
        """Of the files that name no driver (path -> text), those that import
        nothing of the project that exports driver objects, each with the
        modules it was settled by (its cache dependencies).

        With few such files (one file of a project, as pre-commit checks) each
        one's imports are resolved. With many, a file is resolved only when it
        mentions part of the name of a module that names the driver (`named`),
        or of one that imports driver objects or imports from the project (it
        may re-export them): in a tree where nothing names the driver, nothing
        is resolved."""
        settled: Dict[str, Dict[str, Optional[str]]] = {}
        if len(unnamed) <= RESOLVE_EVERY_FILE_UP_TO:
            for path, text in unnamed.items():
                found = self._settled_by(path, text)
                if found is not None:
                    settled[path] = found
            return settled
        waiting = dict(unnamed)
        words = {part for path in named for part in self.locate(path)[0].split(".") if part}
        while words and waiting:
            resolved = [path for path, text in waiting.items() if any(word in text for word in words)]
            for path in resolved:
                found = self._settled_by(path, waiting[path])
                if found is not None:
                    settled[path] = found
            texts = {path: waiting.pop(path) for path in resolved}
            words = self._exporter_words(texts, settled) - words if waiting else set()
        settled.update((path, {}) for path in waiting)
        return settled

    def _exporter_words(self, texts: Dict[str, str], settled: Dict[str, Dict[str, Optional[str]]]) -> set:
        """The parts of the names of the modules (of `texts`) that import driver
        objects or may re-export them. (Whether what a module imports from the
        project gives driver objects is not asked: the answer would summarise
        every module it imports from, for a guess at which files to resolve.)"""
        words: set = set()
        for path, text in texts.items():
            if path not in settled or self.view_for(path).imports_from_project(text):
                words.update(part for part in self.locate(path)[0].split(".") if part)
        return words

    def _settled_by(self, path: str, text: str) -> Optional[Dict[str, Optional[str]]]:
        """None when `text` imports driver objects (or when that cannot be
        decided: the worker that parses the file is where a failure belongs);
        else the modules that say it does not."""
        view = self.view_for(path)
        try:
            with view.index.recording() as consulted:
                if view.imports_driver_objects(text):
                    return None
        except (RecursionError, Exception):  # noqa: B014 - a bug here must not stop the run
            return None
        return {module: view.index.fingerprint_of(module) for module in sorted(consulted)}

    def take_new_summaries(self) -> Dict[str, dict]:
        """The summaries computed since the last call (a worker hands them back)."""
        new, self._new = self._new, {}
        return new

    def add_summaries(self, summaries: Dict[str, dict]) -> None:
        self._summaries.update(summaries)
        self._used.update(summaries)

    def save(self) -> None:
        """Write the summaries this run used (those of changed files go), when
        that is not what the cache holds already."""
        if self._cache_path is None:
            return
        # A module whose names were never asked for was never summarised.
        summarised = {digest for digest in self._used if digest in self._summaries}
        if summarised == self._stored:
            _mark_used(self._cache_path)  # unused cache files are pruned after a while
            return
        write_json_atomically(self._cache_path, {digest: self._summaries[digest] for digest in summarised})

    # -- modules -------------------------------------------------------------------

    def _index(self, roots: Roots) -> ProjectIndex:
        if roots not in self._indexes:
            self._indexes[roots] = ProjectIndex(lambda module: self._info(roots, module))
        return self._indexes[roots]

    def _info(self, roots: Roots, module: str) -> Optional[ModuleInfo]:
        key = (roots, module)
        if key in self._infos:
            return self._infos[key]
        found = None
        parts = module.split(".")
        if module and all(part.isidentifier() for part in parts):
            for root in roots:
                base = os.path.join(root, *parts)
                directory, name = os.path.split(base)
                # A directory without `__init__.py` may be one portion of a namespace package.
                package = self._is_directory(directory, name) and self._is_file(base, "__init__.py")
                if self._is_file(directory, name + ".py"):
                    found = self._read(base + ".py", False)
                elif package:
                    found = self._read(os.path.join(base, "__init__.py"), True)
                if found is not None or package:
                    break
        self._infos[key] = found
        return found

    def _is_file(self, directory: str, name: str) -> bool:
        return name in self._entries(directory)[0]

    def _is_directory(self, directory: str, name: str) -> bool:
        return name in self._entries(directory)[1]

    def _entries(self, directory: str) -> Tuple[frozenset, frozenset]:
        """(files, directories) in `directory`, read once a run: every module
        lookup asks of each import root whether a file or package is there."""
        found = self._listings.get(directory)
        if found is None:
            files, directories = set(), set()
            try:
                with os.scandir(directory) as entries:
                    for entry in entries:
                        try:
                            if entry.is_file():
                                files.add(entry.name)
                            elif entry.is_dir():
                                directories.add(entry.name)
                        except OSError:
                            pass
            except OSError:
                pass
            found = self._listings[directory] = (frozenset(files), frozenset(directories))
        return found

    def _read(self, path: str, is_package: bool) -> Optional[ModuleInfo]:
        if path not in self._files:
            self._files[path] = self._summarize_file(path, is_package)
        return self._files[path]

    def _summarize_file(self, path: str, is_package: bool) -> Optional[ModuleInfo]:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            return None
        digest = hashlib.blake2b(data, digest_size=16).hexdigest()
        self._used.add(digest)
        base = _project_directory(os.path.dirname(path)) or self.root or os.getcwd()
        shown = os.path.relpath(path, base) if _is_under(path, base) else path
        summary = self._summaries.get(digest)
        return ModuleInfo(summary if summary is not None else functools.partial(self._summarize, data, digest),
                          is_package, shown.replace(os.sep, "/"), digest)

    def _summarize(self, data: bytes, digest: str) -> Optional[dict]:
        """Only when one of the module's names is asked for."""
        try:
            text = decode(data).text
        except DecodeError:
            return None
        # Too deep for a parse outside the per-file guards: not known.
        summary = None if looks_deep(text) else summarize(text)
        if summary is not None:
            self._summaries[digest] = self._new[digest] = summary
        return summary

    def _load_summaries(self) -> Dict[str, dict]:
        if self._cache_path is None:
            return {}
        data = read_regular_file(self._cache_path, _MAX_SUMMARY_CACHE_BYTES)
        try:
            summaries = json.loads(data) if data is not None else {}
        except (ValueError, RecursionError):
            return {}
        if not isinstance(summaries, dict):
            return {}
        return {digest: summary for digest, summary in summaries.items() if is_summary(summary)}


_MISSING = ModuleInfo({}, False, "", "")


def _mark_used(path: str) -> None:
    try:
        os.utime(path)
    except OSError:
        pass


@functools.lru_cache(maxsize=4096)
def _project_directory(start: str) -> Optional[str]:
    """The nearest directory at or above `start` with a project file (else
    the top of the git work tree)."""
    directory, work_tree = start, None
    while True:
        if any(os.path.isfile(os.path.join(directory, marker)) for marker in PROJECT_MARKERS):
            return directory
        if work_tree is None and os.path.exists(os.path.join(directory, ".git")):
            work_tree = directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return work_tree
        directory = parent


def _is_under(path: str, root: str) -> bool:
    return (os.path.abspath(path) + os.sep).startswith(os.path.abspath(root) + os.sep)


def _dotted(relative: str) -> Optional[str]:
    parts = os.path.splitext(relative)[0].split(os.sep)
    if parts and parts[-1] == "__init__":
        parts.pop()
    if not parts or not all(part.isidentifier() for part in parts):
        return None
    return ".".join(parts)


_PROJECTS: Dict[Optional[str], ProjectFiles] = {}


def for_root(root: Optional[str]) -> ProjectFiles:
    """One `ProjectFiles` per project for a run (forked workers inherit it)."""
    if root not in _PROJECTS:
        _PROJECTS[root] = ProjectFiles(root)
    return _PROJECTS[root]


def start_run(root: Optional[str], cache_directory: Optional[str]) -> ProjectFiles:
    """Files may have changed since the last run in this process: read them
    again (summaries come from the cache in `cache_directory` by content)."""
    _PROJECTS.clear()
    _project_directory.cache_clear()  # a project file may have been added or removed
    _PROJECTS[root] = ProjectFiles(root, cache_directory)
    return _PROJECTS[root]


def view_for(path: str, settings) -> Optional[ProjectView]:
    """The project as the file at `path` sees it; None with `project-index = false`."""
    if not settings.project_index:
        return None
    return for_root(settings.project_root).view_for(path)
