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


# Every rule, those off by default too (MGL403/MGL404 are the advice of seed 002).
SEED_SETTINGS = Settings(select=("ALL",))


@pytest.mark.parametrize("path", seed_fixtures(), ids=lambda p: p.stem)
def test_seed_fixture(path):
    report, actual = _findings(path, SEED_SETTINGS)
    expected = expected_findings(path.read_text(encoding="utf-8"))
    implemented = {rule.code for rule in SEED_SETTINGS.rules()}
    expected = {(line, code) for line, code in expected if code in implemented}
    assert actual == expected, _explain(path, report, expected, actual)


@pytest.mark.parametrize("path", rule_fixtures(), ids=lambda p: p.stem)
def test_fixture_has_enough_cases(path):
    text = path.read_text(encoding="utf-8")
    must_fire = len(expected_findings(text))
    must_not = len(re.findall(r"^\s*(?:async\s+)?def ok_|^class Ok", text, re.MULTILINE))
    assert must_fire >= MIN_CASES, f"{path.name}: {must_fire} must-fire cases"
    assert must_not >= MIN_CASES, f"{path.name}: {must_not} must-not-fire cases"


def _silenced_by_noqa(text: str) -> str:
    """The fixture with each `# error: CODES` marker turned into `# noqa: CODES`."""
    return re.sub(r"#\s*error:\s*(MGL\d{3}(?:\s*,\s*MGL\d{3})*)", r"# noqa: \1", text)


@pytest.mark.parametrize("path", [p for p in rule_fixtures() if p.stem != "MGL001"], ids=lambda p: p.stem)
def test_a_noqa_on_each_finding_silences_it_and_is_used(path):
    """Every rule's findings obey `# noqa: CODE` on their line, and MGL001 counts
    that directive as used (so reports nothing): the rules of every family reach
    the noqa machinery with the lines their findings are on."""
    text = _silenced_by_noqa(path.read_text(encoding="utf-8"))
    assert "# noqa: MGL" in text
    report = check_text(str(path), text, Settings(select=fixture_selection(path) + ("MGL001",)))
    assert report.error is None and not report.internal_errors, report
    assert [(f.line, f.code, f.message) for f in report.findings] == []
