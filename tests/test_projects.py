"""Every fixture project gets exactly the findings marked in its files: names
imported from other modules of the project, resolved through the project index."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixture_markers import FIXTURES, expected_findings
from mongolint import discovery, runner
from mongolint.config import Settings

PROJECTS = sorted(p for p in (FIXTURES / "projects").iterdir() if p.is_dir())


def _marked(files):
    return {(path, line, code) for path in files
            for line, code in expected_findings(Path(path).read_text(encoding="utf-8"))}


def _explain(missing, extra, messages) -> str:
    parts = [f"missing {code} at {path}:{line}" for path, line, code in sorted(missing)]
    parts += [f"extra   {code} at {path}:{line} -- {messages[(path, line, code)]}"
              for path, line, code in sorted(extra)]
    return "\n".join(parts)


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.name)
def test_project_fixture(project):
    files, problems = discovery.discover([str(project)])
    assert not problems
    # MGL304 (Motor is deprecated) fires on every Motor import: not what these projects are about.
    reports = runner.check_paths(files, Settings(ignore=("MGL304",)), jobs=1)
    for report in reports:
        assert report.error is None and not report.internal_errors, report
    actual = {(r.path, f.line, f.code) for r in reports for f in r.findings}
    messages = {(r.path, f.line, f.code): f.message for r in reports for f in r.findings}
    expected = _marked(files)
    assert actual == expected, _explain(expected - actual, actual - expected, messages)
    assert expected or project.name in _NO_FINDINGS, f"{project.name}: a fixture project marks no finding"


# Projects whose point is that nothing is found (the object is not known).
_NO_FINDINGS = {"branch_flavour", "shadowed_driver"}


def test_every_project_of_the_issue_is_here():
    assert {p.name for p in PROJECTS} >= {
        "fastapi_app", "django_app", "motor_repository", "reexport_package", "src_layout",
        "relative_two_levels", "branch_flavour", "import_cycle", "star_import", "shadowed_driver",
        "test_class_collections", "fresh_client_method"}
