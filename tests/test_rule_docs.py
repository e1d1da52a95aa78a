"""Rule pages (`docs/rules/<CODE>.md`) agree with the rule classes, `mongolint
rule` prints them, and the wheel ships them."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from fixture_markers import ROOT
from mongolint import explain, rule_pages
from mongolint.rules import ALL_RULES

DOCS = ROOT / "docs" / "rules"
PAGES = sorted(DOCS.glob("MGL[0-9][0-9][0-9].md"))


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.code)
def test_every_rule_has_a_matching_page(rule):
    path = DOCS / f"{rule.code}.md"
    assert path.is_file(), f"{rule.code} ({rule.name}) has no page: write {path.relative_to(ROOT)}"
    page = rule_pages.parse_page(path.read_text(encoding="utf-8"), path.name)
    assert (page.code, page.name) == (rule.code, rule.name), f"{path.name} names another rule"
    expected_fix = rule.fix_applicability.value if rule.fix_applicability is not None else "none"
    assert page.fix == expected_fix, f"{path.name}: Fix column says {page.fix}, the rule's fix is {expected_fix}"
    expected_default = "on" if rule.enabled_by_default else "off"
    assert page.default == expected_default, (
        f"{path.name}: Default column says {page.default}, the rule is {expected_default} by default")


@pytest.mark.parametrize("path", PAGES, ids=lambda path: path.stem)
def test_page_shape(path):
    page = rule_pages.parse_page(path.read_text(encoding="utf-8"), path.name)
    assert page.code == path.stem
    missing = [s for s in rule_pages.REQUIRED_SECTIONS if not page.sections.get(s)]
    assert not missing, f"{path.name}: missing or empty sections: {missing}"
    assert page.summary, f"{path.name}: no one-line summary after the table"
    assert "```python" in page.sections["Example"], f"{path.name}: the Example has no code"


def test_parse_page_rejects_a_page_without_the_table():
    with pytest.raises(rule_pages.PageError, match="table"):
        rule_pages.parse_page("# MGL101: session-not-ended\n\nNo table here.\n", "MGL101.md")
    with pytest.raises(rule_pages.PageError, match="first line"):
        rule_pages.parse_page("MGL101\n", "MGL101.md")


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.code)
def test_rule_command_prints_the_page(rule):
    out, err = io.StringIO(), io.StringIO()
    assert explain.main([rule.code.lower()], out, err) == 0, err.getvalue()
    assert out.getvalue() == (DOCS / f"{rule.code}.md").read_text(encoding="utf-8")


def test_rule_command_through_the_cli():
    completed = subprocess.run([sys.executable, "-m", "mongolint", "rule", "MGL101"], capture_output=True,
                               text=True)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == (DOCS / "MGL101.md").read_text(encoding="utf-8")


def test_rule_all_prints_every_page():
    completed = subprocess.run([sys.executable, "-m", "mongolint", "rule", "--all"], capture_output=True,
                               text=True)
    assert completed.returncode == 0, completed.stderr
    for code in ["MGL000"] + [rule.code for rule in ALL_RULES]:
        assert (DOCS / f"{code}.md").read_text(encoding="utf-8") in completed.stdout


def test_rule_all_as_json():
    completed = subprocess.run([sys.executable, "-m", "mongolint", "rule", "--all", "--output-format", "json"],
                               capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr
    objects = {entry["code"]: entry for entry in json.loads(completed.stdout)}
    assert set(objects) == {"MGL000"} | {rule.code for rule in ALL_RULES}
    for rule in ALL_RULES:
        fix = rule.fix_applicability.value if rule.fix_applicability is not None else "none"
        entry = objects[rule.code]
        assert (entry["name"], entry["fix"]) == (rule.name, fix)
        assert entry["explanation"] == (DOCS / f"{rule.code}.md").read_text(encoding="utf-8")


def test_rule_mgl000_is_known():
    completed = subprocess.run([sys.executable, "-m", "mongolint", "rule", "MGL000"], capture_output=True,
                               text=True)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("# MGL000: syntax-error\n")


def test_unknown_rule_code_is_a_usage_error():
    completed = subprocess.run([sys.executable, "-m", "mongolint", "rule", "MGL999"], capture_output=True,
                               text=True)
    assert completed.returncode == 2
    assert "unknown rule code `MGL999`" in completed.stderr and "Traceback" not in completed.stderr


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("wheel")
    completed = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(target),
                                str(ROOT)], capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    (built,) = target.glob("mongolint-*.whl")
    return built


def test_wheel_ships_the_rule_pages(wheel, tmp_path):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for rule in ALL_RULES:
            assert f"mongolint/_rule_docs/{rule.code}.md" in names, f"{rule.code}'s page is not in {wheel.name}"
        archive.extractall(tmp_path)
    # From the unpacked wheel (no docs/ beside it) the loader finds the packaged pages.
    program = ("import mongolint.rule_pages as pages, mongolint.explain as e, sys; "
               "print(pages.page_path('MGL101').parent.name); sys.exit(e.main(['MGL101']))")
    completed = subprocess.run([sys.executable, "-c", program], cwd=tmp_path, capture_output=True, text=True,
                               env={"PYTHONPATH": str(tmp_path), "PATH": ""})
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("_rule_docs\n# MGL101: session-not-ended\n")
