"""Settings: `[tool.mongolint]` in pyproject.toml, then command-line overrides."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple, Type


if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on old Pythons only
    import tomli as tomllib


class ConfigError(Exception):
    """A configuration problem the user must fix (exit code 2)."""


@dataclass(frozen=True)
class Settings:
    select: Tuple[str, ...] = ("MGL",)
    extend_select: Tuple[str, ...] = ()
    ignore: Tuple[str, ...] = ()
    per_file_ignores: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()
    exclude: Tuple[str, ...] = ()
    extend_exclude: Tuple[str, ...] = ()
    include: Tuple[str, ...] = ("*.py", "*.pyi", "*.ipynb")  # what a directory walk checks, as ruff's
    extend_include: Tuple[str, ...] = ()
    unsafe_fixes: bool = False
    file_timeout: float = 60.0  # seconds for one file before it is reported unchecked (0: no limit)
    max_file_size: float = 10.0  # MB: a bigger file (or stdin) is reported unchecked (0: no limit)
    memory_limit: float = 4096.0  # MB each worker may allocate (0: no limit)
    fix_through_symlinks: bool = False  # --fix may write where a link leads out of the project
    client_factories: FrozenSet[str] = frozenset()
    ignore_noqa: bool = False  # `--ignore-noqa`, and flake8, which reads `# noqa` itself
    fix_edits: bool = False  # give each fix's text edits (for the formats that carry them)
    project_index: bool = True  # resolve imports through the other modules of the project
    strict_tests: bool = False  # report leaks only on exception paths in test code too
    project_root: Optional[str] = None  # where pyproject.toml was found
    cache_dir: Optional[str] = None  # `cache-dir`, from the project root; --cache-dir and MONGOLINT_CACHE_DIR win
    config_file: Optional[str] = None

    def rules(self, path: Optional[str] = None) -> list:
        from mongolint import rules as registry  # imports LibCST: only when checking

        ignore = list(self.ignore) + list(self._ignored_for(path))
        return registry.select_rules(list(self.select) + list(self.extend_select), ignore)

    def reports_syntax_errors(self, path: Optional[str] = None) -> bool:
        """MGL000 is always selected, but can be ignored like any code."""
        ignored = list(self.ignore) + list(self._ignored_for(path))
        return not any("MGL000".startswith(selector.upper()) for selector in ignored)

    def _ignored_for(self, path: Optional[str]):
        if not path or not self.per_file_ignores:
            return ()
        from mongolint.discovery import matches_pattern

        found: List[str] = []
        for pattern, codes in self.per_file_ignores:
            if matches_pattern(path, pattern, self.project_root):
                found.extend(codes)
        return found

    def fingerprint(self) -> str:
        """What changes the findings: part of the cache key."""
        return repr((self.select, self.extend_select, self.ignore, self.per_file_ignores,
                     sorted(self.client_factories), self.ignore_noqa, self.fix_edits, self.strict_tests,
                     self.project_index))


_LIST_KEYS = ("select", "extend-select", "ignore", "exclude", "extend-exclude", "client-factories",
              "include", "extend-include")
_NUMBER_KEYS = {"file-timeout": "a number of seconds", "max-file-size": "a number of megabytes",
                "memory-limit": "a number of megabytes"}
KNOWN_KEYS = frozenset(_LIST_KEYS + ("per-file-ignores", "unsafe-fixes", "strict-tests", "project-index",
                                    "cache-dir")
                       + tuple(_NUMBER_KEYS))


def find_pyproject(start: Path) -> Optional[Path]:
    start = start.resolve()
    for directory in [start] + list(start.parents) if start.is_dir() else list(start.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load(paths: Sequence[str], config_path: Optional[str] = None) -> Settings:
    """Settings from `--config`, or the pyproject.toml found above the first path."""
    if config_path is not None:
        if not Path(config_path).is_file():
            raise ConfigError(f"{config_path}: no such configuration file")
        return load_file(Path(config_path), explicit=True)
    pyproject = find_pyproject(Path(paths[0] if paths else "."))
    return load_file(pyproject) if pyproject is not None else Settings()


def load_file(pyproject: Path, *, explicit: bool = False) -> Settings:
    """Settings from one pyproject.toml. A file named explicitly must have the
    table: without it, it would be silently ignored."""
    table = _read_table(pyproject, explicit)
    root = str(pyproject.resolve().parent)
    settings = from_table(table, str(pyproject))
    cache_dir = settings.cache_dir and os.path.join(root, os.path.expanduser(settings.cache_dir))
    return replace(settings, project_root=root, config_file=str(pyproject), cache_dir=cache_dir)


def _read_table(pyproject: Path, explicit: bool = False) -> Mapping[str, Any]:
    try:
        with open(pyproject, "rb") as handle:
            document = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{pyproject}: invalid TOML: {error}") from None
    except UnicodeDecodeError as error:  # TOML is UTF-8
        raise ConfigError(f"{pyproject}: invalid TOML: not UTF-8 ({error.reason} at byte {error.start})") from None
    except OSError as error:
        raise ConfigError(f"{pyproject}: cannot read: {error.strerror}") from None
    except RecursionError:  # tomllib recurses once per level of nesting
        raise ConfigError(f"{pyproject}: invalid TOML: nested too deeply") from None
    tool = document.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{pyproject}: `tool` must be a table")
    table = tool.get("mongolint", {})
    if explicit and "mongolint" not in tool:
        raise ConfigError(f"{pyproject}: no [tool.mongolint] table (given with --config)")
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [tool.mongolint] must be a table")
    return table


def from_table(table: Mapping[str, Any], origin: str = "configuration") -> Settings:
    unknown = sorted(set(table) - KNOWN_KEYS)
    if unknown:
        raise ConfigError(f"{origin}: unknown key `{unknown[0]}` in [tool.mongolint] "
                          f"(known keys: {', '.join(sorted(KNOWN_KEYS))})")
    values: Dict[str, Any] = {}
    for key in _LIST_KEYS:
        if key in table:
            values[key.replace("-", "_")] = _string_list(table[key], key, origin)
    for key in ("select", "extend_select", "ignore"):
        if key in values:
            check_selectors(values[key], key.replace("_", "-"), origin)
    if "client_factories" in values:
        values["client_factories"] = frozenset(values["client_factories"])
    for key in ("unsafe-fixes", "strict-tests", "project-index"):
        if key in table:
            if not isinstance(table[key], bool):
                raise ConfigError(f"{origin}: `{key}` must be true or false")
            values[key.replace("-", "_")] = table[key]
    for key, unit in _NUMBER_KEYS.items():
        if key in table:
            number = table[key]
            if isinstance(number, bool) or not isinstance(number, (int, float)) or not 0 <= number < 1e9:
                raise ConfigError(f"{origin}: `{key}` must be {unit} (0: no limit)")
            values[key.replace("-", "_")] = float(number)
    if "cache-dir" in table:
        if not isinstance(table["cache-dir"], str) or not table["cache-dir"]:
            raise ConfigError(f"{origin}: `cache-dir` must be a path")
        values["cache_dir"] = table["cache-dir"]
    if "per-file-ignores" in table:
        values["per_file_ignores"] = _per_file_ignores(table["per-file-ignores"], origin)
    return Settings(**values)


def _string_list(value: Any, key: str, origin: str) -> Tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{origin}: `{key}` must be a list of strings")
    return tuple(value)


def _per_file_ignores(value: Any, origin: str):
    if not isinstance(value, dict):
        raise ConfigError(f"{origin}: `per-file-ignores` must be a table of pattern = [codes]")
    result = []
    for pattern, codes in value.items():
        codes = _string_list(codes, f"per-file-ignores.{pattern}", origin)
        check_selectors(codes, f"per-file-ignores.{pattern}", origin)
        result.append((pattern, codes))
    return tuple(result)


def check_selectors(selectors: Sequence[str], key: str, origin: str) -> None:
    from mongolint import rules as registry

    for selector in selectors:
        if not registry.is_valid_selector(selector):
            raise ConfigError(f"{origin}: `{key}` has unknown rule selector `{selector}`")
