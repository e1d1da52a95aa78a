"""The project index as one module sees it: the module's own import name
decides its relative imports; a regex over its text (no parse) finds what it
imports, for the pre-filter."""

from __future__ import annotations

import re
from typing import Any, NamedTuple, Optional


class ProjectView(NamedTuple):
    """The index as one module sees it: its own import name decides its relative imports."""

    index: Any  # the `project.ProjectIndex`
    module: str
    is_package: bool

    def resolve_import(self, written: str):
        """`..database.users` or `app.database.users`, as the model's imports spell them."""
        level = len(written) - len(written.lstrip("."))
        absolute = absolute_name(self.module, self.is_package, level, written[level:])
        return self.index.resolve(absolute) if absolute else None

    def imports_driver_objects(self, text: str) -> bool:
        """Does the text import a module of the project that exports driver
        objects? (For the pre-filter: read with a regex, before any parse.)"""
        for level, target, names in _imports_in(text):
            absolute = absolute_name(self.module, self.is_package, level, target)
            if absolute is None:
                continue
            for dotted in [f"{absolute}.{name}" for name in names] or [absolute]:
                if self.index.gives_driver_object(self.index.resolve(dotted)):
                    return True
        return False


def absolute_name(module: str, is_package: bool, level: int, target: str) -> Optional[str]:
    if not level:
        return target or None
    package = module.split(".") if is_package else module.split(".")[:-1]
    package = [part for part in package if part]
    if level - 1 >= len(package):
        return None  # beyond the top-level package (or the module's name is not known)
    base = package[:len(package) - (level - 1)]
    return ".".join(base + ([target] if target else []))


_FROM_IMPORT = re.compile(r"^[ \t]*from[ \t]+(\.*)[ \t]*([\w.]*)[ \t]+import[ \t]+(\([^)]*\)?|[^\n#;]*)", re.MULTILINE)
_IMPORT = re.compile(r"^[ \t]*import[ \t]+([\w., \t]+)", re.MULTILINE)


def _imports_in(text: str):
    """(level, module, names) of each import statement, found by regex (no parse)."""
    for match in _FROM_IMPORT.finditer(text):
        dots, module, names = match.groups()
        words = re.split(r"[\s,()\\]+", names)
        yield len(dots), module, tuple(word for word in words if word.isidentifier() and word != "as")
    for match in _IMPORT.finditer(text):
        for item in match.group(1).split(","):
            words = item.split()
            if words:
                yield 0, words[0], ()
