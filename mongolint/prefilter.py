"""A cheap scan of the text that decides whether any selected rule could fire.

Every rule fires only in a module that imports or annotates with the driver, or
names a user-declared client factory, so a file that never spells those words
cannot produce a finding and is never parsed.
"""

from __future__ import annotations

import re
from typing import FrozenSet, Iterable, Pattern

_DRIVER_WORDS = ("pymongo", "motor", "MongoClient", "AsyncMongoClient", "AsyncIOMotorClient")


class TriggerPattern:
    """The words, word-bounded (`start_transaction_sql` is not `start_transaction`).
    A plain substring test comes first: it is many times faster than the regex
    and rules out almost every file that does not use the driver."""

    def __init__(self, words: Iterable[str]) -> None:
        self.words = tuple(sorted(set(words)))
        self.regex: Pattern[str] = re.compile(r"\b(?:" + "|".join(map(re.escape, self.words)) + r")\b")

    def search(self, text: str):
        if not any(word in text for word in self.words):
            return None
        return self.regex.search(text)


def build_pattern(client_factories: Iterable[str] = ()) -> TriggerPattern:
    return TriggerPattern(set(_DRIVER_WORDS) | {f.rsplit(".", 1)[-1] for f in client_factories})


DEFAULT_PATTERN = build_pattern()


def may_have_findings(text: str, pattern: TriggerPattern = DEFAULT_PATTERN) -> bool:
    return pattern.search(text) is not None


def trigger_words(factories: FrozenSet[str]) -> FrozenSet[str]:
    return frozenset(_DRIVER_WORDS) | {f.rsplit(".", 1)[-1] for f in factories}
