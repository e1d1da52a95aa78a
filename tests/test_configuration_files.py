"""Configuration as ruff finds it: the nearest file per file, mongolint.toml,
`extend`, `--config KEY=VALUE`, --show-settings/--show-files, gitignore."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

LEAK = ("import pymongo\n\ndef report(uri):\n    client = pymongo.MongoClient(uri)\n"
        "    return client.shop.orders.find_one()\n")
IGNORE_LEAK = 'ignore = ["MGL102"]\n'


def mongolint(*args, cwd, env=None, cache=False):
    command = [sys.executable, "-m", "mongolint", *args] + ([] if cache else ["--no-cache"])
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120, env=env)


def reported(result):
    """{path: [codes]} of a concise run."""
    found = {}
    for line in result.stdout.splitlines():
        path, _, rest = line.partition(":")
        if rest:
            found.setdefault(path, []).append(rest.split()[1])
    return found


def write(root, files):
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def _monorepo(tmp_path):
    write(tmp_path, {
        "pyproject.toml": "[tool.mongolint]\n",
        "top.py": LEAK,
        "services/quiet/pyproject.toml": "[tool.mongolint]\n" + IGNORE_LEAK,
        "services/quiet/app/jobs.py": LEAK,
        "services/plain/pyproject.toml": "[project]\nname = 'plain'\n",  # no table: passed over
        "services/plain/jobs.py": LEAK,
    })


def test_each_file_gets_its_nearest_configuration_whatever_the_order(tmp_path):
    _monorepo(tmp_path)
    paths = ["services/quiet/app/jobs.py", "services/plain/jobs.py", "top.py"]
    expected = {"services/plain/jobs.py": ["MGL102"], "top.py": ["MGL102"]}
    for order in (paths, paths[::-1]):
        assert reported(mongolint("--format", "concise", "-q", *order, cwd=tmp_path)) == expected
    assert reported(mongolint("--format", "concise", "-q", ".", cwd=tmp_path)) == expected
    assert reported(mongolint("--format", "concise", "-q", "services/quiet", ".", cwd=tmp_path)) == expected
    # Run from inside the quiet service, a file outside it still gets its own configuration.
    inside = mongolint("--format", "concise", "-q", "app", "../plain/jobs.py", cwd=tmp_path / "services/quiet")
    assert reported(inside) == {"../plain/jobs.py": ["MGL102"]}


def test_config_file_given_applies_to_every_file(tmp_path):
    _monorepo(tmp_path)
    write(tmp_path, {"strict.toml": ""})
    result = mongolint("--format", "concise", "-q", "--config", "strict.toml", ".", cwd=tmp_path)
    assert set(reported(result)) == {"services/quiet/app/jobs.py", "services/plain/jobs.py", "top.py"}


def test_per_file_settings_survive_workers_and_the_cache(tmp_path):
    _monorepo(tmp_path)
    for index in range(12):  # enough files for a pool of workers
        write(tmp_path, {f"services/quiet/app/m{index}.py": LEAK, f"services/plain/m{index}.py": LEAK})
    first = mongolint("--format", "concise", "-q", "-j", "2", ".", cwd=tmp_path, cache=True)
    assert not any(path.startswith("services/quiet") for path in reported(first))
    assert len(reported(first)) == 14
    second = mongolint("--format", "concise", "-q", "-j", "2", ".", cwd=tmp_path, cache=True)
    assert second.stdout == first.stdout
    assert (tmp_path / "services/quiet/.mongolint_cache").is_dir()  # each project keeps its own cache
    (tmp_path / "services/quiet/pyproject.toml").write_text("[tool.mongolint]\n")  # the key follows the settings
    third = mongolint("--format", "concise", "-q", "-j", "2", ".", cwd=tmp_path, cache=True)
    assert len(reported(third)) == 27


@pytest.mark.parametrize("present, winner", [
    (("pyproject.toml", "mongolint.toml"), "mongolint.toml"),
    (("pyproject.toml", "mongolint.toml", ".mongolint.toml"), ".mongolint.toml"),
    (("pyproject.toml",), "pyproject.toml"),
])
def test_mongolint_toml_beside_pyproject_takes_precedence(tmp_path, present, winner):
    # Only the winner ignores the leak, so a finding shows a loser was read.
    texts = {"pyproject.toml": "[tool.mongolint]\n", "mongolint.toml": "", ".mongolint.toml": ""}
    texts[winner] = ("[tool.mongolint]\n" if winner == "pyproject.toml" else "") + IGNORE_LEAK
    write(tmp_path, {name: texts[name] for name in present})
    write(tmp_path, {"app.py": LEAK})
    result = mongolint("--format", "concise", "-q", "app.py", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    shown = mongolint("--show-settings", "app.py", cwd=tmp_path)
    assert f'Settings path: "{tmp_path / winner}"' in shown.stdout


def test_mongolint_toml_keys_are_top_level(tmp_path):
    write(tmp_path, {"mongolint.toml": "[tool.mongolint]\nignore = ['MGL102']\n", "app.py": LEAK})
    result = mongolint("app.py", cwd=tmp_path)
    assert result.returncode == 2 and "unknown key `tool`" in result.stderr and "Traceback" not in result.stderr


def test_extend_chains_relative_to_each_file(tmp_path):
    write(tmp_path, {
        "shared/base.toml": IGNORE_LEAK + 'extend-exclude = ["generated/"]\n',
        "project/pyproject.toml": '[tool.mongolint]\nextend = "../shared/base.toml"\n',
        "project/sub/mongolint.toml": 'extend = "../pyproject.toml"\nextend-exclude = ["legacy.py"]\n',
        "project/sub/app.py": LEAK,
        "project/sub/legacy.py": LEAK,
        "project/sub/generated/g.py": LEAK,
        "project/sub/other.py": "import pymongo\n",
    })
    result = mongolint("--format", "concise", "-q", ".", cwd=tmp_path / "project")
    assert result.returncode == 0 and reported(result) == {}
    files = mongolint("--show-files", ".", cwd=tmp_path / "project")
    assert files.stdout.splitlines() == ["sub/app.py", "sub/other.py"]
    # A `select` of its own starts the selection afresh: the base's `ignore` goes, as in ruff.
    (tmp_path / "project/sub/mongolint.toml").write_text('extend = "../pyproject.toml"\nselect = ["MGL1"]\n')
    assert reported(mongolint("--format", "concise", "-q", "sub/app.py", cwd=tmp_path / "project")) == {
        "sub/app.py": ["MGL102"]}


@pytest.mark.parametrize("files, message", [
    ({"a.toml": 'extend = "b.toml"\n', "b.toml": 'extend = "./a.toml"\n'}, "`extend` makes a cycle"),
    ({"a.toml": 'extend = "a.toml"\n'}, "`extend` makes a cycle"),
    ({"a.toml": 'extend = "missing.toml"\n'}, "`extend` names a missing file: missing.toml"),
    ({"a.toml": 'extend = "b.toml"\n', "b.toml": "selct = []\n"}, "b.toml: unknown key `selct`"),
])
def test_extend_problems_are_one_line(tmp_path, files, message):
    write(tmp_path, dict(files, **{"app.py": LEAK}))
    result = mongolint("--config", "a.toml", "app.py", cwd=tmp_path)
    assert result.returncode == 2 and message in result.stderr
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr


def test_config_overrides_lie_over_every_configuration(tmp_path):
    _monorepo(tmp_path)
    quiet = mongolint("--format", "concise", "-q", "--config", "ignore = ['MGL102']", ".", cwd=tmp_path)
    assert quiet.returncode == 0 and reported(quiet) == {}
    # `select` given with --config starts afresh, even in the service that ignores the leak.
    loud = mongolint("--format", "concise", "-q", "--config", "select=['MGL1']", ".", cwd=tmp_path)
    assert len(reported(loud)) == 3
    # With a configuration file too; the dedicated flag wins over the override.
    both = mongolint("--format", "concise", "-q", "--config", "pyproject.toml", "--config", "select=['MGL2']",
                     "--select", "MGL1", "top.py", cwd=tmp_path)
    assert reported(both) == {"top.py": ["MGL102"]}


@pytest.mark.parametrize("override, message", [
    ("select=[", "not a configuration file, nor a TOML `key = value` override"),
    ("select=MGL1", "not a configuration file, nor a TOML `key = value` override"),
    ("selct=['MGL1']", "unknown key `selct`"),
    ("select='MGL1'", "`select` must be a list of strings"),
    ("select=['XYZ']", "unknown rule selector `XYZ`"),
    ("missing.toml", "missing.toml: no such configuration file"),
])
def test_a_bad_override_is_one_line(tmp_path, override, message):
    write(tmp_path, {"app.py": LEAK})
    result = mongolint("--config", override, "app.py", cwd=tmp_path)
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_show_settings_prints_the_file_its_configuration_and_rules(tmp_path):
    _monorepo(tmp_path)
    result = mongolint("--show-settings", "services/quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == 'Resolved settings for: "services/quiet/app/jobs.py"'
    assert lines[1] == f'Settings path: "{tmp_path / "services/quiet/pyproject.toml"}"'
    assert 'ignore = ["MGL102"]' in lines and f'project-root = "{tmp_path / "services/quiet"}"' in lines
    rules = next(line for line in lines if line.startswith("rules = "))
    assert '"MGL101"' in rules and '"MGL102"' not in rules
    flagged = mongolint("--show-settings", "--config", "select=['MGL2']", "--ignore", "MGL201", "top.py",
                        cwd=tmp_path)
    stdin = subprocess.run([sys.executable, "-m", "mongolint", "--show-settings", "--stdin-filename",
                            "services/quiet/new.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                           input="")
    assert stdin.stdout.splitlines()[:2] == ['Resolved settings for: "services/quiet/new.py"', lines[1]]
    lines = flagged.stdout.splitlines()
    assert 'select = ["MGL2"]' in lines and 'ignore = ["MGL201"]' in lines
    assert '"MGL201"' not in lines[-1] and '"MGL202"' in lines[-1]


def test_show_files_lists_what_would_be_checked_sorted(tmp_path):
    write(tmp_path, {"pyproject.toml": '[tool.mongolint]\nextend-exclude = ["migrations/"]\n',
                     "zeta.py": "", "alpha/b.py": "", "alpha/a.pyi": "", "migrations/m.py": "",
                     ".gitignore": "build_out/\n", "build_out/x.py": "", "notes.txt": ""})
    result = mongolint("--show-files", "zeta.py", ".", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.splitlines() == ["alpha/a.pyi", "alpha/b.py", "zeta.py"]


def _git_env(tmp_path):
    """Git and mongolint see only the scratch home's configuration."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("GIT_", "XDG_CONFIG"))}
    (tmp_path / "home").mkdir()
    return dict(env, HOME=str(tmp_path / "home"), GIT_CONFIG_NOSYSTEM="1")


