"""The Motor -> PyMongo Async migration of one module, as one edit or not at all.

Designed to grow across modules: `migrate` asks `MotorTypes` what each
expression is; once the project index can say that a parameter receives a
Motor object from another module, the same plan applies there.
"""

from __future__ import annotations

from collections import Counter
from typing import List, NamedTuple, Optional, Tuple

import libcst as cst

from mongolint.model import SemanticModel
from mongolint.rules.migration._calls import MotorTypes, plan_attributes, plan_calls
from mongolint.rules.migration._imports import plan_imports
from mongolint.rules.migration._plan import Plan
from mongolint.rules.migration._survey import Survey


class Migration(NamedTuple):
    module: Optional[cst.Module]  # None when something stops it
    blockers: List[Tuple[cst.CSTNode, str]]


def migrate(model: SemanticModel) -> Migration:
    survey = Survey.of(model.module)
    plan = Plan()
    plan_imports(model, survey, plan)
    types = MotorTypes(model, survey)
    plan_calls(model, types, plan)
    plan_attributes(model, types, survey, plan)
    if plan.blockers:
        return Migration(None, plan.blockers)
    migrated = plan.apply(model.module)
    regressions = _new_async_mistakes(model, migrated)
    if regressions:
        first = next(iter(model.index.imports))
        return Migration(None, [(first.node, f"the migration would leave {regressions} (an internal limit of the "
                                             "codemod): migrate this file by hand")])
    return Migration(migrated, [])


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
