"""Settings: what one configuration says, validated. Which configuration file
applies to which file, `extend` and `--config` overrides: `config_files`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple


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
    respect_gitignore: bool = True  # skip what .gitignore, .git/info/exclude and git's global excludes skip
    client_factories: FrozenSet[str] = frozenset()
    ignore_noqa: bool = False  # `--ignore-noqa`, and flake8, which reads `# noqa` itself
    fix_edits: bool = False  # give each fix's text edits (for the formats that carry them)
    project_index: bool = True  # resolve imports through the other modules of the project
    strict_tests: bool = False  # report leaks only on exception paths in test code too
    project_root: Optional[str] = None  # the configuration file's folder (with --config: the working directory)
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
_BOOLEAN_KEYS = ("unsafe-fixes", "respect-gitignore", "strict-tests", "project-index")
KNOWN_KEYS = frozenset(_LIST_KEYS + ("per-file-ignores", "extend", "cache-dir") + _BOOLEAN_KEYS + tuple(_NUMBER_KEYS))


def find_pyproject(start: Path) -> Optional[Path]:
    """The nearest configuration file (pyproject.toml with the table, mongolint.toml
    or .mongolint.toml) at or above `start`."""
    from mongolint import config_files

    found = config_files.nearest_config(str(start))
    return Path(found) if found is not None else None


def load(paths: Sequence[str], config_path: Optional[str] = None) -> Settings:
    """Settings from `--config`, or from the configuration nearest the first path."""
    from mongolint import config_files

    return config_files.Resolver(config_path).for_path(paths[0] if paths else ".")


def load_file(path: Path, *, explicit: bool = False) -> Settings:
    """Settings from one configuration file (and the files it extends)."""
    from mongolint import config_files

    return config_files.load_config(str(path), explicit=explicit)


def from_table(table: Mapping[str, Any], origin: str = "configuration") -> Settings:
    unknown = sorted(set(table) - KNOWN_KEYS)
    if unknown:
        raise ConfigError(f"{origin}: unknown key `{unknown[0]}`{_where(origin)} "
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
    for key in _BOOLEAN_KEYS:
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


def _where(origin: str) -> str:
    return " in [tool.mongolint]" if origin.endswith("pyproject.toml") else ""


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