def _git_repository(tmp_path):
    repository = tmp_path / "repo"
    env = _git_env(tmp_path)
    subprocess.run(["git", "init", "-q", str(repository)], check=True, env=env)
    write(repository, {"app.py": "", "local_only.py": "", "mine.py": "", "sub/pkg/gen.py": "", "sub/pkg/ok.py": "",
                       ".gitignore": "sub/pkg/gen.py\n"})
    (repository / ".git/info/exclude").write_text("local_only.py\n")
    return repository, env


@pytest.mark.parametrize("where", ["xdg-default", "home-default", "core.excludesFile"])
def test_info_exclude_and_global_excludes_as_git_reads_them(tmp_path, where):
    repository, env = _git_repository(tmp_path)
    home = env["HOME"]
    if where == "xdg-default":
        env["XDG_CONFIG_HOME"] = str(tmp_path / "xdg")
        write(tmp_path, {"xdg/git/ignore": "mine.py\n"})
    elif where == "home-default":
        write(tmp_path, {"home/.config/git/ignore": "mine.py\n"})
    else:
        write(tmp_path, {"home/.gitconfig": '[user]\n\tname = x\n[core]\n\texcludesFile = "~/my ignores"  # mine\n',
                         "home/my ignores": "mine.py\n"})
    assert home == str(tmp_path / "home")
    listed = subprocess.run(["git", "ls-files", "--others", "--exclude-standard"], cwd=repository, env=env,
                            capture_output=True, text=True, check=True).stdout.split()
    assert sorted(path for path in listed if path.endswith(".py")) == ["app.py", "sub/pkg/ok.py"]
    assert mongolint("--show-files", cwd=repository, env=env).stdout.split() == ["app.py", "sub/pkg/ok.py"]
    # A folder inside the work tree still obeys the .gitignore above it.
    assert mongolint("--show-files", "sub", cwd=repository, env=env).stdout.split() == ["sub/pkg/ok.py"]
    everything = mongolint("--show-files", "--no-respect-gitignore", cwd=repository, env=env).stdout.split()
    assert everything == ["app.py", "local_only.py", "mine.py", "sub/pkg/gen.py", "sub/pkg/ok.py"]


