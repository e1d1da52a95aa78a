"""MGL304 motor-deprecated."""

from __future__ import annotations

from typing import Dict, Iterator, List, Tuple

import libcst as cst

from mongolint.diagnostics import Applicability, Diagnostic, Fix
from mongolint.rules.base import Rule
from mongolint.rules.migration import motor_names as N
from mongolint.rules.migration.migrate_motor import Migration


class MotorDeprecated(Rule):
    code = "MGL304"
    name = "motor-deprecated"
    fix_applicability = Applicability.UNSAFE
    trigger_words = frozenset({"motor"})
    checks_unreachable_code = True  # a Motor import under `if TYPE_CHECKING:` is migrated too

    def check(self) -> Iterator[Diagnostic]:
        sites = self._sites()
        if not sites and not self._may_star_import():
            return
        migration = Migration(self.model)
        sites += [(star, "Motor is imported") for star in migration.survey.motor_star_imports]
        if not sites:
            return
        fix = None
        if not migration.blockers:
            fix = Fix("migrate the module from Motor to PyMongo Async", Applicability.UNSAFE,
                      migration.replacements())
        blocked: Dict[int, str] = {id(node): message for node, message in migration.blockers}
        tail = ("; this file is not migrated automatically: see its other MGL304 findings" if blocked
                else "; `mongolint migrate motor` rewrites it")
        for node, what in sites:
            own = blocked.pop(id(node), None)
            message = f"{what}: {N.DEPRECATION}" + (f"; not migrated: {own}" if own else tail)
            yield self.report(node, message, fix)
        for node, message in migration.blockers:
            if id(node) in blocked:
                yield self.report(node, f"not migrated: {message}")

    def _may_star_import(self) -> bool:
        """`from motor.motor_asyncio import *` binds no name the model sees; its
        names do (`AsyncIOMotorClient(...)` resolves to nothing)."""
        return any(name.startswith(("AsyncIOMotor", "Motor")) for name in self.model.index.names)

    def _sites(self) -> List[Tuple[cst.CSTNode, str]]:
        """One per import statement of Motor and one per construction of a Motor client."""
        sites, seen = [], set()
        for binding in self.model.index.imports:
            if N.is_motor(binding.qualified_name) and id(binding.node) not in seen:
                seen.add(id(binding.node))
                sites.append((binding.node, "Motor is imported"))
        for call in self.model.index.calls:
            qualified = self.model.qualified_name(call.func)
            if N.is_constructed_class(qualified):
                target = N.migrated_name(qualified)
                instead = f"; PyMongo Async's is `{target[1]}`" if target else ""
                sites.append((call, f"`{qualified.rsplit('.', 1)[-1]}` is Motor's{instead}"))
        return sites
