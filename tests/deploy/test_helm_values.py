"""The Helm values render what runs locally: our channels, the production endpoints' stores, and every
setting the processes need in production (deploy/README.md, "Kubernetes").

Rasa's chart (RasaHQ/helm-charts, charts/rasa 1.17.8 with rasa-common 1.0.3) is modelled here on the
few templates that matter: templates/config-map.yaml writes `credentials` from
`applicationSettings.credentials.additionalChannelCredentials` only (no stock `rest` or `socketio`
channel in any 1.x version: the default is `{}`), and `endpoints` from the store sections (every key
but `enabled`), plus an action endpoint `${ACTION_SERVER_URL}` when `rasa-action-server` is installed
or external, plus `additionalEndpoints`; the ConfigMap is mounted at /app/credentials.yml and
/app/endpoints.yml; rasa-common's _postgresql.tpl and _redis.tpl add the DB_* and REDIS_* variables.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from image_graph import ACTION_SERVER, RASA_SERVER, ROOT, closure, rasa_config_modules

HELM = ROOT / "deploy" / "helm"
RELEASE, ACTIONS_RELEASE, NAMESPACE = "assistant", "assistant-actions", "assistant"  # deploy/README.md
CHART_MOUNTS = {"/app/endpoints.yml", "/app/credentials.yml"}
# The chart's defaults for what the values below override or inherit (charts/rasa/values.yaml).
CHART_DEFAULTS: dict[str, Any] = {
    "applicationSettings": {
        "credentials": {"enabled": True, "additionalChannelCredentials": {}},
        "endpoints": {
            "trackerStore": {"enabled": True, "type": "sql", "dialect": "postgresql", "url": "${DB_HOST}",
                             "port": "${DB_PORT}", "username": "${DB_USER}", "password": "${DB_PASSWORD}",
                             "db": "${DB_DATABASE}", "login_db": "${DB_DATABASE}"},
            "lockStore": {"enabled": False, "type": "redis", "url": "${REDIS_HOST}", "port": "${REDIS_PORT}",
                          "password": "${REDIS_PASSWORD}", "db": "1"},
            "additionalEndpoints": {},
        },
    },
    "global": {"postgresql": {"postgresqlUsername": "postgres", "existingSecret": "",
                              "postgresqlDatabase": "rasa", "servicePort": 5432}},
    "postgresql": {"install": True, "external": {"enabled": False}},
    "redis": {"install": False, "external": {"enabled": False}},
    "rasa-action-server": {"install": False, "external": {"enabled": False, "url": ""}},
    "extraEnv": [],
}
# The local files' variables that the chart names differently.
RENAMED = {"${DB_NAME}": "${DB_DATABASE}"}


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def helm_merge(defaults: Any, overrides: Any) -> Any:
    """Helm's coalescing of user values over a chart's: maps merge, a null removes the chart's key."""
    if not isinstance(defaults, dict) or not isinstance(overrides, dict):
        return overrides
    merged = dict(defaults)
    for key, value in overrides.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = helm_merge(defaults.get(key), value)
    return merged


