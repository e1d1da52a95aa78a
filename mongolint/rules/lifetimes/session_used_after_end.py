"""MGL106 session-used-after-end."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from mongolint.diagnostics import Diagnostic
from mongolint.model.after import loads_after
from mongolint.model.types import SESSION
from mongolint.rules.base import Rule
from mongolint.rules.lifetimes._ended import endings, rebound_inside

# What raises `InvalidOperation: Cannot use ended session` on an ended session
# (PyMongo 4.20: `_check_ended()`); `bind()` itself does not, the operations
# under it do. `end_session()` again, `has_ended`, `client` and the cluster
# and operation times are fine.
_CHECKS_ENDED = frozenset({"start_transaction", "with_transaction", "commit_transaction",
                           "abort_transaction", "session_id", "bind"})


class SessionUsedAfterEnd(Rule):
    code = "MGL106"
    name = "session-used-after-end"
    quiet_where_raise_expected = True
    trigger_words = frozenset({"start_session", "end_session"})

    def check(self) -> Iterator[Diagnostic]:
        reported = set()
        for ending in endings(self.model, SESSION, frozenset({"end_session"}), with_ends=True):
            if rebound_inside(self.model, ending):
                continue  # the name holds another session when the block ends
            where = ("its `with` block ended" if ending.by_with
                     else f"`{ending.name}.end_session()`")
            for load in loads_after(self.model, ending.statement, ending.name, ending.scope):
                use = _use_of(self.model, load)
                if use is None or id(load) in reported:
                    continue
                reported.add(id(load))
                yield self.report(load, f"session `{ending.name}` is {use} after {where}: this raises "
                                        f"`InvalidOperation: Cannot use ended session`")


def _use_of(model, load: cst.Name) -> Optional[str]:
    parent = model.parent(load)
    if isinstance(parent, cst.Arg) and parent.value is load and parent.keyword is not None \
            and parent.keyword.value == "session":
        return "passed as `session=`"
    if isinstance(parent, cst.Attribute) and parent.value is load and parent.attr.value in _CHECKS_ENDED:
        return f"used (`{parent.attr.value}`)"
    return None
