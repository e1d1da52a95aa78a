"""MGL001 unused-noqa: a `# noqa: MGL...` code that silences nothing, or is no code at all."""

from __future__ import annotations

from typing import Dict, Iterator, List, Optional, Tuple

import libcst as cst

from mongolint.diagnostics import Applicability, Diagnostic, Fix
from mongolint.noqa import Directive, NoqaUsage
from mongolint.rules.base import Rule


class UnusedNoqa(Rule):
    """Runs after the other rules, on what their findings' `# noqa` comments
    silenced. Only `MGL` codes are judged (the others belong to other tools), only
    for rules that ran on the file, and a bare `# noqa` never (flake8's plugins
    may rely on it)."""

    code = "MGL001"
    name = "unused-noqa"
    fix_applicability = Applicability.SAFE
    trigger_words = frozenset({"noqa"})
    after_noqa = True
    # A directive in code that cannot run is still in the source (and findings
    # there are dropped, so one naming them silences nothing).
    checks_unreachable_code = True

    def __init__(self, model, usage: NoqaUsage) -> None:
        super().__init__(model)
        self.usage = usage

    def check(self) -> Iterator[Diagnostic]:
        comments = _comments_in_order(self.model.module)
        for directive in self.usage.suppressions.directives():
            if directive.codes is None or self.code in directive.codes:
                continue
            unknown = [c for c in directive.codes if c.startswith("MGL") and c not in self.usage.known_codes]
            unused = [c for c in directive.codes if c in self.usage.checked_codes
                      and not self.usage.silenced_by(directive, c)]
            if not (unknown or unused) or directive.comment >= len(comments):
                continue
            comment, holder = comments[directive.comment]
            yield self.report(comment, _message(unknown, unused),
                              self._fix(comment, holder, directive, set(unknown + unused)))

    def _fix(self, comment: cst.Comment, holder: Optional[cst.TrailingWhitespace], directive: Directive,
             dropped) -> Fix:
        kept = [c for c in directive.codes or () if c not in dropped]
        start, end = directive.start - directive.comment_column, directive.end - directive.comment_column
        if comment.value[start:end].lower().lstrip("# ").startswith("mongolint"):
            replacement = "# mongolint: noqa: " + ", ".join(kept) if kept else ""
        else:
            replacement = "# noqa: " + ", ".join(kept) if kept else ""
        before, after = comment.value[:start].rstrip(), comment.value[end:].lstrip()
        text = "  ".join(part for part in (before, replacement, after) if part)
        if text and not text.startswith("#"):
            text = "# " + text
        description = "remove the unused `noqa` codes" if kept else "remove the unused `noqa` directive"
        if text:
            return Fix(description, Applicability.SAFE, {comment: comment.with_changes(value=text)})
        if holder is not None:  # no trailing spaces left where the comment was
            return Fix(description, Applicability.SAFE,
                       {holder: holder.with_changes(whitespace=cst.SimpleWhitespace(""), comment=None)})
        return Fix(description, Applicability.SAFE, {comment: cst.RemoveFromParent()})


def _message(unknown: List[str], unused: List[str]) -> str:
    parts = []
    if unused:
        parts.append(f"unused `noqa` code{'s' * (len(unused) > 1)} {', '.join(unused)}: nothing is silenced")
    if unknown:
        parts.append(f"unknown code{'s' * (len(unknown) > 1)} {', '.join(unknown)} in `noqa`")
    return "; ".join(parts) + "; remove " + ("them" if len(unused) + len(unknown) > 1 else "it")


def _comments_in_order(module: cst.Module) -> List[Tuple[cst.Comment, Optional[cst.TrailingWhitespace]]]:
    """Every comment node, in source order (the n-th is the n-th comment token),
    with the trailing whitespace that holds it when it ends a line of code."""
    found: List[Tuple[cst.Comment, Optional[cst.TrailingWhitespace]]] = []
    holders: Dict[int, cst.TrailingWhitespace] = {}

    class _Collect(cst.CSTVisitor):
        def visit_TrailingWhitespace(self, node: cst.TrailingWhitespace) -> None:
            if node.comment is not None:
                holders[id(node.comment)] = node

        def visit_Comment(self, node: cst.Comment) -> None:
            found.append((node, holders.get(id(node))))

    module.visit(_Collect())
    return found

