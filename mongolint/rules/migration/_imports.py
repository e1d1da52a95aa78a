"""Motor's imports and class names become PyMongo Async's, in code, annotations
and string annotations."""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Sequence, Tuple

import libcst as cst

from mongolint.model import SemanticModel
from mongolint.model import scopes as S
from mongolint.model.scopes import Binding
from mongolint.rules.migration import motor_names as N
from mongolint.rules.migration._plan import Plan
from mongolint.rules.migration._survey import Survey

NewImport = Tuple[str, str, Optional[str]]  # (module, name, alias)


def plan_imports(model: SemanticModel, survey: Survey, plan: Plan) -> None:
    statements: Dict[int, cst.CSTNode] = {}
    bindings: Dict[int, List[Binding]] = {}
    for binding in model.index.imports:
        if N.is_motor(binding.qualified_name):
            statements[id(binding.node)] = binding.node
            bindings.setdefault(id(binding.node), []).append(binding)
    renames: Dict[str, str] = {}
    emitted: set = set()  # (scope, import) written by an earlier statement
    for key, statement in statements.items():
        new_imports = _migrate_statement(model, survey, plan, statement, bindings[key], renames)
        scope = id(model.scope_of(statement))
        fresh = [item for item in new_imports if (scope, item) not in emitted]
        emitted.update((scope, item) for item in new_imports)
        _replace_statement(model, plan, statement, fresh)
    _rename_in_strings(survey, plan, renames)


def _migrate_statement(model, survey, plan, statement, bindings, renames) -> List[NewImport]:
    new: List[NewImport] = []
    for binding in bindings:
        qualified = binding.qualified_name or ""
        target = N.migrated_name(qualified)
        if _is_tornado(qualified):
            plan.block(statement, N.TORNADO)
        elif qualified.startswith("motor.aiohttp"):
            plan.block(statement, N.AIOHTTP)
        elif target is not None:
            new.append(_migrate_class_import(model, survey, plan, statement, binding, target, renames))
        elif isinstance(statement, cst.Import) or qualified in N.ASYNCIO_MODULES:
            new.extend(_migrate_module_import(model, survey, plan, statement, binding))
        else:
            plan.block(statement, f"`{qualified}` has no PyMongo Async equivalent")
    return _unique(new)


def _is_tornado(qualified: str) -> bool:
    return qualified.startswith("motor.motor_tornado") or (
        qualified.startswith("motor.Motor") and qualified.count(".") == 1)


def _migrate_class_import(model, survey, plan, statement, binding, target, renames) -> NewImport:
    module, name = target
    local = binding.name
    alias = _alias_of(statement, local)
    if alias is not None or local == name:
        return module, name, alias if alias != name else None
    if local in survey.exported:  # other modules import it by this name
        return module, name, local
    if not _can_bind(model, statement, target, binding):
        plan.block(statement, f"`{name}` is already a name in this module: import it under another name by hand")
        return module, name, None
    renames[local] = name
    for use in model.index.names.get(local, ()):
        if any(b is binding for b in model.bindings_of(use)):
            plan.edit(use, lambda node, name=name: node.with_changes(value=name))
    return module, name, None


def _alias_of(statement: cst.CSTNode, local: str) -> Optional[str]:
    for alias in statement.names if isinstance(statement.names, Sequence) else ():
        if alias.asname is not None and alias.asname.name.value == local:
            return local
    return None


def _can_bind(model: SemanticModel, statement: cst.CSTNode, target: Tuple[str, str], binding: Binding) -> bool:
    """May `target`'s name be bound where `statement` is (free, or already that import)?"""
    scope = model.scope_of(statement)
    name = target[1]
    for other in (scope.lookup(name) or []) + model.index.module_scope.bindings.get(name, []):
        if other is not binding and (other.kind != S.IMPORT or _split(other.qualified_name) != target):
            return False
    return True


