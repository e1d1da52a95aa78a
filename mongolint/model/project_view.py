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

    def imports_driver_objects(self, text: str, used: bool = True) -> bool:
        """Does the text import, and use, a name of the project that gives driver
        objects? (For the pre-filter: read with a regex, before any parse. A name
        that appears in its import alone (or in quotes, as in `__all__`), as in an
        `__init__` that re-exports it, cannot take part in a finding. With
        `used=False`: imported at all.)"""
        words = None
        for level, target, names in _imports_in(text):
            absolute = absolute_name(self.module, self.is_package, level, target)
            if absolute is None:
                continue
            for name, local in names:
                if used and words is None:
                    words = set(_WORD.findall(_without_imports(text)))
                if used and local not in words:
                    continue
                dotted = f"{absolute}.{name}" if name else absolute
                if self._gives_driver_object(self.index.resolve(dotted), local, text if used else None):
                    return True
        return False

    def _gives_driver_object(self, entity, local: str, text: Optional[str]) -> bool:
        """A module counts by the attributes the text uses of it (`db.users`), when known."""
        if entity is None or entity.kind != "module" or text is None:
            return self.index.gives_driver_object(entity)
        attributes = set(re.findall(r"(?<![\w.])" + re.escape(local) + r"\.(\w+)", text))
        return any(self.index.gives_driver_object(self.index.attribute(entity, attribute))
                   for attribute in attributes)


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
_WORD = re.compile(r"(?<![\w\"'])[^\W\d]\w*(?![\w\"'])")
_ALIAS = re.compile(r"([\w.]+)(?:\s+as\s+(\w+))?")


def _imports_in(text: str):
    """(level, module, [(name, local name)]) of each import statement, found by
    regex (no parse); `import a.b` gives ("", "a") and `from a import b` ("b", "b")."""
    for match in _FROM_IMPORT.finditer(text):
        dots, module, names = match.groups()
        aliases = _ALIAS.findall(names.replace("(", " ").replace(")", " ").replace("\\", " "))
        yield len(dots), module, [(name, local or name) for name, local in aliases if name.isidentifier()]
    for match in _IMPORT.finditer(text):
        for name, local in _ALIAS.findall(match.group(1)):
            if name:
                yield 0, name, [("", local or name.split(".")[0])]


def _without_imports(text: str) -> str:
    return _IMPORT.sub("", _FROM_IMPORT.sub("", text))
