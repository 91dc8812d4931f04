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
