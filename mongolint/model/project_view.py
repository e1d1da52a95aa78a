"""The project index as one module sees it: the module's own import name
decides its relative imports; a regex over its text (no parse) finds what it
imports, for the pre-filter."""

from __future__ import annotations

import functools
import re
from typing import Any, Iterator, NamedTuple, Optional, Tuple


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
        """Does the text import, and use, a name of the project that gives driver
        objects? (For the pre-filter: read with a regex, before any parse. A name
        that appears in its import alone (or in quotes, as in `__all__`), as in an
        `__init__` that re-exports it, cannot take part in a finding. In a module
        without functions, a class only named, as a base or in an annotation,
        and classes derived from it only named too, cannot either; nor,
        anywhere, a class only tested against, as in
        `isinstance(doc, (Document, DBRef))`.)"""
        body = None
        for level, target, names in _imports_in(text):
            absolute = absolute_name(self.module, self.is_package, level, target)
            if absolute is None:
                continue
            for name, local in names:
                if _is_dunder(name):
                    continue  # `from app.fields import __all__`: never a driver object
                if body is None:
                    body = _without_imports(text)
                if not _is_named(body, local) or _only_named(local, body) or _only_class_tested(local, body):
                    continue
                dotted = f"{absolute}.{name}" if name else absolute
                if self._gives_driver_object(self.index.resolve(dotted), local, text):
                    return True
        return False

    def imports_from_project(self, text: str) -> bool:
        """Does the text import from a module of the project? (Read with a regex;
        no module is summarised.)"""
        return any(absolute is not None and self.index.module(absolute) is not None
                   for absolute in (absolute_name(self.module, self.is_package, level, target)
                                    for level, target, _ in _imports_in(text)))

    def _gives_driver_object(self, entity, local: str, text: str) -> bool:
        """A module counts by the attributes the text uses of it (`db.users`); a
        class or an instance by its members of the names the text reads of
        anything (its instances and subclasses can be anywhere)."""
        if entity is None:
            return False
        if entity.kind in ("class", "instance"):
            return self.index.gives_driver_object(entity, members=_attributes_read(text))
        if entity.kind != "module":
            return self.index.gives_driver_object(entity)
        attributes = set()
        for _, end in _uses(text, local):
            if text.startswith(".", end):
                attribute = _ATTRIBUTE.match(text, end + 1)
                if attribute is not None:
                    attributes.add(attribute.group())
        return any(self.index.gives_driver_object(self.index.attribute(entity, attribute))
                   for attribute in attributes if not _is_dunder(attribute))  # `fields.__all__`


# `.name`, `. name`, and `.\n name` inside brackets; a number's `1.5` too, harmlessly.
_ATTRIBUTE_READ = re.compile(r"\.\s*([A-Za-z_]\w*)")


@functools.lru_cache(maxsize=8)  # asked once for each class a text imports
def _attributes_read(text: str) -> frozenset:
    """Every name the text reads as an attribute of something (`x.name`)."""
    return frozenset(_ATTRIBUTE_READ.findall(text))


_FUNCTION = re.compile(r"\b(?:def|lambda)\b")
_CLASS_HEADER = re.compile(r"^[ \t]*class[ \t]+(\w+)[ \t]*\(([^)]*)\)", re.MULTILINE)
# Around a name that is only named: `class D(A, B)`, `x: A | None = None`, `list[A]`.
_NAMED_BEFORE = frozenset("(,:|[\n")
_NAMED_AFTER = frozenset(",)|]\n=")


def _only_named(local: str, body: str) -> bool:
    """In a module without functions: is `local` (and every class derived from
    it) only named, never called, subscripted, read an attribute of, or bound
    to another name? Then no expression of the module holds what it gives."""
    if _FUNCTION.search(body):
        return False
    pending, seen = [local], set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        for found_at, found_end in _uses(body, name):
            start, end = _blank_before(body, found_at), _blank_after(body, found_end)
            if body.endswith("class", 0, start) and not body[start - 6:start - 5].isidentifier():
                continue  # `class D(...)`: the derived class's own header
            before = body[start - 1] if start else "\n"
            after = body[end:end + 1] or "\n"
            if before not in _NAMED_BEFORE or after not in _NAMED_AFTER or after == "=" and before != ":" \
                    or body.startswith("==", end):
                return False
        pending.extend(header.group(1) for header in _CLASS_HEADER.finditer(body)
                       if next(_uses(header.group(2), name), None) is not None)
    return True


def _uses(text: str, name: str, not_before: str = ".", not_after: str = "") -> Iterator[Tuple[int, int]]:
    r"""(start, end) of each place `name` is written as a whole name, not as an
    attribute (`x.name`) or part of a longer one; as the regex
    `(?<![\w.])name(?!\w)` finds them, without compiling one for every name.
    (`not_before`, `not_after`: what else may not touch it.)"""
    start = text.find(name)
    while start != -1:
        end = start + len(name)
        if (not start or not _is_word_character(text[start - 1]) and text[start - 1] not in not_before) \
                and (end == len(text) or not _is_word_character(text[end]) and text[end] not in not_after):
            yield start, end
        start = text.find(name, start + 1)


def _is_named(text: str, name: str) -> bool:
    """Is `name` written in the text outside its imports, and not in quotes
    (as in `__all__`)?"""
    return next(_uses(text, name, "\"'", "\"'"), None) is not None


def _is_word_character(character: str) -> bool:
    return character.isalnum() or character == "_"  # what `\w` matches


def _blank_before(text: str, index: int) -> int:
    """Where the spaces and tabs that end at `index` start."""
    while index and text[index - 1] in " \t":
        index -= 1
    return index


def _blank_after(text: str, index: int) -> int:
    """Where the spaces and tabs that start at `index` end."""
    while index < len(text) and text[index] in " \t":
        index += 1
    return index


# `isinstance(x, ` or `issubclass(x, (A, ` right before a name, and `, B))` or
# `)` right after it: the name is a class tested against, which no expression
# takes a value from (the model does not narrow types by `isinstance`).
_CLASS_TEST_BEFORE = re.compile(r"\b(?:isinstance|issubclass)\s*\((?:[^()]|\([^()]*\))*?,\s*\(?[\w.,\s]*\Z")
_CLASS_TEST_AFTER = re.compile(r"(?:\s*,\s*[\w.]+)*\s*,?\s*\)")
_CLASS_TEST_WINDOW = 400  # characters before the name searched for the `isinstance(` that holds it


def _only_class_tested(local: str, body: str) -> bool:
    """Is every use of `local` as the class argument of `isinstance`/`issubclass`?"""
    found = False
    for start, end in _uses(body, local):  # `Document.objects` is a use
        before = body[max(0, start - _CLASS_TEST_WINDOW):start]
        if "isinstance" not in before and "issubclass" not in before or not _CLASS_TEST_BEFORE.search(before) \
                or not _CLASS_TEST_AFTER.match(body, end):
            return False
        found = True
    return found


def _is_dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


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
_ALIAS = re.compile(r"([\w.]+)(?:\s+as\s+(\w+))?")
_ATTRIBUTE = re.compile(r"\w+")


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
