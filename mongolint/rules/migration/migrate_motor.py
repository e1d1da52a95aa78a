"""The Motor -> PyMongo Async migration of one module, as one edit or not at all.

Designed to grow across modules: the plan asks `MotorTypes` what each
expression is; once the project index can say that a parameter receives a
Motor object from another module, the same plan applies there.
"""

from __future__ import annotations

from collections import Counter
from typing import Iterator, List, Mapping, Optional, Tuple

import libcst as cst

from mongolint.model import SemanticModel
from mongolint.rules.migration._calls import MotorTypes, plan_attributes, plan_calls, plan_subclasses
from mongolint.rules.migration._imports import plan_imports
from mongolint.rules.migration._plan import Plan
from mongolint.rules.migration._survey import Survey


class MigrationRefused(Exception):
    """The rewrite would leave async mistakes the original did not have (a limit of the codemod)."""


class Migration:
    def __init__(self, model: SemanticModel) -> None:
        self.model = model
        survey = self.survey = Survey.of(model.module)
        self.plan = Plan()
        for star in survey.motor_star_imports:
            self.plan.block(star, "a star import of Motor: import the names the module uses, then migrate")
        plan_imports(model, survey, self.plan)
        types = MotorTypes(model, survey)
        plan_calls(model, types, self.plan)
        plan_attributes(model, types, survey, self.plan)
        plan_subclasses(model, self.plan)
        self._migrated: Optional[cst.Module] = None

    @property
    def blockers(self) -> List[Tuple[cst.CSTNode, str]]:
        return self.plan.blockers

    def replacements(self) -> Mapping[cst.CSTNode, cst.Module]:
        """The module -> its migration, computed only when a fix is applied (a
        check never pays for the rewrite)."""
        return _Lazy(self)

    def migrated(self) -> cst.Module:
        if self._migrated is None:
            migrated = self.plan.apply(self.model.module)
            regressions = _new_async_mistakes(self.model, migrated)
            if regressions:
                raise MigrationRefused(f"the Motor migration would leave {regressions}: migrate this file by hand")
            self._migrated = migrated
        return self._migrated


class _Lazy(Mapping):
    def __init__(self, migration: Migration) -> None:
        self.migration = migration
        self.module = migration.model.module

    def __getitem__(self, key):
        if key is not self.module:
            raise KeyError(key)
        return self.migration.migrated()

    def __iter__(self) -> Iterator[cst.CSTNode]:
        return iter((self.module,))

    def __len__(self) -> int:
        return 1


def _new_async_mistakes(model: SemanticModel, migrated: cst.Module) -> str:
    """The migrated module must not have MGL301/MGL302/MGL305 findings the original did not."""
    from mongolint.rules.sync_async.await_non_awaitable import AwaitNonAwaitable
    from mongolint.rules.sync_async.missing_await import MissingAwait
    from mongolint.rules.sync_async.sync_iteration_of_async_cursor import SyncIterationOfAsyncCursor

    after_model = SemanticModel(migrated, module_name=model.module_name, client_factories=model.client_factories)
    before, after = Counter(), Counter()
    for rule in (AwaitNonAwaitable, MissingAwait, SyncIterationOfAsyncCursor):
        before[rule.code] += sum(1 for _ in rule(model).check())
        after[rule.code] += sum(1 for _ in rule(after_model).check())
    worse = sorted(code for code in after if after[code] > before[code])
    return ", ".join(f"{after[c] - before[c]} new {c} finding(s)" for c in worse)
