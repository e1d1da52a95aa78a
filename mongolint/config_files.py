"""Which configuration applies to which file, as in ruff.

Each file gets the settings of the nearest configuration file at or above it:
`.mongolint.toml`, else `mongolint.toml`, else a `pyproject.toml` with a
`[tool.mongolint]` table (a pyproject.toml without the table is passed over).
A file under no configuration gets the configuration nearest the working
directory, else the defaults. `--config FILE` gives one configuration to every
file. A configuration may `extend` another (a path relative to it); `--config
KEY=VALUE` fragments are laid over every resolved configuration.
"""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from mongolint.config import ConfigError, Settings, from_table

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on old Pythons only
    import tomli as tomllib

# In one folder, the first of these that applies wins (as .ruff.toml > ruff.toml > pyproject.toml).
CONFIG_NAMES = (".mongolint.toml", "mongolint.toml", "pyproject.toml")
# Keys a layer adds to what the layer below says (the others replace it).
_ACCUMULATED = ("extend-select", "ignore", "extend-exclude", "extend-include")
_MAX_EXTENDS = 64


def is_pyproject(path: str) -> bool:
    return os.path.basename(path) == "pyproject.toml"


def read_document(path: str) -> Dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except UnicodeDecodeError as error:  # TOML is UTF-8
        raise ConfigError(f"{path}: invalid TOML: not UTF-8 ({error.reason} at byte {error.start})") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror}") from None
    except RecursionError:  # tomllib recurses once per level of nesting
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None


def read_table(path: str, *, required: bool = True) -> Optional[Dict[str, Any]]:
    """mongolint's table of one file: `[tool.mongolint]` of a pyproject.toml, the
    whole document of a mongolint.toml. Any other file is read as the one it
    looks like (a `tool` table: a pyproject.toml). None: a pyproject.toml
    without the table (an error when `required`: named with --config or
    `extend`, it would be silently ignored)."""
    document = read_document(path)
    if not is_pyproject(path) and (os.path.basename(path) in CONFIG_NAMES or "tool" not in document):
        return document
    tool = document.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: `tool` must be a table")
    if "mongolint" not in tool:
        if required:
            raise ConfigError(f"{path}: no [tool.mongolint] table")
        return None
    if not isinstance(tool["mongolint"], dict):
        raise ConfigError(f"{path}: [tool.mongolint] must be a table")
    return tool["mongolint"]


def has_table(path: str) -> bool:
    """Does this pyproject.toml configure mongolint? An unreadable one does not
    count here; naming it with --config reports why."""
    try:
        return read_table(path, required=False) is not None
    except ConfigError:
        return True  # an invalid configuration is reported, never silently skipped


def config_in(directory: str, names: Optional[Sequence[str]] = None) -> Optional[str]:
    """The configuration file of one folder (`names`: its listing, when known)."""
    for name in CONFIG_NAMES:
        if names is not None and name not in names:
            continue
        path = os.path.join(directory, name)
        if os.path.isfile(path) and (name != "pyproject.toml" or has_table(path)):
            return path
    return None


def nearest_config(start: str) -> Optional[str]:
    """The configuration at or above `start` (a file's own folder for a file)."""
    directory = os.path.abspath(start)
    if not os.path.isdir(directory):
        directory = os.path.dirname(directory)
    while True:
        found = config_in(directory)
        if found is not None:
            return found
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def layered(base: Mapping[str, Any], layer: Mapping[str, Any]) -> Dict[str, Any]:
    """`layer` over `base`, as ruff merges an extending file over the one it
    extends: a layer's `select` starts the selection afresh (the base's `ignore`
    and `extend-select` go), the `extend-*` lists and `ignore` add up, any other
    key replaces."""
    merged = dict(base)
    if "select" in layer:
        merged.pop("ignore", None)
        merged.pop("extend-select", None)
    for key, value in layer.items():
        if key == "extend":
            continue
        merged[key] = list(merged[key]) + list(value) if key in _ACCUMULATED and key in merged else value
    return merged


def raw_table(path: str) -> Dict[str, Any]:
    """`resolved_table` without validating (which imports the rules)."""
    return resolved_table(path, required=False, validate=False)


def resolved_table(path: str, *, required: bool = True, validate: bool = True) -> Dict[str, Any]:
    """The table of `path` with the files it extends beneath it, each validated
    (an error names the file it is in)."""
    chain: List[str] = []
    tables: List[Dict[str, Any]] = []
    current: Optional[str] = path
    while current is not None:
        identity = os.path.realpath(current)
        if identity in chain:
            names = " -> ".join(chain[chain.index(identity):] + [identity])
            raise ConfigError(f"{path}: `extend` makes a cycle: {names}")
        if len(chain) >= _MAX_EXTENDS:
            raise ConfigError(f"{path}: `extend` chain longer than {_MAX_EXTENDS} files")
        chain.append(identity)
        table = read_table(current, required=required or len(chain) > 1) or {}
        if validate:
            from_table(table, current)  # names this file in an error
        tables.append(table)
        current = _extended(current, table)
    merged: Dict[str, Any] = {}
    for table in reversed(tables):
        merged = layered(merged, table)
    return merged