def _already_imported(model: SemanticModel, statement: cst.CSTNode, item: NewImport) -> bool:
    module, name, alias = item
    bindings = model.scope_of(statement).lookup(alias or name) or []
    return any(b.kind == S.IMPORT and _split(b.qualified_name) == (module, name) for b in bindings)


def _split(qualified: Optional[str]) -> Optional[Tuple[str, str]]:
    if not qualified or "." not in qualified:
        return None
    module, name = qualified.rsplit(".", 1)
    return module, name


def _migrate_module_import(model, survey, plan, statement, binding) -> List[NewImport]:
    """`import motor.motor_asyncio` and its `motor.motor_asyncio.AsyncIOMotorClient`
    uses: each use becomes the bare PyMongo Async name, imported instead."""
    new: List[NewImport] = []
    for use in model.index.names.get(binding.name, ()):
        if not any(b is binding for b in model.bindings_of(use)):
            continue
        outer, target = _class_reference(model, use)
        if target is None and outer is use:
            plan.block(use, f"the module `{binding.qualified_name}` itself is used here (an availability check?): "
                            "PyMongo Async is part of `pymongo`; change this by hand")
            continue
        if target is None:
            plan.block(outer, f"`{model.qualified_name(outer) or binding.qualified_name}` has no PyMongo Async "
                              "equivalent")
            continue
        module, name = target
        if not _can_bind(model, statement, target, binding):
            plan.block(outer, f"`{name}` is already a name in this module: migrate this use by hand")
            continue
        plan.edit(outer, lambda node, name=name: cst.Name(name, lpar=node.lpar, rpar=node.rpar))
        new.append((module, name, None))
    return new + _module_references_in_strings(model, survey, plan, statement, binding)


def _module_references_in_strings(model, survey, plan, statement, binding) -> List[NewImport]:
    """`"ma.AsyncIOMotorDatabase"` in an annotation, for `from motor import motor_asyncio as ma`."""
    pattern = re.compile(r"(?<![\w.])" + re.escape(binding.name) + r"((?:\.\w+)+)")
    new: List[NewImport] = []
    for string in survey.annotation_strings:
        if not pattern.search(string.value):
            continue
        for match in pattern.finditer(string.value):
            target = N.migrated_name(binding.qualified_name + match.group(1))
            if target is None:
                plan.block(string, f"`{match.group(0)}` has no PyMongo Async equivalent")
            elif not _can_bind(model, statement, target, binding):
                plan.block(string, f"`{target[1]}` is already a name in this module: migrate this use by hand")
            else:
                new.append((target[0], target[1], None))
        plan.edit(string, lambda node, pattern=pattern, binding=binding: node.with_changes(value=pattern.sub(
            lambda m: (N.migrated_name(binding.qualified_name + m.group(1)) or ("", m.group(0)))[1], node.value)))
    return new


def _class_reference(model: SemanticModel, use: cst.Name):
    """The attribute chain that names a Motor class through a module, and its target."""
    node: cst.CSTNode = use
    parent = model.parent(node)
    while isinstance(parent, cst.Attribute) and parent.value is node:
        node = parent
        target = N.migrated_name(model.qualified_name(node))
        if target is not None:
            return node, target
        parent = model.parent(node)
    return node, None


def _unique(items: List[NewImport]) -> List[NewImport]:
    seen, result = set(), []
    for item in items:
        if item not in seen:
            seen.add(item)
            result.append(item)
    return result


# -- statements ----------------------------------------------------------------

