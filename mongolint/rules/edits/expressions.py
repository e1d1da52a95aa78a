"""Small expression- and statement-level edits the fixes of MGL104, MGL2xx and
MGL3xx are made of. Each returns new nodes; the rule wraps them in a `Fix`."""

from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

import libcst as cst

from mongolint.model import SemanticModel


def with_keyword(call: cst.Call, keyword: str, value: cst.BaseExpression) -> cst.Call:
    """`call` with `keyword=value` appended, in the layout of its other arguments
    (one per line stays one per line; a trailing comma stays)."""
    args = list(call.args)
    new = cst.Arg(value=value, keyword=cst.Name(keyword),
                  equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                        whitespace_after=cst.SimpleWhitespace("")))
    if not args:
        return call.with_changes(args=[new])
    last = args[-1]
    if len(args) > 1 and isinstance(args[-2].comma, cst.Comma):
        separator = args[-2].comma.with_changes(whitespace_after=_bare(args[-2].comma.whitespace_after))
    elif isinstance(call.whitespace_before_args, cst.ParenthesizedWhitespace):
        separator = cst.Comma(whitespace_after=_bare(call.whitespace_before_args))
    else:
        separator = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    if isinstance(last.comma, cst.Comma):
        # `f(\n a,\n b,\n)`: the new argument takes over the trailing comma; a
        # comment after the old last argument stays on its line.
        closing = last.comma.whitespace_after
        args[-1] = last.with_changes(comma=separator.with_changes(
            whitespace_after=_keep_comment(closing, separator.whitespace_after)))
        new = new.with_changes(comma=last.comma.with_changes(whitespace_after=_bare(closing)))
    elif isinstance(last.whitespace_after_arg, cst.ParenthesizedWhitespace):
        # `f(\n a\n)`: the line break before `)` moves after the new argument.
        closing = last.whitespace_after_arg
        args[-1] = last.with_changes(comma=separator.with_changes(
            whitespace_after=_keep_comment(closing, separator.whitespace_after)),
            whitespace_after_arg=cst.SimpleWhitespace(""))
        new = new.with_changes(whitespace_after_arg=_bare(closing))
    return call.with_changes(args=args + [new])


def _keep_comment(source: cst.BaseParenthesizableWhitespace,
                  target: cst.BaseParenthesizableWhitespace) -> cst.BaseParenthesizableWhitespace:
    """`target`'s line break and indentation, with the comments `source` carries."""
    if isinstance(source, cst.ParenthesizedWhitespace) and isinstance(target, cst.ParenthesizedWhitespace):
        return target.with_changes(first_line=source.first_line, empty_lines=source.empty_lines)
    return target


def _bare(whitespace: cst.BaseParenthesizableWhitespace) -> cst.BaseParenthesizableWhitespace:
    """The same line break and indentation, without the comments it carries."""
    if isinstance(whitespace, cst.ParenthesizedWhitespace):
        return whitespace.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[])
    return whitespace


def without_keyword(call: cst.Call, keyword: str) -> Optional[cst.Call]:
    args = list(call.args)
    index = next((i for i, a in enumerate(args) if a.keyword is not None and a.keyword.value == keyword), None)
    if index is None:
        return None
    removed = args.pop(index)
    if args and index == len(args):  # it was the last: the new last takes its comma and line break
        args[-1] = args[-1].with_changes(comma=removed.comma, whitespace_after_arg=removed.whitespace_after_arg)
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
