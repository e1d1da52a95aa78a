"""What git ignores besides the `.gitignore` files below a path: the
repository's `.git/info/exclude`, the global excludes file (`core.excludesFile`,
by default `$XDG_CONFIG_HOME/git/ignore` or `~/.config/git/ignore`), and the
`.gitignore` (and `.ignore`) files of the folders between the work tree's top
and the path.

Git's configuration files are read here, not by running git: a lint must not
depend on a `git` executable, nor run one per path. Only `core.excludesFile` is
read, from the system, global and repository files in git's order (the last one
wins); `[include]` and `[includeIf]` are not followed.
"""

from __future__ import annotations

import functools
import os
from typing import List, Optional, Tuple

from mongolint import gitignore

Ignores = Tuple[Tuple[str, gitignore.Spec], ...]
IGNORE_FILES = (".gitignore", ".ignore")  # in one folder, the later one wins


def work_tree_of(directory: str) -> Optional[Tuple[str, str]]:
    """(top folder of the work tree, git's common directory) of the repository
    holding `directory`, or None outside any."""
    current = os.path.abspath(directory)
    while True:
        marker = os.path.join(current, ".git")
        if os.path.isdir(marker):
            return current, marker
        if os.path.isfile(marker):  # a linked work tree or a submodule: `gitdir: <path>`
            git_dir = _linked_git_dir(marker)
            return (current, _common_dir(git_dir)) if git_dir else None
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def _linked_git_dir(marker: str) -> Optional[str]:
    text = _read(marker)
    if text is None or not text.startswith("gitdir:"):
        return None
    path = text[len("gitdir:"):].strip()
    return os.path.normpath(os.path.join(os.path.dirname(marker), path))


def _common_dir(git_dir: str) -> str:
    """A linked work tree keeps `info/exclude` and `config` in the main repository."""
    text = _read(os.path.join(git_dir, "commondir"))
    return os.path.normpath(os.path.join(git_dir, text.strip())) if text else git_dir


def _read(path: str) -> Optional[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return None


def ignores_above(directory: str) -> Ignores:
    """The ignore files that apply to the entries of `directory` before its own
    `.gitignore` and those below it, least binding first (as git ranks them)."""
    found = work_tree_of(directory)
    if found is None:
        return ()
    top, common = found
    return _repository_ignores(top, common) + _gitignores_between(top, os.path.abspath(directory))


@functools.lru_cache(maxsize=64)
def _repository_ignores(top: str, common: str) -> Ignores:
    ignores: List[Tuple[str, gitignore.Spec]] = []
    for path in (global_excludes_file(common), os.path.join(common, "info", "exclude")):
        spec = _spec(path) if path else None
        if spec is not None:
            ignores.append((top, spec))
    return tuple(ignores)


def _gitignores_between(top: str, directory: str) -> Ignores:
    """The `.gitignore` of `top` and of each folder down to `directory`'s parent
    (the walk reads `directory`'s own)."""
    folders: List[str] = []
    current = os.path.dirname(directory)
    while len(current) >= len(top) and current.startswith(top):
        folders.append(current)
        if current == top:
            break
        current = os.path.dirname(current)
    ignores = [(folder, _spec(os.path.join(folder, name))) for folder in reversed(folders) for name in IGNORE_FILES]
    return tuple((folder, spec) for folder, spec in ignores if spec is not None)


def _spec(path: str) -> Optional[gitignore.Spec]:
    text = _read(path) if os.path.isfile(path) else None
    return gitignore.Spec(text.splitlines()) if text is not None else None


def global_excludes_file(common: Optional[str] = None) -> Optional[str]:
    """`core.excludesFile`, else git's default place for it."""
    configured = None
    for path in _config_files(common):
        value = _excludes_file_setting(path)
        if value is not None:
            configured = value
    if configured is not None:
        return os.path.expanduser(configured) if configured else None
    xdg = os.environ.get("XDG_CONFIG_HOME")
    base = xdg if xdg else os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, "git", "ignore")


def _config_files(common: Optional[str]) -> List[str]:
    """git's configuration files, in the order git reads them (the last one read wins)."""
    files: List[str] = []
    if not os.environ.get("GIT_CONFIG_NOSYSTEM"):
        files.append(os.environ.get("GIT_CONFIG_SYSTEM") or "/etc/gitconfig")
    if os.environ.get("GIT_CONFIG_GLOBAL"):
        files.append(os.environ["GIT_CONFIG_GLOBAL"])
    else:
        xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
        files += [os.path.join(xdg, "git", "config"), os.path.join(os.path.expanduser("~"), ".gitconfig")]
    if common:
        files.append(os.path.join(common, "config"))
    return files


def _excludes_file_setting(path: str) -> Optional[str]:
    """The last `excludesFile` of the `[core]` section of one git config file."""
    text = _read(path) if os.path.isfile(path) else None
    if text is None:
        return None
    section, value = "", None
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("["):
            header, _, rest = line[1:].partition("]")
            section = header.strip().lower()
            line = rest.strip()  # `[core] excludesFile = x` on one line
        if section != "core" or "=" not in line or line[:1] in ("#", ";"):
            continue
        key, _, rest = line.partition("=")
        if key.strip().lower() == "excludesfile":
            value = _config_value(rest)
    return value


def _config_value(text: str) -> str:
    """A git config value: double quotes, backslash escapes, `#`/`;` comments outside quotes."""
    result: List[str] = []
    quoted = False
    characters = iter(text.strip())
    for character in characters:
        if character == '"':
            quoted = not quoted
        elif character == "\\":
            escaped = next(characters, "")
            result.append({"n": "\n", "t": "\t", "b": "\b"}.get(escaped, escaped))
        elif character in "#;" and not quoted:
            break
        else:
            result.append(character)
    return "".join(result).strip()
