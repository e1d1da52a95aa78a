"""The committed API tables (mongolint/model/api.py) match the installed drivers.

``scripts/generate_api.py`` builds the tables from the installed PyMongo and
Motor; this test rebuilds them in memory, so upgrading a driver without
regenerating (``python scripts/generate_api.py``) fails CI.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
API_FILE = REPO_ROOT / "mongolint" / "model" / "api.py"
GENERATOR = REPO_ROOT / "scripts" / "generate_api.py"
KINDS = {"client", "database", "collection", "session", "cursor", "command_cursor", "change_stream"}
TABLES = (
    "METHODS",
    "ATTRIBUTES",
    "CLIENT_OPTIONS",
    "REMOVED_CLIENT_OPTIONS",
    "MOTOR_CLIENT_OPTIONS",
    "EXACT_CLIENT_KEYWORDS",
    "URI_OPTIONS",
    "CLIENT_OPTION_KINDS",
    "CLIENT_OPTION_CHOICES",
    "CLIENT_OPTION_MINIMUMS",
    "CLIENT_OPTION_DEFAULTS",
)


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Loaded by path: the pure-data module needs nothing from the package, and the
# test then does not depend on the rest of mongolint importing cleanly.
api = _load("mongolint_model_api", API_FILE)


def _load_generator():
    pytest.importorskip("pymongo", reason="the dev dependencies (pymongo, motor) are needed")
    pytest.importorskip("motor", reason="the dev dependencies (pymongo, motor) are needed")
    return _load("generate_api", GENERATOR)


@pytest.fixture(scope="module")
def generator():
    return _load_generator()


@pytest.fixture(scope="module")
def regenerated(generator):
    return generator.build()


def test_versions_match_installed_drivers(regenerated):
    installed = (regenerated["PYMONGO_VERSION"], regenerated["MOTOR_VERSION"])
    committed = (api.PYMONGO_VERSION, api.MOTOR_VERSION)
    assert installed == committed, (
        f"tables generated from pymongo/motor {committed}, installed {installed}: "
        "run python scripts/generate_api.py"
    )


@pytest.mark.parametrize("name", TABLES)
def test_table_matches_installed_drivers(regenerated, name):
    fresh, committed = regenerated[name], getattr(api, name)
    if fresh == committed:
        return
    if name in ("METHODS", "ATTRIBUTES"):
        diffs = []
        for key in sorted(set(fresh) | set(committed)):
            new, old = fresh.get(key, {}), committed.get(key, {})
            for member in sorted(set(new) | set(old)):
                if new.get(member, "<missing>") != old.get(member, "<missing>"):
                    diffs.append(f"{key}.{member}: committed {old.get(member, '<missing>')!r}, "
                                 f"installed {new.get(member, '<missing>')!r}")
    else:
        missing = "<missing>"
        diffs = [
            f"{k}: committed {committed.get(k, missing)!r}, installed {fresh.get(k, missing)!r}"
            for k in sorted(set(fresh) | set(committed))
            if fresh.get(k, missing) != committed.get(k, missing)
        ]
    pytest.fail(
        f"{name} is stale (run python scripts/generate_api.py):\n  " + "\n  ".join(diffs[:50])
    )


def test_committed_file_is_exactly_the_generated_text(generator, regenerated):
    assert API_FILE.read_text(encoding="utf-8") == generator.render(regenerated), (
        "mongolint/model/api.py was edited by hand or is stale: "
        "run python scripts/generate_api.py"
    )


def test_api_module_imports_nothing():
    tree = ast.parse(API_FILE.read_text(encoding="utf-8"))
    imports = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
    lines = [n.lineno for n in imports]
    assert not imports, f"api.py must be pure data, found imports at lines {lines}"
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    assert not calls, "api.py must be pure data (literals only)"


def test_api_module_shape():
    kinds = KINDS
    expected_keys = {(f, k) for f in ("sync", "async", "motor") for k in kinds}
    assert set(api.METHODS) == expected_keys
    assert set(api.ATTRIBUTES) == expected_keys
    for table in api.METHODS.values():
        for name, (takes_session, is_coroutine, returns) in table.items():
            assert not name.startswith("_")
            assert isinstance(takes_session, bool) and isinstance(is_coroutine, bool)
            assert returns is None or returns in kinds
    for table in api.ATTRIBUTES.values():
        assert all(v is None or v in kinds for v in table.values())
    assert all(k == k.lower() for k in api.CLIENT_OPTIONS)
    assert all(v.lower() == k for k, v in api.CLIENT_OPTIONS.items())


def test_spot_checks():
    methods, attributes = api.METHODS, api.ATTRIBUTES
    # RULES.md Facts: PyMongo Async.
    assert methods[("async", "session")]["start_transaction"][1] is True
    assert methods[("async", "client")]["start_session"] == (False, False, "session")
    assert methods[("async", "client")]["close"][1] is True
    assert methods[("async", "collection")]["find"][1] is False
    assert methods[("async", "collection")]["with_options"][1] is False
    assert methods[("async", "collection")]["aggregate"][1:] == (True, "command_cursor")
    # Motor differs from PyMongo Async.
    assert methods[("motor", "client")]["start_session"] == (False, True, "session")
    assert methods[("motor", "session")]["start_transaction"][1] is False
    assert methods[("motor", "collection")]["aggregate"][1:] == (False, "command_cursor")
    assert methods[("motor", "collection")]["watch"][1:] == (False, "change_stream")
    assert methods[("motor", "client")]["close"][1] is False
    assert methods[("motor", "cursor")]["to_list"][1] is True
    # session= acceptance (MGL202, MGL205).
    assert methods[("sync", "collection")]["estimated_document_count"][0] is False
    assert methods[("sync", "collection")]["find"][0] is True
    assert methods[("motor", "collection")]["find"][0] is True
    assert methods[("sync", "collection")]["insert_one"][0] is True
    # Derivations.
    assert methods[("sync", "cursor")]["sort"][2] == "cursor"
    assert methods[("sync", "database")]["get_collection"][2] == "collection"
    assert attributes[("sync", "session")]["client"] == "client"
    assert attributes[("motor", "collection")]["database"] == "database"
    # Client options (MGL401/MGL402).
    assert api.CLIENT_OPTIONS["maxpoolsize"] == "maxPoolSize"
    assert "max_pool_size" not in api.CLIENT_OPTIONS
    assert api.CLIENT_OPTIONS["host"] == "host"
    assert {"wtimeout", "j", "socketkeepalive", "ssl_cert_reqs"} <= set(api.REMOVED_CLIENT_OPTIONS)
    assert {"host", "port", "_pool_class"} <= set(api.EXACT_CLIENT_KEYWORDS)
    # A URI takes fewer options than the keywords (MGL401).
    assert set(api.URI_OPTIONS) < set(api.CLIENT_OPTIONS)
    assert {"authsource", "replicaset", "maxpoolsize", "tz_aware"} <= set(api.URI_OPTIONS)
    assert not {"document_class", "type_registry", "username", "host"} & set(api.URI_OPTIONS)
    # Value kinds (MGL402).
    assert api.CLIENT_OPTION_KINDS["retrywrites"] == "boolean"
    assert api.CLIENT_OPTION_KINDS["sockettimeoutms"] == "timeout"
    assert "secondaryPreferred" in api.CLIENT_OPTION_CHOICES["readpreference"]


def test_check_mode_reports_stale_file(generator, tmp_path, monkeypatch, capsys):
    stale = tmp_path / "api.py"
    stale.write_text(API_FILE.read_text(encoding="utf-8").replace('"maxPoolSize"', '"MaxPoolSize"'))
    monkeypatch.setattr(generator, "OUTPUT", stale)
    monkeypatch.setattr(generator, "REPO_ROOT", tmp_path)
    assert generator.main(["--check"]) == 1
    assert '+    "maxpoolsize": "maxPoolSize",' in capsys.readouterr().out
    stale.write_text(API_FILE.read_text(encoding="utf-8"))
    assert generator.main(["--check"]) == 0
