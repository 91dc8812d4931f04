"""The production configuration files, read the way Rasa reads them (no server, no database)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ENDPOINTS = ROOT / "deploy" / "endpoints.prod.yml"
ENV = {
    "DB_HOST": "db.example", "DB_PORT": "6543", "DB_NAME": "assistant_x", "DB_USER": "bot", "DB_PASSWORD": "",
    "REDIS_HOST": "redis.example", "REDIS_PORT": "6380", "ACTION_ENDPOINT_URL": "http://actions.example/webhook",
    "ACTION_SERVER_TOKEN": "jeton-partagé",
}


def test_every_endpoint_value_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa.utils.endpoints import read_endpoint_config

    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    tracker = read_endpoint_config(str(ENDPOINTS), "tracker_store")
    lock = read_endpoint_config(str(ENDPOINTS), "lock_store")
    action = read_endpoint_config(str(ENDPOINTS), "action_endpoint")
    assert tracker is not None and lock is not None and action is not None
    assert tracker.url == "db.example"
    assert tracker.kwargs["port"] == "6543" and tracker.kwargs["db"] == "assistant_x"
    assert tracker.kwargs["username"] == "bot" and tracker.kwargs["password"] == ""
    assert tracker.kwargs["dialect"] == "postgresql"
    assert lock.url == "redis.example" and str(lock.kwargs["port"]) == "6380"
    assert action.url == "http://actions.example/webhook"
    assert action.headers == {"X-Action-Token": "jeton-partagé"}  # checked by bot/action_server.py


def test_no_quoted_variable_that_rasa_would_leave_literal() -> None:
    for line in ENDPOINTS.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("#"):
            continue
        assert '"${' not in line and "'${" not in line, line


def test_custom_store_classes_load_by_module_path() -> None:
    from rasa.shared.utils.common import class_from_module_path

    config = yaml.safe_load(ENDPOINTS.read_text(encoding="utf-8"))
    from rasa.core.lock_store import RedisLockStore
    from rasa.core.tracker_store import SQLTrackerStore

    assert issubclass(class_from_module_path(config["tracker_store"]["type"]), SQLTrackerStore)
    assert issubclass(class_from_module_path(config["lock_store"]["type"]), RedisLockStore)


def test_helm_values_are_valid_yaml_with_the_essentials() -> None:
    rasa = yaml.safe_load((ROOT / "deploy" / "helm" / "rasa-values.yaml").read_text(encoding="utf-8"))
    actions = yaml.safe_load((ROOT / "deploy" / "helm" / "rasa-action-server-values.yaml").read_text(encoding="utf-8"))
    assert rasa["replicaCount"] >= 2 and actions["replicaCount"] >= 2
    endpoints = rasa["applicationSettings"]["endpoints"]
    assert endpoints["trackerStore"]["enabled"] and endpoints["trackerStore"]["dialect"] == "postgresql"
    assert endpoints["lockStore"]["enabled"]
    annotations = rasa["ingress"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert rasa["applicationSettings"]["initialModel"] == ""


def _env(values: dict) -> dict:
    return {e["name"]: e for e in values["extraEnv"]}


def test_helm_values_close_the_doors() -> None:
    """Issue 14: the project's channels, production rules and secrets, per-address limits on the ingress,
    the action servers behind a token and a NetworkPolicy."""
    helm = ROOT / "deploy" / "helm"
    rasa = yaml.safe_load((helm / "rasa-values.yaml").read_text(encoding="utf-8"))
    actions = yaml.safe_load((helm / "rasa-action-server-values.yaml").read_text(encoding="utf-8"))
    channels = rasa["applicationSettings"]["credentials"]["additionalChannelCredentials"]
    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8"))
    assert set(channels) == set(credentials) and all(c.startswith("bot.rasa_server.channels.") for c in channels)

    env = _env(rasa)
    assert env["ASSISTANT_ENV"]["value"] == "production"
    for secret in ("CONVERSATION_TOKEN_KEY", "TWILIO_AUTH_TOKEN", "ACTION_SERVER_TOKEN"):
        assert "secretKeyRef" in env[secret]["valueFrom"], secret
    assert env["RASA_PUBLIC_URL"]["value"].startswith("https://")
    action = rasa["applicationSettings"]["endpoints"]["additionalEndpoints"]["action_endpoint"]
    assert action["headers"] == {"X-Action-Token": "${ACTION_SERVER_TOKEN}"}
    assert not rasa["rasa-action-server"]["external"]["enabled"]  # the chart would write a second, token-less one
    annotations = rasa["ingress"]["annotations"]
    assert int(annotations["nginx.ingress.kubernetes.io/limit-rps"]) > 0
    assert int(annotations["nginx.ingress.kubernetes.io/limit-connections"]) > 0

    assert actions["command"] == ["python", "-m", "bot.action_server"]
    action_env = _env(actions)
    assert action_env["ASSISTANT_ENV"]["value"] == "production"
    assert "secretKeyRef" in action_env["ACTION_SERVER_TOKEN"]["valueFrom"]

    policies = list(yaml.safe_load_all((helm / "network-policies.yaml").read_text(encoding="utf-8")))
    inbound = next(p for p in policies if p["spec"]["podSelector"]["matchLabels"]["app.kubernetes.io/name"]
                   == "rasa-action-server")
    assert inbound["kind"] == "NetworkPolicy" and inbound["spec"]["policyTypes"] == ["Ingress"]
    [rule] = inbound["spec"]["ingress"]
    assert rule["from"] == [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "rasa"}}}]
    assert rule["ports"] == [{"protocol": "TCP", "port": actions["applicationSettings"]["port"]}]
