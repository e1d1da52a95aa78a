"""MGL401 unknown-client-option."""

from __future__ import annotations

from typing import Dict, Iterator, List

import libcst as cst

from mongolint.diagnostics import Applicability, Diagnostic, Fix
from mongolint.model import api
from mongolint.rules.base import Rule
from mongolint.rules.options._client_call import (EXACT_PARAMETERS, ClientCall, KeywordOption, closest_options,
                                                  client_calls, is_known_keyword, keyword_candidates,
                                                  names_in, single_close_match)
from mongolint.rules.options._uri import UriOption

_CLIENT_WORDS = frozenset({"MongoClient", "AsyncMongoClient", "AsyncIOMotorClient", "MotorClient"})


class UnknownClientOption(Rule):
    """A keyword or connection-string option the client does not accept.

    PyMongo 4.20 looks options up case-insensitively. An unknown keyword raises
    `ConfigurationError: Unknown option` in the constructor; an unknown URI
    option is only warned about and ignored. Options removed in PyMongo 4 are
    MGL402's.
    """

    code = "MGL401"
    name = "unknown-client-option"
    fix_applicability = Applicability.SAFE
    trigger_words = _CLIENT_WORDS

    def check(self) -> Iterator[Diagnostic]:
        for client in client_calls(self.model):
            for keyword in client.keywords:
                yield from self._check_keyword(client, keyword)
            yield from self._check_uri_options(client)

    def _check_keyword(self, client: ClientCall, keyword: KeywordOption) -> Iterator[Diagnostic]:
        name = keyword.name
        if is_known_keyword(name, client.flavour) or name.lower() in api.REMOVED_CLIENT_OPTIONS:
            return
        candidates = keyword_candidates(client.flavour)
        message = (f"`{name}` is not a client option: the constructor raises `ConfigurationError: "
                   f"Unknown option`{_did_you_mean(name, candidates)}")
        target = single_close_match(name, candidates)
        fix = None
        others = names_in(k for k in client.keywords if k is not keyword)
        # `Host=` -> `host=` could collide with the positional URI: no fix for the named parameters.
        if (target is not None and target not in EXACT_PARAMETERS and not client.open_keywords
                and target.lower() not in others):
            fix = Fix(f"rename to `{target}`", Applicability.SAFE,
                      {keyword.name_node: _renamed_key(keyword.name_node, target)})
        yield self.report(keyword.name_node, message, fix)

    def _check_uri_options(self, client: ClientCall) -> Iterator[Diagnostic]:
        # One finding per string (part): the engine keeps one finding per position.
        by_string: Dict[int, List[UriOption]] = {}
        for option in client.uri:
            lower = option.name.lower()
            if lower not in api.URI_OPTIONS and lower not in api.REMOVED_CLIENT_OPTIONS:
                by_string.setdefault(id(option.node), []).append(option)
        for options in by_string.values():
            messages = [_uri_message(option) for option in options]
            renames = {}
            for option in options:
                target = single_close_match(option.name, api.URI_OPTIONS)
                if (target is not None and option.name.lower() not in api.CLIENT_OPTIONS
                        and client.uri_option(target.lower()) is None):
                    renames[option] = target
            fix = None
            if renames:
                fix = Fix(", ".join(f"rename `{o.name}` to `{t}`" for o, t in renames.items())
                          + " (it then takes effect)", Applicability.UNSAFE,
                          {options[0].node: _renamed_in_string(options[0].node, renames)})
            yield self.report(options[0].node, "; ".join(messages), fix)


def _uri_message(option: UriOption) -> str:
    lower = option.name.lower()
    if lower in api.CLIENT_OPTIONS:
        return (f"`{option.name}` is not a connection-string option (only a keyword one): PyMongo warns "
                f"and ignores it; pass `{api.CLIENT_OPTIONS[lower]}=` to the constructor instead")
    return (f"`{option.name}` is not a connection-string option: PyMongo only warns and ignores it, "
            f"so it never takes effect{_did_you_mean(option.name, api.URI_OPTIONS)}")


def _did_you_mean(name: str, candidates: Dict[str, str]) -> str:
    close = closest_options(name, candidates)
    return f"; did you mean `{close[0]}`?" if close else ""


def _renamed_key(node: cst.CSTNode, target: str) -> cst.CSTNode:
    if isinstance(node, cst.Name):
        return cst.Name(target)
    assert isinstance(node, cst.SimpleString)
    opening = len(node.prefix) + len(node.quote)
    return node.with_changes(value=node.value[:opening] + target + node.value[len(node.value) - len(node.quote):])


def _renamed_in_string(node: cst.CSTNode, renames: Dict[UriOption, str]) -> cst.CSTNode:
    raw = node.value  # SimpleString and FormattedStringText both keep their raw text in `value`
    for option, target in sorted(renames.items(), key=lambda item: -item[0].start):
        raw = raw[:option.start] + target + raw[option.end:]
    return node.with_changes(value=raw)
