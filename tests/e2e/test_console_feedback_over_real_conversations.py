"""Feedback, satisfaction, deflection and the review queue over conversations held through the REST channel
with the real Rasa and action servers: on SQLite, and on PostgreSQL when TEST_POSTGRES_URL is set."""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from servers import Servers, free_port
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from bot.console.app import create_app
from bot.console.users import create_user
from bot.storage import MessageLabel, init_db, session_scope

pytestmark = pytest.mark.e2e
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL")


def postgres_endpoints(tmp: Path, url: str, actions_port: int) -> Path:
    u = make_url(url)
    password = f"  password: {json.dumps(u.password)}\n" if u.password else ""
    path = tmp / "endpoints.yml"
    # YAML, not JSON: Rasa expands the unquoted ${ACTION_SERVER_TOKEN} the action server checks.
    path.write_text(
        f'action_endpoint:\n  url: "http://localhost:{actions_port}/webhook"\n'
        '  headers:\n    X-Action-Token: ${ACTION_SERVER_TOKEN}\n'
        f'tracker_store:\n  type: SQL\n  dialect: postgresql\n  url: {json.dumps(u.host or "127.0.0.1")}\n'
        f'  port: {u.port or 5432}\n  db: {json.dumps(u.database)}\n  username: {json.dumps(u.username or "")}\n'
        f'{password}lock_store:\n  type: in_memory\n',
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def postgres_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    if not POSTGRES_URL:
        pytest.skip("TEST_POSTGRES_URL not set: PostgreSQL run skipped")
    name = f"feedback_e2e_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    tmp = tmp_path_factory.mktemp("pg-servers")
    init_db(url)
    actions_port = free_port()
    servers = Servers(tmp=tmp, database_url=url, actions_port=actions_port,
                      endpoints=postgres_endpoints(tmp, url, actions_port))
    try:
        servers.start_actions()
        servers.start_rasa()
        yield servers
    finally:
        servers.stop()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def servers(request: pytest.FixtureRequest) -> Servers:
    return request.getfixturevalue("rasa_server" if request.param == "sqlite" else "postgres_servers")


def feedback(value: str, answer: str, comment: str = "") -> str:
    entities = {"feedback_value": value, "feedback_answer": answer}
    if comment:
        entities["feedback_comment"] = comment
    return "/feedback" + json.dumps(entities, ensure_ascii=False)


def test_feedback_satisfaction_deflection_and_queue_from_real_conversations(servers: Servers) -> None:
    tag = uuid.uuid4().hex[:6]
    fasting, home, lost, call = (f"rest-{kind}-{tag}" for kind in ("jeun", "maison", "perdu", "rappel"))
    servers.say(fasting, "je dois etre a jeun ?")
    servers.say(fasting, feedback("non", "utter_ask_fasting"))
    servers.say(fasting, feedback("non", "utter_ask_fasting", "le nombre d'heures exact"))
    servers.say(home, "quand est ce que je pourrai rentrer chez moi ?")
    servers.say(home, feedback("oui", "utter_ask_going_home"))
    servers.say(lost, f"blorp zzgrx kwaaa {tag}")
    servers.say(call, "rappelez moi svp")

    app = create_app(database_url=servers.database_url, testing=True)
    with session_scope(servers.database_url) as s:
        create_user(s, f"clin-{tag}", "mot-de-passe-long-1", "clinician")
    client = app.test_client()
    token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"username": f"clin-{tag}", "password": "mot-de-passe-long-1", "csrf_token": token})

    stats = client.get("/api/stats").get_json()
    assert stats["outcomes"]["not_helped"] >= 1 and stats["outcomes"]["answered"] >= 1
    assert stats["outcomes"]["callback"] >= 1 and stats["feedback"]["non"] >= 1 and stats["feedback"]["oui"] >= 1
    outcomes = stats["outcomes"]
    assert stats["deflection_rate"] == round(outcomes["answered"] / stats["conversations"], 4)

    satisfaction = client.get("/api/satisfaction?sujet=ask_fasting").get_json()
    assert satisfaction["non"] >= 1
    page = client.get("/satisfaction").get_data(as_text=True)
    assert "Jeûne" in page and "Retour à la maison" in page and "le nombre d&#39;heures exact" in page

    conversation = client.get("/conversation", query_string={"id": fasting}).get_data(as_text=True)
    said = "Avis du patient sur la réponse : « Non » — ce qui manquait : « le nombre d&#39;heures exact »"
    assert said in conversation

    queue = client.get("/review").get_data(as_text=True)
    assert f"blorp zzgrx kwaaa {tag}" in queue
    article = next(a for a in re.findall(r"<article.*?</article>", queue, re.S) if "le nombre d&#39;heures" in a)
    assert "réponse jugée inutile" in article and "je dois etre a jeun ?" in article
    event_id = re.search(r'name="event_id" value="(\d+)"', article).group(1)
    token = CSRF.search(queue).group(1)
    response = client.post("/review/label", data={"csrf_token": token, "event_id": event_id, "label": "ask_fasting",
                                                 "reasons": "feedback_non"})
    assert response.status_code == 302
    with session_scope(servers.database_url) as s:
        row = s.execute(select(MessageLabel).where(MessageLabel.conversation_id == fasting)).scalar_one()
        assert (row.text, row.label, row.reason, row.labelled_by) == (
            "je dois etre a jeun ?", "ask_fasting", "feedback_non", f"clin-{tag}")
    articles = re.findall(r"<article.*?</article>", client.get("/review").get_data(as_text=True), re.S)
    assert not [a for a in articles if fasting in a and "je dois etre a jeun ?" in a]  # labelled: out of the queue
