"""bot/settings.py is the one reader of the environment, and the README, scripts/env.sh, endpoints.yml and the
Helm values agree with its declarations."""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from bot import settings
from bot.settings import PROJECT_ROOT, SETTINGS, Setting
from bot.settings_doc import markdown_table

ROOT = PROJECT_ROOT
ENV_SH = ROOT / "scripts" / "env.sh"
# Variables of other programs (Python, TensorFlow, Rasa) that the run scripts and the Helm values set.
THIRD_PARTY = {"PYTHONPATH", "RASA_TELEMETRY_ENABLED", "TF_CPP_MIN_LOG_LEVEL", "TF_INTRA_OP_PARALLELISM_THREADS",
               "TF_INTER_OP_PARALLELISM_THREADS", "OMP_NUM_THREADS", "TICKET_LOCK_LIFETIME"}


def environment_reads(path: Path) -> list[str]:
    """`os.environ`, `os.getenv`, `os.putenv` and `from os import environ/getenv` in a file, as `line: code`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr in {"environ", "environb", "getenv", "putenv"} \
                and isinstance(node.value, ast.Name) and node.value.id == "os":
            found.append(f"{node.lineno}: os.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            found += [f"{node.lineno}: from os import {a.name}" for a in node.names
                      if a.name in {"environ", "environb", "getenv", "putenv"}]
    return sorted(found, key=lambda item: int(item.split(":")[0]))


def env_sh_values() -> dict[str, str]:
    """What scripts/env.sh exports from an empty environment."""
    out = subprocess.run(
        ["bash", "-c", f'source "{ENV_SH}" && env -0'], env={"PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, check=True, timeout=30,
    ).stdout
    return dict(item.split("=", 1) for item in out.split("\0") if "=" in item)


def env_sh_names() -> set[str]:
    text = ENV_SH.read_text(encoding="utf-8")
    return set(re.findall(r"^\s*export\s+([A-Z_][A-Z0-9_]*)", text, flags=re.M))


def yaml_variables(path: Path) -> set[str]:
    """The `${VAR}` of a YAML file's values (comments left out)."""
    text = re.sub(r"#.*", "", path.read_text(encoding="utf-8"))
    return set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)\}", text))


# ---------- the one reader ----------

