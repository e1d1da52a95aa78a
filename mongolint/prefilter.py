"""A cheap scan of the text that decides whether any selected rule could fire.

Every rule fires only in a module that imports or annotates with the driver, or
names a user-declared client factory, so a file that never spells those words
cannot produce a finding and is never parsed.
"""

from __future__ import annotations

import re
from typing import FrozenSet, Iterable, Pattern

_DRIVER_WORDS = ("pymongo", "motor", "MongoClient", "AsyncMongoClient", "AsyncIOMotorClient")


def build_pattern(client_factories: Iterable[str] = ()) -> Pattern[str]:
    words = set(_DRIVER_WORDS) | {f.rsplit(".", 1)[-1] for f in client_factories}
    return re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, words))) + r")\b")


DEFAULT_PATTERN = build_pattern()


def may_have_findings(text: str, pattern: Pattern[str] = DEFAULT_PATTERN) -> bool:
    return pattern.search(text) is not None


def trigger_words(factories: FrozenSet[str]) -> FrozenSet[str]:
    return frozenset(_DRIVER_WORDS) | {f.rsplit(".", 1)[-1] for f in factories}