def test_respect_gitignore_false_in_configuration_and_the_flags(tmp_path):
    repository, env = _git_repository(tmp_path)
    (repository / "mongolint.toml").write_text("respect-gitignore = false\n")
    assert "sub/pkg/gen.py" in mongolint("--show-files", cwd=repository, env=env).stdout.split()
    again = mongolint("--show-files", "--respect-gitignore", cwd=repository, env=env).stdout.split()
    assert again == ["app.py", "mine.py", "sub/pkg/ok.py"]
    (repository / "mongolint.toml").write_text("respect-gitignore = 'no'\n")
    bad = mongolint("--show-files", cwd=repository, env=env)
    assert bad.returncode == 2 and "`respect-gitignore` must be true or false" in bad.stderr


def test_linked_work_tree_reads_the_main_repositorys_info_exclude(tmp_path):
    repository, env = _git_repository(tmp_path)
    for command in (["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"],
                    ["worktree", "add", "-q", str(tmp_path / "linked")]):
        subprocess.run(["git", *command], cwd=repository, env=env, check=True, capture_output=True)
    write(tmp_path, {"linked/local_only.py": "", "linked/sub/pkg/gen.py": ""})
    assert mongolint("--show-files", cwd=tmp_path / "linked", env=env).stdout.split() == [
        "app.py", "mine.py", "sub/pkg/ok.py"]


