"""The project index: what the other modules of the checked project export.

It evaluates the plain-data summaries of `summaries` on demand, following
imports inside the project (absolute, relative, through `__init__` re-exports,
star imports). It knows nothing of files: it is handed a `load(module_name)`
that gives a module's `ModuleInfo`, or None when the name is not a module of
the project. Whatever cannot be followed (third-party modules, cycles,
`importlib`) is unknown: None, never a guess.
"""

from __future__ import annotations

from typing import AbstractSet, Callable, ContextManager, Dict, Iterator, List, Optional, Set, Tuple

from mongolint.model import derivation, driver
from mongolint.model.project_bookkeeping import Bookkeeping
from mongolint.model.project_view import absolute_name
from mongolint.model.project_entities import Entity, ModuleInfo, empty_summary, is_fresh_client
from mongolint.model.types import COROUTINE, DriverType, Foreign

__all__ = ["BINDING_DECORATORS", "Entity", "ModuleInfo", "ProjectIndex", "empty_summary", "is_fresh_client"]

_PROPERTIES = frozenset({"property", "cached_property"})
# Decorators that only say how a method binds: they leave its result alone.
BINDING_DECORATORS = frozenset({"classmethod", "staticmethod"})


_NONE = Entity("none")


class ProjectIndex:
    def __init__(self, load: Callable[[str], Optional[ModuleInfo]]) -> None:
        self._load = load
        self._modules: Dict[str, Optional[ModuleInfo]] = {}
        self._names: Dict[Tuple[str, str], Tuple[Optional[Entity], frozenset]] = {}
        # Calls, members and "does this class give a driver object" are memoized there.
        self._book = Bookkeeping()

    # -- what the model asks -----------------------------------------------------

    def resolve(self, dotted: str) -> Optional[Entity]:
        """The entity an absolute dotted name stands for."""
        parts = dotted.split(".")
        if parts[0] in driver.DRIVER_ROOTS:
            return Entity("driver", name=dotted)
        for end in range(len(parts), 0, -1):
            module = ".".join(parts[:end])
            if self.module(module) is not None:
                found: Optional[Entity] = Entity("module", module)
                for name in parts[end:]:
                    found = self.attribute(found, name) if found is not None else None
                return found
        return None

    def module(self, name: str) -> Optional[ModuleInfo]:
        if name not in self._modules:
            self._modules[name] = self._load(name) if name else None
        self._book.record((name,))
        return self._modules[name]

    def absolute(self, module: str, level: int, target: str) -> Optional[str]:
        """The absolute name of a relative import written in `module`."""
        if not level:
            return target
        info = self.module(module)
        return absolute_name(module, info is not None and info.is_package, level, target)

    def attribute(self, entity: Entity, name: str) -> Optional[Entity]:
        if entity.kind == "module":
            found = self._name_in_module(entity.module, name)
            if found is None and self.module(f"{entity.module}.{name}") is not None:
                return Entity("module", f"{entity.module}.{name}")
            return found
        if entity.kind == "driver":
            return Entity("driver", name=f"{entity.name}.{name}")
        if entity.kind == "value" and entity.driver_type is not None:
            if derivation.is_method(entity.driver_type, name):
                return Entity("function", name=name, driver_type=entity.driver_type)
            derived = derivation.attribute_type(entity.driver_type, name)
            return entity._replace(driver_type=derived, fresh=False) if derived is not None else None
        if entity.kind in ("instance", "class"):
            return self._book.memoized(("member", entity.kind, entity.module, entity.name, name),
                                       lambda: self._member(entity, name))
        return None

    def call(self, entity: Entity) -> Optional[Entity]:
        if entity.kind == "driver":
            constructed = driver.CLIENT_CLASSES.get(entity.name)
            return Entity("value", driver_type=constructed, fresh=True) if constructed else None
        if entity.kind == "class":
            return Entity("instance", entity.module, entity.name)
        if entity.kind != "function":
            return None
        if entity.driver_type is not None:  # a driver method
            result = derivation.method_result(entity.driver_type, entity.name)
            return Entity("value", driver_type=result, origin=entity.origin) if result is not None else None
        return self._book.memoized(("call", entity.module, entity.owner, entity.name),
                                   lambda: self._call_project_function(entity))

    def _call_project_function(self, entity: Entity) -> Optional[Entity]:
        function = self._function_summary(entity)
        if function is None:
            return None
        result = self._book.guarded(("()" + entity.owner, entity.module + ":" + entity.name),
                                    lambda: self._evaluate(function["returns"], entity.module, entity.owner))
        if result is None or result.kind == "none":
            result = self._evaluate(function["hint"], entity.module, "") or result
        if result is None or result.kind != "value":
            return result
        info = self.module(entity.module)
        result = result._replace(origin=result.origin or (info.path if info is not None else ""))
        if set(function["decorators"]) - BINDING_DECORATORS:  # a cache or a fixture decides whose client it is
            result = result._replace(fresh=False)
        if function["hands_off"]:  # also registered for closing, or kept: the caller does not own it
            result = result._replace(fresh=False)
        if function["async"]:
            return result._replace(driver_type=DriverType(COROUTINE, result.driver_type.flavour,
                                                          result.driver_type))
        return result

    def type_of(self, entity: Optional[Entity]):
        """The model's view: a DriverType, a Foreign marker, or None."""
        if entity is None or entity.kind == "none":
            return None
        if entity.kind == "value":
            return entity.driver_type
        if entity.kind == "driver":
            return None
        return Foreign("project", entity)

    def exports_driver_objects(self, module: str) -> bool:
        """Does a module-level name, function or class of `module` give a driver object?"""
        info = self.module(module)
        if info is None:
            return False
        summary = info.summary
        names = list(summary["names"]) + list(summary["imports"]) + list(summary["functions"]) \
            + list(summary["classes"])
        if any(self.gives_driver_object(self._name_in_module(module, n), deep=False) for n in names):
            return True
        return any(self.gives_driver_object(self.resolve(self.absolute(module, level, target) or ""), deep=False)
                   for level, target in summary["stars"])

    def gives_driver_object(self, entity: Optional[Entity], deep: bool = True,
                            members: Optional[AbstractSet[str]] = None) -> bool:
        """Is the entity a driver object, or does it give one (called, or a member)?
        `deep`: a module counts when it exports one. `members`: of a class or an
        instance, only the members of these names count (those a text reads)."""
        if entity is None:
            return False
        if entity.kind in ("class", "instance") and members is not None:
            instance = entity._replace(kind="instance")
            return any(self.gives_driver_object(self.attribute(instance, name), deep=False)
                       for name in sorted(self._member_names(entity) & members))
        if entity.kind == "value" or entity.kind == "driver" and entity.name in driver.DRIVER_CLASSES:
            return True
        if entity.kind == "function":
            called = self.call(entity)
            return called is not None and called.kind == "value"
        if entity.kind in ("class", "instance"):  # `settings = Settings()` gives what its members do
            # Guarded: instances can hold each other (`self.tree = Tree()`, `self.root = Node()`).
            return self._book.memoized(("gives", entity.module, entity.name), lambda: bool(self._book.guarded(
                ("gives " + entity.module, entity.name), lambda: self._class_gives(entity))))
        if entity.kind == "module" and deep:
            return self.exports_driver_objects(entity.module)
        return False

    def _class_gives(self, entity: Entity) -> bool:
        return self.gives_driver_object(entity, members=self._member_names(entity))

    def _member_names(self, entity: Entity) -> frozenset:
        """The names of a project class's attributes and methods, its bases' included."""
        return self._book.memoized(("member names", entity.module, entity.name), lambda: frozenset(
            name for _, _, members in self._class_and_bases(entity, set())
            for part in ("attributes", "methods") for name in members[part]))

    def _class_and_bases(self, entity: Entity,
                         seen: Set[Tuple[str, str]]) -> Iterator[Tuple[Entity, ModuleInfo, dict]]:
        """A project class, then its bases depth first, each once: (the class as
        `entity`'s kind, its module, its members' summary)."""
        key = (entity.module, entity.name)
        info = self.module(entity.module)
        if key in seen or info is None or entity.name not in info.summary["classes"]:
            return
        seen.add(key)
        members = info.summary["classes"][entity.name]
        yield entity, info, members
        for base in members["bases"]:
            found = self._evaluate(base, entity.module, "")
            if found is not None and found.kind == "class":
                yield from self._class_and_bases(found._replace(kind=entity.kind), seen)

    def recording(self) -> ContextManager[Set[str]]:
        """`with index.recording() as consulted:` the modules a check looked at."""
        return self._book.recording()

    def fingerprint_of(self, module: str) -> Optional[str]:
        info = self._modules.get(module)
        return info.fingerprint if info is not None else None

    # -- evaluation ----------------------------------------------------------------

    def _name_in_module(self, module: str, name: str) -> Optional[Entity]:
        key = (module, name)
        if key in self._names:
            entity, consulted = self._names[key]
            self._book.record(consulted)
            return entity
        if self._book.is_cycle(key):
            return None  # an import cycle
        with self._book.under_way(key):
            entity, consulted = self._book.traced(lambda: self._compute_name(module, name))
        self._names[key] = (entity, consulted)
        return entity

    def _compute_name(self, module: str, name: str) -> Optional[Entity]:
        info = self.module(module)
        if info is None:
            return None
        summary = info.summary
        if name in summary["names"]:
            found = self._evaluate(summary["names"][name], module, "")
            if found is not None and found.kind == "value":
                return found._replace(fresh=False, origin=info.path)
            return found
        if name in summary["functions"]:
            return Entity("function", module, name)
        if name in summary["classes"]:
            return Entity("class", module, name)
        if name in summary["imports"]:
            return self._imported(module, *summary["imports"][name])
        for level, target in summary["stars"]:
            absolute = self.absolute(module, level, target)
            found = self._name_in_module(absolute, name) if absolute else None
            if found is not None:
                return found
        return None

    def _imported(self, module: str, level: int, target: str, name: Optional[str]) -> Optional[Entity]:
        absolute = self.absolute(module, level, target)
        if absolute is None:
            return None
        if name is None:
            return self.resolve(absolute)
        base = self.resolve(absolute)
        if base is None:
            return None
        found = self.attribute(base, name)
        if found is None and base.kind == "module" and self.module(f"{absolute}.{name}") is not None:
            return Entity("module", f"{absolute}.{name}")
        return found

    def _function_summary(self, entity: Entity) -> Optional[dict]:
        info = self.module(entity.module)
        if info is None:
            return None
        if not entity.owner:
            return info.summary["functions"].get(entity.name)
        owner = info.summary["classes"].get(entity.owner)
        return owner["methods"].get(entity.name) if owner is not None else None

    def _member(self, entity: Entity, name: str) -> Optional[Entity]:
        """An attribute or method of a project class, looked up through its bases."""
        for owner, info, members in self._class_and_bases(entity, set()):
            if name in members["attributes"]:
                return self._attribute_value(owner, info, members["attributes"][name], name)
            if name in members["methods"]:
                method = Entity("function", owner.module, name, owner.name)
                if owner.kind == "instance" and set(members["methods"][name]["decorators"]) & _PROPERTIES:
                    value = self.call(method)  # `repo.collection` runs the property
                    return value._replace(fresh=False) if value is not None and value.kind == "value" else value
                return method
        return None

    def _attribute_value(self, owner: Entity, info: ModuleInfo, expr: list, name: str) -> Optional[Entity]:
        found = self._book.guarded((owner.module + ":" + owner.name, name),
                                   lambda: self._evaluate(expr, owner.module, owner.name))
        # What an attribute holds was built once and is shared: not a new client.
        return found._replace(origin=info.path, fresh=False) if found is not None and found.kind == "value" \
            else found

    def _evaluate(self, expr: list, module: str, owner: str) -> Optional[Entity]:
        form = expr[0]
        if form == "ref":
            parts = expr[1].split(".")
            found = self._name_in_module(module, parts[0])
            for name in parts[1:]:
                found = self.attribute(found, name) if found is not None else None
            return found
        if form == "self":
            return Entity("instance", module, owner) if owner else None
        if form == "class":
            return Entity("class", module, owner) if owner else None
        if form == "none":
            return _NONE
        if form == "any":
            return self._either([self._evaluate(e, module, owner) for e in expr[1]])
        if form == "hint":
            return self._hinted(expr[1], module)
        inner = self._evaluate(expr[1], module, owner) if form in ("call", "attr", "item", "await") else None
        if inner is None:
            return None
        if form == "call":
            return self.call(inner)
        if form == "attr":
            return self.attribute(inner, expr[2])
        if inner.kind != "value" or inner.driver_type is None:
            return None
        if form == "item":
            derived = derivation.subscript_type(inner.driver_type)
        else:  # await
            derived = inner.driver_type.returns if inner.driver_type.kind == COROUTINE else None
        return inner._replace(driver_type=derived, fresh=False) if derived is not None else None

    def _hinted(self, names: List[list], module: str) -> Optional[Entity]:
        for name in names:
            found = self._evaluate(name, module, "")
            if found is not None and found.kind == "driver":
                declared = driver.driver_class(found.name)
                if declared is not None:
                    return Entity("value", driver_type=declared)
        return None

    @staticmethod
    def _either(entities: List[Optional[Entity]]) -> Optional[Entity]:
        """One entity when every branch agrees (`None` branches aside); else unknown."""
        known = [e for e in entities if e is not _NONE and e != _NONE]
        if not known:
            return _NONE
        if any(e is None for e in known):
            return None
        first = known[0]
        if all(e == first for e in known):
            return first
        if all(e.kind == "value" and e.driver_type == first.driver_type for e in known):
            return first._replace(fresh=all(e.fresh for e in known))
        return None
