"""The pre-filter reads imports and names from a file's text without a parse.
Where a name is written is found with `str.find` (a regex compiled for every
imported name was most of the pre-filter's cost); these properties hold it to
the regexes it replaces, on text made of the characters that matter."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from mongolint.model.project_view import _is_named, _uses

# Names, dots, quotes, blanks, brackets and a letter that is a word character
# outside ASCII: what decides whether a name is written as a whole name.
_TEXT = st.text(alphabet="ab_1.\"' \t\n()=:,é", max_size=60)
_NAME = st.sampled_from(["a", "ab", "b_", "_a1", "é"])


@settings(max_examples=400, deadline=None)
@given(text=_TEXT, name=_NAME)
def test_a_use_is_where_the_regex_finds_the_whole_name(text, name):
    pattern = re.compile(r"(?<![\w.])" + re.escape(name) + r"(?!\w)")
    assert list(_uses(text, name)) == [match.span() for match in pattern.finditer(text)]


@settings(max_examples=400, deadline=None)
@given(text=_TEXT, name=_NAME)
def test_a_name_counts_as_written_outside_quotes_as_the_word_regex_reads_it(text, name):
    words = set(re.findall(r"(?<![\w\"'])[^\W\d]\w*(?![\w\"'])", text))
    assert _is_named(text, name) == (name in words)


def test_an_attribute_or_a_longer_name_is_not_a_use():
    assert list(_uses("x.Document, Documents, Document.objects", "Document")) == [(23, 31)]
    assert not _is_named("__all__ = ['Document', \"Document\"]", "Document")
