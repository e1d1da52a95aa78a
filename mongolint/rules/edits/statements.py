"""Statement-level rewrites that keep comments: the shape of a block, a span
of its statements, a `with` or `try/finally` around them. Each returns new
nodes or a `Fix`, or None when the code does not have the simple shape the
rewrite is sure about.
"""

from __future__ import annotations

from typing import Callable, FrozenSet, List, Optional, Sequence, Tuple

import libcst as cst

from mongolint.diagnostics import Applicability, Fix
from mongolint.model import SemanticModel
from mongolint.model.lifetime import uses_of_binding

Block = cst.CSTNode  # IndentedBlock or Module


def statement_line(model: SemanticModel, node: cst.CSTNode) -> Optional[cst.SimpleStatementLine]:
    """The line of a single small statement that holds `node`."""
    small = model.enclosing_statement(node)
    line = model.parent(small) if small is not None else None
    if isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1:
        return line
    return None


def position_in_block(model: SemanticModel, statement: cst.CSTNode) -> Tuple[Optional[Block], int]:
    block = model.parent(statement)
    if isinstance(block, (cst.IndentedBlock, cst.Module)):
        for index, child in enumerate(block.body):
            if child is statement:
                return block, index
    return None, -1


def top_level_index(model: SemanticModel, block: Block, node: cst.CSTNode) -> Optional[int]:
    """Index of the statement of `block` that contains `node`."""
    child = node
    for ancestor in model.ancestors(node):
        if ancestor is block:
            for index, statement in enumerate(block.body):
                if statement is child:
                    return index
            return None
        child = ancestor
    return None


def is_call_statement(statement: cst.CSTNode, receiver: str, methods: FrozenSet[str]) -> bool:
    """`receiver.method()` or `await receiver.method()` alone on a line."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    small = statement.body[0]
    if not isinstance(small, cst.Expr):
        return False
    value = small.value.expression if isinstance(small.value, cst.Await) else small.value
    return (isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute)
            and isinstance(value.func.value, cst.Name) and value.func.value.value == receiver
            and value.func.attr.value in methods)


def span_of_uses(model: SemanticModel, block: Block, start: int, binding, scope) -> Optional[int]:
    """Index of the last statement of `block` after `start` that uses the name;
    None when a use lies outside the block or there is none."""
    last = None
    for use in uses_of_binding(model, binding, scope):
        index = top_level_index(model, block, use)
        if index is None:
            return None
        if index > start:
            last = index if last is None else max(last, index)
    return last


def trailing_comment_lines(statement: cst.BaseStatement) -> List[cst.EmptyLine]:
    """A dropped line's `# comment` after the code, as a line of its own."""
    trailing = getattr(statement, "trailing_whitespace", None)
    if trailing is not None and trailing.comment is not None:
        return [cst.EmptyLine(comment=trailing.comment)]
    return []


def with_block(item: cst.BaseExpression, name: Optional[str], body: Sequence[cst.BaseStatement],
               is_async: bool, leading_lines=(), footer=(), replaces: Optional[cst.CSTNode] = None) -> cst.With:
    """`with item as name:` over `body`; the replaced line's comment stays on the header."""
    asname = cst.AsName(name=cst.Name(name)) if name else None
    header = getattr(replaces, "trailing_whitespace", None) or cst.TrailingWhitespace()
    return cst.With(
        items=[cst.WithItem(item=item, asname=asname)],
        body=cst.IndentedBlock(body=list(body) or [cst.SimpleStatementLine([cst.Pass()])],
                               footer=list(footer), header=header),
        asynchronous=cst.Asynchronous() if is_async else None,
        leading_lines=leading_lines,
    )


def try_finally_block(body: Sequence[cst.BaseStatement], final: cst.BaseStatement, footer=()) -> cst.Try:
    return cst.Try(body=cst.IndentedBlock(body=list(body), footer=list(footer)),
                   finalbody=cst.Finally(body=cst.IndentedBlock(body=[final])))


def replace_span(block: Block, start: int, end: int, new: Sequence[cst.BaseStatement],
                 description: str, applicability: Applicability) -> Fix:
    """Replace statements `start..end` (inclusive) of `block` by `new`."""
    body = list(block.body)
    replaced = block.with_changes(body=body[:start] + list(new) + body[end + 1:])
    return Fix(description, applicability, {block: replaced})


def without(statements: Sequence[cst.BaseStatement], drop: Callable[[cst.BaseStatement], bool]
            ) -> Tuple[List[cst.BaseStatement], List[cst.EmptyLine]]:
    """The statements `drop` rejects removed; their comments move to the next
    statement kept, or come back as trailing lines for the block's footer."""
    kept: List[cst.BaseStatement] = []
    pending: List[cst.EmptyLine] = []
    for statement in statements:
        if drop(statement):
            pending.extend(statement.leading_lines)
            pending.extend(trailing_comment_lines(statement))
            continue
        if pending:
            statement = statement.with_changes(leading_lines=pending + list(statement.leading_lines))
            pending = []
        kept.append(statement)
    return kept, [line for line in pending if line.comment is not None]


def body_start(statements: Sequence[cst.BaseStatement]) -> List[cst.BaseStatement]:
    """The statements of a new block, without blank lines right under its header."""
    statements = list(statements)
    if statements:
        lines = list(statements[0].leading_lines)
        while lines and lines[0].comment is None:
            lines.pop(0)
        statements[0] = statements[0].with_changes(leading_lines=lines)
    return statements


def block_indentation(model: SemanticModel, block: Block) -> str:
    """The whitespace a statement of `block` starts with."""
    default = model.module.default_indent
    indents = [b.indent if b.indent is not None else default
               for b in [block, *model.ancestors(block)] if isinstance(b, cst.IndentedBlock)]
    return "".join(reversed(indents))


def moved_one_level_in(model: SemanticModel, block: Block,
                       statements: Sequence[cst.BaseStatement]) -> List[cst.BaseStatement]:
    """`statements`, taken out of `block` to be the body of a new `with` or
    `try` in its place: no blank line right under the new header, whitespace-only
    lines as they were written, backslash continuation lines indented with the
    code they continue."""
    indentation = block_indentation(model, block)
    default = model.module.default_indent
    return body_start([statement.visit(_LayoutAsWritten(indentation, default, default))
                       for statement in statements])


class _LayoutAsWritten(cst.CSTTransformer):
    def __init__(self, indentation: str, default_indent: str, deeper_by: str) -> None:
        super().__init__()
        self.stack = [indentation]
        self.default_indent = default_indent
        self.deeper_by = deeper_by

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> bool:
        self.stack.append(self.stack[-1] + (node.indent if node.indent is not None else self.default_indent))
        return True

    def leave_IndentedBlock(self, original_node, updated_node):
        self.stack.pop()
        return updated_node

    def leave_EmptyLine(self, original_node: cst.EmptyLine, updated_node: cst.EmptyLine) -> cst.EmptyLine:
        if updated_node.comment is not None or not updated_node.indent:
            return updated_node
        # The lines a statement owns sit in its block; a nested block's footer in that block too.
        return updated_node.with_changes(
            indent=False, whitespace=cst.SimpleWhitespace(self.stack[-1] + updated_node.whitespace.value))

    def leave_SimpleWhitespace(self, original_node, updated_node: cst.SimpleWhitespace) -> cst.SimpleWhitespace:
        if "\\\n" not in updated_node.value and "\\\r" not in updated_node.value:
            return updated_node
        lines = updated_node.value.split("\n")
        return updated_node.with_changes(value="\n".join([lines[0]] + [self.deeper_by + line for line in lines[1:]]))
