"""Small expression- and statement-level edits the fixes of MGL104, MGL2xx and
MGL3xx are made of. Each returns new nodes; the rule wraps them in a `Fix`."""

from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

import libcst as cst

from mongolint.model import SemanticModel


def with_keyword(call: cst.Call, keyword: str, value: cst.BaseExpression) -> cst.Call:
    """`call` with `keyword=value` appended, in the layout of its other arguments."""
    args = list(call.args)
    new = cst.Arg(value=value, keyword=cst.Name(keyword),
                  equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                        whitespace_after=cst.SimpleWhitespace("")))
    if not args:
        return call.with_changes(args=[new])
    last = args[-1]
    if isinstance(last.comma, cst.Comma):
        # A trailing comma: the new argument goes after it, on its own line when
        # the others are, and keeps the trailing comma.
        separator = args[-2].comma if len(args) > 1 and isinstance(args[-2].comma, cst.Comma) else None
        if separator is None:
            separator = cst.Comma(whitespace_after=call.whitespace_before_args) \
                if isinstance(call.whitespace_before_args, cst.ParenthesizedWhitespace) \
                else cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        args[-1] = last.with_changes(comma=separator)
        new = new.with_changes(comma=last.comma)
    return call.with_changes(args=args + [new])


def without_keyword(call: cst.Call, keyword: str) -> Optional[cst.Call]:
    args = list(call.args)
    index = next((i for i, a in enumerate(args) if a.keyword is not None and a.keyword.value == keyword), None)
    if index is None:
        return None
    removed = args.pop(index)
    if args and index == len(args):  # it was the last: the new last keeps its comma style
        args[-1] = args[-1].with_changes(comma=removed.comma)
    return call.with_changes(args=args)


def awaited(model: SemanticModel, expr: cst.BaseExpression) -> cst.Await:
    """`await expr`, parenthesised where the surrounding expression needs it."""
    if expr.lpar:  # `(coll.find_one(q))` -> `(await coll.find_one(q))`
        return cst.Await(expression=expr.with_changes(lpar=[], rpar=[]), lpar=expr.lpar, rpar=expr.rpar)
    parent = model.parent(expr)
    tight = (isinstance(parent, (cst.Attribute, cst.Subscript)) and parent.value is expr) or \
        (isinstance(parent, cst.Call) and parent.func is expr)
    if tight:
        return cst.Await(expression=expr, lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return cst.Await(expression=expr)


def needs_parens_as_receiver(expr: cst.BaseExpression) -> bool:
    """Must `expr` be parenthesised to take `.attribute` after it?"""
    if expr.lpar:
        return False
    return not isinstance(expr, (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.List, cst.Dict,
                                 cst.Tuple, cst.ListComp, cst.DictComp, cst.SetComp, cst.Set))


def comment_lines(statement: cst.CSTNode) -> List[cst.EmptyLine]:
    """The comments a statement carries (above it and after it on its line)."""
    lines = [line for line in getattr(statement, "leading_lines", ()) if line.comment is not None]
    trailing = getattr(statement, "trailing_whitespace", None)
    if trailing is not None and trailing.comment is not None:
        lines.append(cst.EmptyLine(comment=trailing.comment))
    return lines


def remove_last_statement(block: cst.IndentedBlock) -> Optional[cst.IndentedBlock]:
    """`block` without its last statement, whose comments move to the block's footer."""
    body = list(block.body)
    if len(body) < 2:
        return None
    dropped = body.pop()
    return block.with_changes(body=body, footer=comment_lines(dropped) + list(block.footer))


def move_before(statement: cst.SimpleStatementLine, owner: cst.BaseCompoundStatement,
                rest: Sequence[cst.BaseStatement]) -> Tuple[cst.BaseStatement, cst.BaseStatement]:
    """`statement` taken out of the start of `owner`'s body and put above `owner`
    (which keeps `rest`); the comments above `owner` go above the moved line."""
    moved = statement.with_changes(leading_lines=list(owner.leading_lines) + list(statement.leading_lines))
    body = list(rest) or [cst.SimpleStatementLine([cst.Pass()])]
    new_owner = owner.with_changes(leading_lines=[], body=owner.body.with_changes(body=body))
    return moved, new_owner
