"""Every fixture gets exactly the findings marked in it, no more, no fewer."""

from __future__ import annotations

import re

import pytest

from fixture_markers import expected_findings, fixture_selection, rule_fixtures, seed_fixtures
from mongolint.config import Settings
from mongolint.engine import check_text

MIN_CASES = 10


def _findings(path, settings):
    report = check_text(str(path), path.read_text(encoding="utf-8"), settings)
    assert report.error is None and not report.internal_errors, report
    return report, {(f.line, f.code) for f in report.findings}


def _explain(path, report, expected, actual) -> str:
    lines = path.read_text(encoding="utf-8").splitlines()
    messages = {(f.line, f.code): f.message for f in report.findings}
    parts = []
    for line, code in sorted(expected - actual):
        parts.append(f"missing {code} at {path.name}:{line}: {lines[line - 1].strip()}")
    for line, code in sorted(actual - expected):
        parts.append(f"extra   {code} at {path.name}:{line}: {lines[line - 1].strip()}  -- {messages[(line, code)]}")
    return "\n".join(parts)


@pytest.mark.parametrize("path", rule_fixtures(), ids=lambda p: p.stem)
def test_rule_fixture(path):
    code = path.stem
    report, actual = _findings(path, Settings(select=fixture_selection(path)))
    expected = expected_findings(path.read_text(encoding="utf-8"))
    assert actual == expected, _explain(path, report, expected, actual)


@pytest.mark.parametrize("path", seed_fixtures(), ids=lambda p: p.stem)
def test_seed_fixture(path):
    report, actual = _findings(path, Settings())
    expected = expected_findings(path.read_text(encoding="utf-8"))
    implemented = {code for _, code in actual} | {c for c in Settings().rules() and [r.code for r in Settings().rules()]}
    expected = {(line, code) for line, code in expected if code in implemented}
    assert actual == expected, _explain(path, report, expected, actual)


@pytest.mark.parametrize("path", rule_fixtures(), ids=lambda p: p.stem)
def test_fixture_has_enough_cases(path):
    text = path.read_text(encoding="utf-8")
    must_fire = len(expected_findings(text))
    must_not = len(re.findall(r"^\s*(?:async\s+)?def ok_|^class Ok", text, re.MULTILINE))
    assert must_fire >= MIN_CASES, f"{path.name}: {must_fire} must-fire cases"
    assert must_not >= MIN_CASES, f"{path.name}: {must_not} must-not-fire cases"