def _replace_statement(model: SemanticModel, plan: Plan, statement: cst.CSTNode, new: List[NewImport]) -> None:
    kept = _non_motor_aliases(model, statement)
    new = [item for item in new if not _already_imported(model, statement, item)]
    small: List[cst.BaseSmallStatement] = [statement.with_changes(names=kept)] if kept else []
    by_module: Dict[str, List[cst.ImportAlias]] = {}
    for module, name, alias in new:
        by_module.setdefault(module, []).append(
            cst.ImportAlias(cst.Name(name), asname=cst.AsName(cst.Name(alias)) if alias else None))
    for module, aliases in by_module.items():
        small.append(cst.ImportFrom(module=_dotted(module), names=_with_commas(aliases)))
    line = model.parent(statement)
    if isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1:
        inner = [cst.EmptyLine(comment=cst.Comment(c)) for c in _COMMENT.findall(_code(statement))]
        if small:
            plan.edit(line, lambda node: _as_lines(node, small, inner))
        else:
            plan.remove_line(line, model.parent(line), _comment_lines(line) + inner)
    elif small:
        plan.edit(statement, lambda node: cst.FlattenSentinel(small))
    else:
        plan.edit(statement, lambda node: cst.RemovalSentinel.REMOVE)


def _comment_lines(line: cst.SimpleStatementLine) -> List[cst.EmptyLine]:
    lines = [e for e in line.leading_lines if e.comment is not None]
    if line.trailing_whitespace.comment is not None:
        lines.append(cst.EmptyLine(comment=line.trailing_whitespace.comment))
    return lines


def _non_motor_aliases(model, statement) -> List[cst.ImportAlias]:
    if not isinstance(statement, cst.Import):
        return []
    kept = [alias for alias in statement.names if not N.is_motor(_alias_qualified(alias))]
    return _with_commas(kept)


def _alias_qualified(alias: cst.ImportAlias) -> str:
    return _code(alias.name)


def _with_commas(aliases: List[cst.ImportAlias]) -> List[cst.ImportAlias]:
    return [a.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")) if i < len(aliases) - 1
                           else cst.MaybeSentinel.DEFAULT) for i, a in enumerate(aliases)]


_COMMENT = re.compile(r"#[^\r\n]*")  # import statements hold no strings


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def _as_lines(line: cst.SimpleStatementLine, small: List[cst.BaseSmallStatement], comments: List[cst.EmptyLine]):
    """The new import lines where the old one was; comments from inside its
    parentheses go above them."""
    lines = [cst.SimpleStatementLine(body=[s]) for s in small]
    lines[0] = lines[0].with_changes(leading_lines=list(line.leading_lines) + comments)
    lines[-1] = lines[-1].with_changes(trailing_whitespace=line.trailing_whitespace)
    return cst.FlattenSentinel(lines)


def _dotted(module: str) -> cst.BaseExpression:
    parts = module.split(".")
    node: cst.BaseExpression = cst.Name(parts[0])
    for part in parts[1:]:
        node = cst.Attribute(value=node, attr=cst.Name(part))
    return node


# -- string annotations --------------------------------------------------------

def _is_type_expression(string: cst.SimpleString) -> bool:
    try:
        parsed = cst.parse_expression(string.evaluated_value)
    except Exception:
        return False
    return _type_like(parsed)


def _type_like(node: cst.CSTNode) -> bool:
    if isinstance(node, (cst.Name, cst.SimpleString)):
        return True
    if isinstance(node, cst.Attribute):
        return _type_like(node.value)
    if isinstance(node, cst.Subscript):
        return _type_like(node.value) and all(
            isinstance(e.slice, cst.Index) and _type_like(e.slice.value) for e in node.slice)
    if isinstance(node, cst.BinaryOperation):
        return isinstance(node.operator, cst.BitOr) and _type_like(node.left) and _type_like(node.right)
    if isinstance(node, (cst.List, cst.Tuple)):
        return all(_type_like(e.value) for e in node.elements)
    return False


def _rename_in_strings(survey: Survey, plan: Plan, renames: Dict[str, str]) -> None:
    if not renames:
        return
    pattern = re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, renames)) + r")\b")
    for string in survey.annotation_strings:
        if pattern.search(string.value) and _is_type_expression(string):
            plan.edit(string, lambda node: node.with_changes(
                value=pattern.sub(lambda m: renames[m.group(1)], node.value)))