def _extended(path: str, table: Mapping[str, Any]) -> Optional[str]:
    if "extend" not in table:
        return None
    target = table["extend"]
    if not isinstance(target, str) or not target:
        raise ConfigError(f"{path}: `extend` must be the path of another configuration file")
    # As ruff: `~` and environment variables are expanded.
    resolved = os.path.join(os.path.dirname(os.path.abspath(path)), os.path.expanduser(os.path.expandvars(target)))
    if not os.path.isfile(resolved):
        raise ConfigError(f"{path}: `extend` names a missing file: {target}")
    return os.path.normpath(resolved)


def load_config(path: str, overrides: Sequence[Mapping[str, Any]] = (), *, explicit: bool = False) -> Settings:
    """Settings of one configuration file, its folder as the project root."""
    table = resolved_table(path, required=explicit)
    for override in overrides:
        table = layered(table, override)
    root = os.path.dirname(os.path.abspath(path))
    settings = from_table(table, path)
    cache_dir = settings.cache_dir and os.path.join(root, os.path.expanduser(settings.cache_dir))
    return replace(settings, project_root=root, config_file=path, cache_dir=cache_dir)


def parse_override(text: str) -> Dict[str, Any]:
    """`--config "select = ['MGL1']"`: one `key = value` of a mongolint.toml."""
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"--config {text!r}: not a configuration file, nor a TOML `key = value` "
                          f"override ({error})") from None
    if len(table) != 1:
        raise ConfigError(f"--config {text!r}: give one `key = value` per --config")
    if "extend" in table:
        raise ConfigError(f"--config {text!r}: `extend` belongs in a configuration file")
    from_table(table, f"--config {text!r}")
    return table


def split_config_args(values: Sequence[str]) -> Tuple[Optional[str], List[Dict[str, Any]]]:
    """(the configuration file, the overrides) named by the `--config` options, as
    ruff tells them apart: an existing file is a file; else text with `=` is an
    override; else a missing file."""
    files: List[str] = []
    overrides: List[Dict[str, Any]] = []
    for value in values:
        if os.path.isfile(value):
            files.append(value)
        elif "=" in value:
            overrides.append(parse_override(value))
        else:
            raise ConfigError(f"{value}: no such configuration file")
    if len(files) > 1:
        raise ConfigError(f"--config names {len(files)} configuration files ({', '.join(files)}): give one")
    return (files[0] if files else None), overrides


class Resolver:
    """The settings of each file, each configuration read once.

    `adjust` turns a configuration's settings into the run's (the dedicated
    command-line flags, which win over `--config KEY=VALUE`, as in ruff)."""

    def __init__(self, explicit: Optional[str] = None, overrides: Sequence[Mapping[str, Any]] = (),
                 adjust: Callable[[Settings], Settings] = lambda settings: settings) -> None:
        self.overrides = list(overrides)
        self.adjust = adjust
        self._nearest: Dict[str, Optional[str]] = {}
        self._settings: Dict[Optional[str], Settings] = {}
        self.fixed: Optional[Settings] = None
        if explicit is not None:
            if not os.path.isfile(explicit):
                raise ConfigError(f"{explicit}: no such configuration file")
            # As ruff: the patterns of a file given with --config are relative to the working directory.
            settings = load_config(explicit, self.overrides, explicit=True)
            self.fixed = adjust(replace(settings, project_root=os.getcwd()))
        self._default = self._of(self.nearest_to_directory(os.getcwd())) if self.fixed is None else self.fixed

    def for_path(self, path: str) -> Settings:
        if self.fixed is not None:
            return self.fixed
        directory = os.path.abspath(path)
        if not os.path.isdir(directory):
            directory = os.path.dirname(directory)
        return self.for_directory(directory)

    def for_file(self, path: str) -> Settings:
        """`for_path` of a path known to be a file (one stat fewer per file)."""
        if self.fixed is not None:
            return self.fixed
        return self.for_directory(os.path.dirname(os.path.abspath(path)))

    def for_directory(self, directory: str, names: Optional[Sequence[str]] = None) -> Settings:
        """The settings for the entries of `directory` (`names`: its listing, when known)."""
        if self.fixed is not None:
            return self.fixed
        found = self.nearest_to_directory(os.path.abspath(directory), names)
        return self._of(found) if found is not None else self._default

    def nearest_to_directory(self, directory: str, names: Optional[Sequence[str]] = None) -> Optional[str]:
        pending: List[str] = []
        found: Optional[str] = None
        while directory not in self._nearest:
            found = config_in(directory, names)
            names = None  # the listing is of the first folder only
            if found is not None:
                break
            pending.append(directory)
            parent = os.path.dirname(directory)
            if parent == directory:
                break
            directory = parent
        else:
            found = self._nearest[directory]
        self._nearest[directory] = found
        for folder in pending:
            self._nearest[folder] = found
        return found

    def _of(self, config_file: Optional[str]) -> Settings:
        if config_file not in self._settings:
            if config_file is None:
                table: Dict[str, Any] = {}
                for override in self.overrides:
                    table = layered(table, override)
                settings = from_table(table, "--config")
            else:
                settings = load_config(config_file, self.overrides)
            self._settings[config_file] = self.adjust(settings)
        return self._settings[config_file]
