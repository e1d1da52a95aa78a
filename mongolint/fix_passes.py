"""What the passes of `--fix` found and fixed, pass after pass.

`PassFindings`: one pass's diagnostics, located only when needed. `Ledger`:
what each pass fixed, counted once across passes, and the findings that fixes
created or made disappear without fixing them.
"""

from __future__ import annotations

from collections import Counter
from typing import Dict, List, Optional, Sequence, Tuple

from mongolint import engine
from mongolint.diagnostics import Diagnostic
from mongolint.findings import FileReport


class PassFindings:
    """The diagnostics of one pass. Positions (a walk of the whole module) are
    computed for the first pass, the last (their findings are reported) and
    any whose text has `# noqa` directives (which silence by line); the passes
    in between need only the nodes."""

    def __init__(self, analysis, diagnostics: List[Diagnostic], report: FileReport, located: bool) -> None:
        self.analysis, self.report = analysis, report
        self.located = False
        if located or analysis.suppressions.has_directives():
            self._locate(diagnostics)
        else:
            unique = {(d.code, id(d.node)): d for d in diagnostics}
            self.diagnostics = list(unique.values())

    def _locate(self, diagnostics: Sequence[Diagnostic]) -> None:
        pairs = engine.located(self.analysis, diagnostics)
        self.report.findings = sorted(finding for finding, _ in pairs)
        self.diagnostics = [d for _, d in pairs]
        self.located = True

    def locate(self) -> None:
        if not self.located:
            self._locate(self.diagnostics)


class Ledger:
    """What each pass fixed, and what changed that no fix meant to change.

    Findings are counted by code and function (fixes move lines and may change
    a message). From one pass to the next, a function's findings of a code
    should drop by the number fixed: more is a finding a fix made disappear
    without fixing it, and more than before is one a fix created. A fixed
    finding the next pass still finds is the same finding, fixed further (a
    client hoisted one loop level per pass), and counts once."""

    def __init__(self, applied: List[Tuple[str, str]], notes: List[str]) -> None:
        self.applied, self.notes = applied, notes
        self.previous: Optional[Counter] = None
        self.fixing: Counter = Counter()  # by (code, function): what the last pass fixed
        self.continuing: Counter = Counter()  # of those, how many the next pass still finds
        self.created: Counter = Counter()
        self.vanished: Counter = Counter()
        self.groups: Dict[int, tuple] = {}

    @staticmethod
    def _group(analysis, diagnostic: Diagnostic) -> tuple:
        function = analysis.model.enclosing_function(diagnostic.node)
        return diagnostic.code, function.name.value if function is not None else ""

    def found(self, analysis, diagnostics: Sequence[Diagnostic]) -> None:
        self.groups = {id(d): self._group(analysis, d) for d in diagnostics}
        current = Counter(self.groups.values())
        self.continuing = Counter()
        if self.previous is not None:
            for group in set(current) | set(self.previous):
                before, fixed, now = self.previous[group], self.fixing[group], current[group]
                if now > before:
                    self.created[group[0]] += now - before
                elif now < before - fixed:
                    self.vanished[group[0]] += before - fixed - now
                self.continuing[group] = min(fixed, max(0, now - (before - fixed)))
        self.previous = current

    def fixed(self, analysis, diagnostics: Sequence[Diagnostic]) -> None:
        fixing: Counter = Counter()
        for diagnostic in diagnostics:
            group = self.groups[id(diagnostic)]
            fixing[group] += 1
            if fixing[group] > self.continuing[group]:
                self.applied.append((diagnostic.code, diagnostic.fix.description))
        self.fixing = fixing

    def close(self) -> None:
        """Fixes of one rule must not change another rule's facts: say so."""
        for code, count in sorted(self.created.items()):
            self.notes.append(f"the fixes created {count} new {code} finding{'s' * (count != 1)}; "
                                      "check the fixed code")
        for code, count in sorted(self.vanished.items()):
            self.notes.append(f"{count} {code} finding{'s' * (count != 1)} disappeared without being "
                                      "fixed: a fix changed what the rule sees; check the fixed code")