def test_flake8_reads_the_nearest_configuration_as_the_command_does(tmp_path):
    _monorepo(tmp_path)
    write(tmp_path, {"services/toml/mongolint.toml": 'extend = "../quiet/pyproject.toml"\n',
                     "services/toml/jobs.py": LEAK})
    result = subprocess.run([sys.executable, "-m", "flake8", "--select", "MGL", "."], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    flagged = sorted(line.split(":")[0] for line in result.stdout.splitlines())
    assert flagged == ["./services/plain/jobs.py", "./top.py"], result.stdout + result.stderr


def test_dot_ignore_files_outrank_gitignore_as_in_ruff(tmp_path):
    write(tmp_path, {".gitignore": "*.py\n", ".ignore": "!kept.py\n", "kept.py": "", "dropped.py": "",
                     "sub/.ignore": "deep.py\n", "sub/deep.py": "", "sub/kept.py": ""})
    assert mongolint("--show-files", cwd=tmp_path).stdout.split() == ["kept.py", "sub/kept.py"]
    assert mongolint("--show-files", "--no-respect-gitignore", cwd=tmp_path).stdout.split() == [
        "dropped.py", "kept.py", "sub/deep.py", "sub/kept.py"]


def test_extend_expands_home_and_variables_as_ruff(tmp_path):
    write(tmp_path, {"home/shared.toml": IGNORE_LEAK, "elsewhere/base.toml": IGNORE_LEAK, "app.py": LEAK})
    env = dict(os.environ, HOME=str(tmp_path / "home"), SHARED=str(tmp_path / "elsewhere"))
    for target in ("~/shared.toml", "$SHARED/base.toml"):
        (tmp_path / "mongolint.toml").write_text(f'extend = "{target}"\n')
        assert mongolint("app.py", cwd=tmp_path, env=env).returncode == 0


def test_force_exclude_uses_each_files_own_configuration(tmp_path):
    _monorepo(tmp_path)
    write(tmp_path, {"services/quiet/mongolint.toml": 'extend-exclude = ["app/"]\n'})
    shown = mongolint("--show-files", "--force-exclude", "services/quiet/app/jobs.py", "top.py", cwd=tmp_path)
    assert shown.stdout.split() == ["top.py"]


def test_patterns_of_a_config_given_are_relative_to_the_working_directory(tmp_path):
    _monorepo(tmp_path)
    write(tmp_path, {"ci/lint.toml": 'per-file-ignores = { "services/**" = ["MGL102"] }\n'})
    result = mongolint("--format", "concise", "-q", "--config", "ci/lint.toml", ".", cwd=tmp_path)
    assert reported(result) == {"top.py": ["MGL102"]}
