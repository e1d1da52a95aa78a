"""What a rule is: a small class that reads the semantic model and reports."""

from __future__ import annotations

from typing import ClassVar, Iterator, Optional

import libcst as cst

from mongolint.diagnostics import Applicability, Diagnostic, Fix
from mongolint.model import SemanticModel


class Rule:
    """Subclasses set the class attributes and implement `check`.

    `check` reads the model (never files, the CLI or flake8) and yields
    diagnostics; the rule's documentation is `docs/rules/<code>.md`.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    fix_applicability: ClassVar[Optional[Applicability]] = None
    enabled_by_default: ClassVar[bool] = True
    # Words whose presence in a file makes a finding possible (the pre-filter).
    trigger_words: ClassVar[frozenset] = frozenset()
    # A rule about `# noqa` comments runs after the others, on what they silenced
    # (it is built with the model and a `noqa.NoqaUsage`).
    after_noqa: ClassVar[bool] = False
    # Findings in code that cannot run (after a `return`, under `if TYPE_CHECKING:`)
    # are dropped, unless the rule is about the source itself (MGL304's imports).
    checks_unreachable_code: ClassVar[bool] = False
    # No finding is reported where a test expects an exception (`with
    # pytest.raises(...)`, `self.assertRaises(...)`): either the finding says the
    # code raises (`InvalidOperation`, `TypeError`), which is what the test
    # checks, or it is about an object whose construction the test expects to
    # raise, so none is built.
    quiet_where_raise_expected: ClassVar[bool] = False

    def __init__(self, model: SemanticModel) -> None:
        self.model = model

    def check(self) -> Iterator[Diagnostic]:
        raise NotImplementedError

    def report(self, node: cst.CSTNode, message: str, fix: Optional[Fix] = None) -> Diagnostic:
        return Diagnostic(self.code, message, node, fix)