def render(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(credentials.yml, endpoints.yml) as the chart's ConfigMap writes them."""
    merged = helm_merge(CHART_DEFAULTS, values)
    app = merged["applicationSettings"]
    credentials = dict(app["credentials"]["additionalChannelCredentials"]) if app["credentials"]["enabled"] else {}
    endpoints: dict[str, Any] = {}
    for section, key in (("trackerStore", "tracker_store"), ("lockStore", "lock_store")):
        if app["endpoints"][section].get("enabled"):
            endpoints[key] = {k: v for k, v in app["endpoints"][section].items() if k != "enabled"}
    actions = merged["rasa-action-server"]
    if actions["install"] or (actions["external"]["enabled"] and actions["external"]["url"]):
        endpoints["action_endpoint"] = {"url": "${ACTION_SERVER_URL}"}
    for key, value in app["endpoints"]["additionalEndpoints"].items():
        assert key not in endpoints, f"two `{key}` in the rendered endpoints.yml"
        endpoints[key] = value
    return credentials, endpoints


def chart_env(values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The Rasa container's environment: rasa-common's DB_* and REDIS_* variables, then extraEnv."""
    merged = helm_merge(CHART_DEFAULTS, values)
    env: dict[str, dict[str, Any]] = {}
    pg, gpg, redis = merged["postgresql"], merged["global"]["postgresql"], merged["redis"]
    endpoints = merged["applicationSettings"]["endpoints"]
    if endpoints["trackerStore"].get("enabled") and (pg["install"] or pg["external"]["enabled"]):
        user = gpg["postgresqlUsername"] or "rasa"
        key = pg.get("existingSecretKey") or ("postgresql-postgres-password" if user != "postgres"
                                              else "postgresql-password")
        env |= {"DB_USER": {"value": user}, "DB_HOST": {"value": pg["external"].get("host")},
                "DB_PORT": {"value": str(gpg["servicePort"])}, "DB_DATABASE": {"value": gpg["postgresqlDatabase"]},
                "DB_PASSWORD": _secret(gpg["existingSecret"] or f"{RELEASE}-postgresql", key)}
    if endpoints["lockStore"].get("enabled") and (redis["install"] or redis["external"]["enabled"]):
        if redis["install"]:
            key = (redis.get("existingSecretPasswordKey") or "redis-password") if redis.get("existingSecret") \
                else "redis-password"
        else:
            key = redis.get("existingSecretPasswordKey") or "redis-password"
        env |= {"REDIS_HOST": {"value": f"{RELEASE}-redis-master"}, "REDIS_PORT": {"value": "6379"},
                "REDIS_PASSWORD": _secret(redis.get("existingSecret") or f"{RELEASE}-redis", key)}
    for item in merged["extraEnv"]:
        env[item["name"]] = {k: v for k, v in item.items() if k != "name"}
    return env


def _secret(name: str, key: str) -> dict[str, Any]:
    return {"valueFrom": {"secretKeyRef": {"name": name, "key": key}}}


def env_of(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["name"]: {k: v for k, v in item.items() if k != "name"} for item in items}


def secrets_created_by_the_readme() -> set[tuple[str, str]]:
    """(secret, key) pairs of the `kubectl create secret generic` commands of deploy/README.md."""
    text = (ROOT / "deploy" / "README.md").read_text(encoding="utf-8").replace("\\\n", " ")
    pairs: set[tuple[str, str]] = set()
    for line in text.splitlines():
        match = re.search(r"create secret generic (\S+)(.*)", line)
        if match:
            pairs.update((match[1], key) for key in re.findall(r"--from-literal=([\w.-]+)=", match[2]))
    return pairs


def secret_refs(env: dict[str, dict[str, Any]]) -> dict[str, tuple[str, str]]:
    refs = {}
    for name, spec in env.items():
        ref = (spec.get("valueFrom") or {}).get("secretKeyRef")
        if ref:
            refs[name] = (ref["name"], ref["key"])
    return refs


def local(value: Any) -> Any:
    """A local file's value as the chart writes it: strings, with the chart's variable names."""
    if isinstance(value, dict):
        return {k: local(v) for k, v in value.items()}
    text = str(value)
    for old, new in RENAMED.items():
        text = text.replace(old, new)
    return text


VALUES = load(HELM / "rasa-values.yaml")
ACTION_VALUES = load(HELM / "rasa-action-server-values.yaml")
CRONJOB = load(HELM / "retention-cronjob.yaml")
PROD = load(ROOT / "deploy" / "endpoints.prod.yml")
CREDENTIALS, ENDPOINTS = render(VALUES)
RASA_ENV = chart_env(VALUES)
ACTIONS_ENV = env_of(ACTION_VALUES["extraEnv"])
RETENTION_ENV = env_of(CRONJOB["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["env"])


def test_the_chart_mounts_exactly_the_channels_of_credentials_yml() -> None:
    local_channels = {name: params or {} for name, params in load(ROOT / "credentials.yml").items()}
    assert {name: params or {} for name, params in CREDENTIALS.items()} == local_channels
    # Rasa's own rest and socketio channels would serve unsigned senders and any origin.
    assert not {"rest", "socketio", "rasa.core.channels.rest.RestInput"} & set(CREDENTIALS)


@pytest.mark.parametrize("store", ["tracker_store", "lock_store"])
def test_the_rendered_stores_are_those_of_the_production_endpoints(store: str) -> None:
    rendered, prod = local(ENDPOINTS[store]), local(PROD[store])
    assert {k: rendered.get(k) for k in prod} == prod
    # Only what the cluster adds: the bundled Redis has a password, the local one none.
    assert set(rendered) - set(prod) <= ({"password"} if store == "lock_store" else set())


def test_the_action_endpoint_carries_the_token_to_the_action_servers_service() -> None:
    endpoint = ENDPOINTS["action_endpoint"]
    assert endpoint["headers"] == PROD["action_endpoint"]["headers"]
    port = ACTION_VALUES["service"]["port"]
    assert endpoint["url"] == f"http://{ACTIONS_RELEASE}-rasa-action-server.{NAMESPACE}.svc:{port}/webhook"
    assert ACTION_VALUES["args"] == ["--port", str(ACTION_VALUES["applicationSettings"]["port"])]


def test_the_model_of_the_chart_sees_a_stock_channel_and_a_duplicated_endpoint() -> None:
    credentials, _ = render(helm_merge(VALUES, {"applicationSettings": {"credentials": {
        "additionalChannelCredentials": {"rest": {}}}}}))
    assert "rest" in credentials
    with pytest.raises(AssertionError, match="action_endpoint"):
        render(helm_merge(VALUES, {"rasa-action-server": {"install": True}}))
    _, endpoints = render(helm_merge(VALUES, {"applicationSettings": {"endpoints": {"trackerStore": {
        "login_db": "${DB_DATABASE}"}}}}))
    assert "login_db" in endpoints["tracker_store"]


def test_every_variable_of_the_rendered_files_is_in_the_rasa_pods_environment() -> None:
    variables = set(re.findall(r"\$\{(\w+)\}", yaml.safe_dump([CREDENTIALS, ENDPOINTS])))
    assert {"DB_PASSWORD", "REDIS_PASSWORD", "ACTION_SERVER_TOKEN"} <= variables
    assert variables - set(RASA_ENV) == set()


def test_the_rasa_server_runs_the_mounted_files_and_the_model_of_the_image() -> None:
    args = VALUES["args"]
    assert {args[args.index("--endpoints") + 1], args[args.index("--credentials") + 1]} == CHART_MOUNTS
    model = args[args.index("--model") + 1]
    assert model.startswith("/app/") and (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8").count(
        f"COPY {model.removeprefix('/app/')} ")
    assert VALUES.get("command") is None  # the image's entry point: python -m bot.serve


def test_allowed_origins_is_the_widgets_site_for_the_rasa_server() -> None:
    origins = RASA_ENV["ALLOWED_ORIGINS"]["value"].replace(",", " ").split()
    assert origins and all(re.fullmatch(r"https://[\w.-]+(:\d+)?", o) for o in origins)
    args = VALUES["args"]
    assert set(origins) == set(args[args.index("--cors") + 1].split()) == set(
        VALUES["applicationSettings"]["cors"].split())


def names_in_code(modules: dict[str, Path]) -> set[str]:
    """Upper-case string constants of the modules: the environment variables they may read."""
    return {node.value for path in modules.values() for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.fullmatch(r"[A-Z][A-Z0-9_]+",
                                                                                              node.value)}


SECRET, ANY = "secret", "any"
# What each process refuses to run without, or runs wrongly without, in production (bot/settings.py,
# bot/action_server.py, bot/rasa_server/channels.py; README "Security of the channels").
PRODUCTION: dict[str, tuple[dict[str, dict[str, Any]], tuple[str, ...], dict[str, str]]] = {
    "rasa": (RASA_ENV, (*RASA_SERVER, *sorted(rasa_config_modules())), {
        "ASSISTANT_ENV": "production", "CONVERSATION_TOKEN_KEY": SECRET, "TWILIO_AUTH_TOKEN": SECRET,
        "RASA_PUBLIC_URL": ANY, "ALLOWED_ORIGINS": ANY, "TRACKER_STORE_OUTAGE_BUDGET": ANY}),
    "actions": (ACTIONS_ENV, ACTION_SERVER, {
        "ASSISTANT_ENV": "production", "ACTION_SERVER_TOKEN": SECRET, "ACTIONS_HOST": "0.0.0.0",
        "DATABASE_URL": ANY, "ASSISTANT_VAR_DIR": ANY}),
    "retention": (RETENTION_ENV, ("bot.console.purge",), {
        "DATABASE_URL": ANY, "RETENTION_DAYS": ANY, "AUDIT_RETENTION_DAYS": ANY}),
}


@pytest.mark.parametrize("process", sorted(PRODUCTION))
def test_each_process_gets_its_production_settings(process: str) -> None:
    env, entries, required = PRODUCTION[process]
    # The table names variables the process's code really reads (kept in step with bot/settings.py).
    assert set(required) - names_in_code(closure(list(entries)).modules) == set()
    for name, expected in required.items():
        assert name in env, f"{process}: {name} is not set"
        if expected == SECRET:
            assert name in secret_refs(env), f"{process}: {name} must come from a Secret"
        elif expected != ANY:
            assert env[name].get("value") == expected


def test_the_rasa_servers_get_no_project_database_and_share_the_token_with_the_action_servers() -> None:
    assert "DATABASE_URL" not in RASA_ENV  # a Rasa server touches no project table (deploy/db-roles.sql)
    assert secret_refs(RASA_ENV)["ACTION_SERVER_TOKEN"] == secret_refs(ACTIONS_ENV)["ACTION_SERVER_TOKEN"]


def test_every_secret_the_pods_read_is_created_by_the_procedure() -> None:
    created = secrets_created_by_the_readme()
    used = {f"{process}:{name}": ref for process, (env, _, _) in PRODUCTION.items()
            for name, ref in secret_refs(env).items()}
    assert {"rasa:DB_PASSWORD", "rasa:REDIS_PASSWORD", "actions:DB_PASSWORD"} <= set(used)
    assert {name: ref for name, ref in used.items() if ref not in created} == {}
