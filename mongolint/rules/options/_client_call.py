"""The options a client constructor call is given, as the code spells them."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Dict, Iterable, Iterator, List, Optional, Union

import libcst as cst

from mongolint.model import SemanticModel, api, driver
from mongolint.model.types import MOTOR
from mongolint.rules.options._uri import UriOption, uri_options

# Keywords matched by exact spelling (`host`, `port`, private ones the constructor
# pops); every other keyword goes through **kwargs and is looked up case-insensitively.
EXACT_PARAMETERS = frozenset(api.EXACT_CLIENT_KEYWORDS)
UNKNOWN = object()  # a value that is not a literal


@dataclass(frozen=True)
class KeywordOption:
    name: str
    name_node: Union[cst.Name, cst.SimpleString]  # the keyword, or the key of a literal `**{...}`
    value: cst.BaseExpression


@dataclass
class ClientCall:
    call: cst.Call
    flavour: Optional[str]
    keywords: List[KeywordOption] = field(default_factory=list)
    uri: List[UriOption] = field(default_factory=list)
    # `**options` whose keys are not known: any option may be among them.
    open_keywords: bool = False

    def keyword(self, lower_name: str) -> Optional[KeywordOption]:
        found = [k for k in self.keywords if k.name.lower() == lower_name]
        return found[-1] if found else None

    def uri_option(self, lower_name: str) -> Optional[UriOption]:
        found = [o for o in self.uri if o.name.lower() == lower_name]
        return found[-1] if found else None


def client_calls(model: SemanticModel) -> Iterator[ClientCall]:
    """Every call of a driver client class in the module, with its options (test
    code aside)."""
    for call in model.index.calls:
        constructed = driver.CLIENT_CLASSES.get(model.qualified_name(call.func) or "")
        if constructed is None or model.done_on_purpose(call):
            continue
        client = ClientCall(call, constructed.flavour)
        for position, arg in enumerate(call.args):
            if arg.star == "**":
                _read_star_keywords(client, arg.value)
            elif arg.star == "*":
                client.open_keywords = True  # positional options beyond `host` are not read
            elif arg.keyword is None:
                if position == 0:
                    client.uri.extend(uri_options(model, arg.value))
            elif arg.keyword.value == "host":
                client.uri.extend(uri_options(model, arg.value))
            else:
                client.keywords.append(KeywordOption(arg.keyword.value, arg.keyword, arg.value))
        yield client


def _read_star_keywords(client: ClientCall, value: cst.BaseExpression) -> None:
    if not isinstance(value, cst.Dict):
        client.open_keywords = True
        return
    for element in value.elements:
        key = getattr(element, "key", None)
        if isinstance(key, cst.SimpleString) and "b" not in key.prefix.lower():
            name = key.evaluated_value
            if isinstance(name, str):
                client.keywords.append(KeywordOption(name, key, element.value))
                continue
        client.open_keywords = True


def is_known_keyword(name: str, flavour: Optional[str]) -> bool:
    if name in EXACT_PARAMETERS or (flavour == MOTOR and name in api.MOTOR_CLIENT_OPTIONS):
        return True
    lower = name.lower()
    return lower in api.CLIENT_OPTIONS and lower not in EXACT_PARAMETERS


def keyword_candidates(flavour: Optional[str]) -> Dict[str, str]:
    candidates = dict(api.CLIENT_OPTIONS)
    if flavour == MOTOR:
        candidates.update(api.MOTOR_CLIENT_OPTIONS)
    return candidates


def closest_options(name: str, candidates: Dict[str, str]) -> List[str]:
    """Canonical spellings of the valid options close to `name`, best first.

    A name that differs from an option only by case and underscores
    (`max_pool_size`) matches that option alone.
    """
    lower = name.lower()
    squeezed = lower.replace("_", "").replace("-", "")
    exact = [key for key in candidates if key.replace("_", "") == squeezed]
    if exact:
        return [candidates[key] for key in exact]
    matches = difflib.get_close_matches(lower, list(candidates), n=3, cutoff=0.75)
    return [candidates[key] for key in matches]


def single_close_match(name: str, candidates: Dict[str, str]) -> Optional[str]:
    """The one option `name` is surely a misspelling of, or None (several, or none close)."""
    lower = name.lower()
    squeezed = lower.replace("_", "").replace("-", "")
    exact = [key for key in candidates if key.replace("_", "") == squeezed]
    if len(exact) == 1:
        return candidates[exact[0]]
    if exact:
        return None
    close = difflib.get_close_matches(lower, list(candidates), n=2, cutoff=0.85)
    return candidates[close[0]] if len(close) == 1 else None


def literal_value(expr: cst.BaseExpression) -> object:
    """The Python value of a literal (numbers, strings, True/False/None), else UNKNOWN."""
    if isinstance(expr, cst.Integer):
        return int(expr.evaluated_value)
    if isinstance(expr, cst.Float):
        return float(expr.evaluated_value)
    if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString)):
        value = expr.evaluated_value
        return value if isinstance(value, str) else UNKNOWN
    if isinstance(expr, cst.Name) and expr.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[expr.value]
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Minus):
        inner = literal_value(expr.expression)
        if isinstance(inner, (int, float)) and not isinstance(inner, bool):
            return -inner
    if isinstance(expr, (cst.List, cst.Tuple)):
        items = [literal_value(e.value) for e in expr.elements if not isinstance(e, cst.StarredElement)]
        if len(items) == len(expr.elements) and all(i is not UNKNOWN for i in items):
            return list(items)
    return UNKNOWN


def names_in(keywords: Iterable[KeywordOption]) -> set:
    return {k.name.lower() for k in keywords}