def test_the_checker_sees_every_way_of_reading_the_environment(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import os\nfrom os import getenv\na = os.environ.get('A')\nb = os.getenv('B')\n")
    assert environment_reads(sample) == ["2: from os import getenv", "3: os.environ", "4: os.getenv"]


def test_only_the_settings_module_reads_the_environment() -> None:
    files = [*(ROOT / "bot").rglob("*.py"), *(ROOT / "actions").rglob("*.py")]
    assert len(files) > 50
    readers = {str(p.relative_to(ROOT)): environment_reads(p) for p in files if p != ROOT / "bot" / "settings.py"}
    assert {k: v for k, v in readers.items() if v} == {}
    assert environment_reads(ROOT / "bot" / "settings.py")


def test_the_settings_module_imports_only_the_standard_library() -> None:
    tree = ast.parse((ROOT / "bot" / "settings.py").read_text(encoding="utf-8"))
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert imported <= {"__future__", "os", "dataclasses", "pathlib"}


# ---------- declarations and reading ----------

def test_every_setting_has_a_name_and_a_meaning() -> None:
    assert len(SETTINGS) >= 40
    for name, setting in SETTINGS.items():
        assert name == setting.name and re.fullmatch(r"[A-Z][A-Z0-9_]*", name)
        assert setting.description and "|" not in setting.description + (setting.shown or "")


def test_a_setting_is_read_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SITE_PORT", raising=False)
    assert settings.site_port() == 8080
    monkeypatch.setenv("SITE_PORT", "9090")
    assert settings.site_port() == 9090
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.1, 10.0.0.2")
    assert settings.trusted_proxies() == ["10.0.0.1", "10.0.0.2"]
    with pytest.raises(KeyError):
        settings.value("NOT_DECLARED")


def test_a_path_default_is_under_the_project_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WIDGET_DIST_DIR", raising=False)
    assert Path(settings.widget_dist_dir()) == ROOT / "web" / "dist"
    assert SETTINGS["SOURCES_DIR"].resolved_default() == str(ROOT.parent / "shared")
    assert Setting("X", "/abs", "x", path=True).resolved_default() == "/abs"


def test_a_blank_outage_budget_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_STORE_OUTAGE_BUDGET", "")
    assert settings.tracker_store_outage_budget() == 20.0
    monkeypatch.setenv("TRACKER_STORE_OUTAGE_BUDGET", "2.5")
    assert settings.tracker_store_outage_budget() == 2.5


def test_a_child_process_gets_the_environment_and_the_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SITE_PORT", "9191")
    env = settings.child_environment(DATABASE_URL="sqlite:///x.db")
    assert env["SITE_PORT"] == "9191" and env["DATABASE_URL"] == "sqlite:///x.db"


def test_a_name_is_declared_once() -> None:
    with pytest.raises(ValueError):
        settings._declare("RETENTION_DAYS", "1", "again")


# ---------- what must agree with the declarations ----------

def test_the_readme_table_is_the_declarations() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration (environment variables)\n", 1)[1].split("\n## ", 1)[0]
    table = "\n".join(line for line in section.splitlines() if line.startswith("|")) + "\n"
    assert table == markdown_table(), "README périmé : python -m bot settings-table"


def test_env_sh_exports_the_settings_defaults() -> None:
    exported = env_sh_values()
    names = env_sh_names()
    assert {"ACTION_ENDPOINT_URL", "ASSISTANT_VAR_DIR", "ACTIONS_PORT", "RASA_PUBLIC_URL"} <= names
    assert names - THIRD_PARTY <= set(SETTINGS), "variable de scripts/env.sh absente de bot/settings.py"
    for name in sorted(names - THIRD_PARTY):
        default = SETTINGS[name].resolved_default()
        if default is None:  # generated per run (the action server's token)
            assert exported[name], name
        else:
            assert exported[name] == default, name


def test_endpoints_yml_reads_only_what_env_sh_exports() -> None:
    used = yaml_variables(ROOT / "endpoints.yml")
    assert {"ACTION_ENDPOINT_URL", "ACTION_SERVER_TOKEN", "ASSISTANT_VAR_DIR"} <= used
    assert used <= env_sh_names()


def test_rasa_reads_endpoints_yml_as_the_settings_say(monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.utils.endpoints import read_endpoint_config

    exported = env_sh_values()
    for name, val in exported.items():
        monkeypatch.setenv(name, val)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    action = read_endpoint_config(str(ROOT / "endpoints.yml"), "action_endpoint")
    tracker = read_endpoint_config(str(ROOT / "endpoints.yml"), "tracker_store")
    assert action is not None and tracker is not None
    assert action.url == SETTINGS["ACTION_ENDPOINT_URL"].default
    assert action.headers["X-Action-Token"] == exported["ACTION_SERVER_TOKEN"]
    url = SQLTrackerStore.get_db_url(tracker.kwargs["dialect"], db=tracker.kwargs["db"])
    assert str(url) == settings.database_url()


def test_the_production_files_use_declared_variables() -> None:
    used = yaml_variables(ROOT / "deploy" / "endpoints.prod.yml")
    assert "DB_HOST" in used
    assert used - set(SETTINGS) == set()


def helm_env_names(path: Path) -> set[str]:
    names: set[str] = set()

    def walk(node: object, key: str | None = None) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for item in node:
                if key in ("env", "extraEnv") and isinstance(item, dict) and "name" in item:
                    names.add(str(item["name"]))
                walk(item, key)

    for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
        walk(doc)
    return names


@pytest.mark.parametrize("path", sorted((ROOT / "deploy" / "helm").glob("*.yaml")), ids=lambda p: p.name)
def test_the_helm_values_set_only_variables_someone_reads(path: Path) -> None:
    assert helm_env_names(path) - set(SETTINGS) - THIRD_PARTY == set()


def test_the_helm_checker_sees_the_action_servers_variables() -> None:
    names = helm_env_names(ROOT / "deploy" / "helm" / "rasa-action-server-values.yaml")
    assert {"DATABASE_URL", "ACTIONS_HOST", "ASSISTANT_VAR_DIR"} <= names
