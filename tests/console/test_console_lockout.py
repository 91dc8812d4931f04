"""Failed logins (issue 14, hole 6): locked per user AND address, a soft per-user slowdown, attempts
reserved atomically, proxy headers believed from configured proxies only, audit rows rate-limited."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.console import throttle
from bot.console.app import create_app
from bot.console.proxy import client_address, parse_networks
from bot.storage.models import AuditLog, LoginThrottle
from bot.storage.session import engine_for, session_scope

from .console_helpers import FakeClock, csrf_token, login

ATTACKER, CLINIC = {"REMOTE_ADDR": "203.0.113.66"}, {"REMOTE_ADDR": "198.51.100.20"}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def timed_app(database_url: str, users: dict[str, str], clock: FakeClock) -> Flask:
    return create_app(database_url, testing=True, clock=clock)


def attempt(app: Flask, username: str, password: str = "mauvais-mot-de-passe", env: dict | None = None) -> int:
    return login(app.test_client(), username, password, environ_base=env or ATTACKER).status_code


def test_delay_schedules() -> None:
    pair = [throttle.PAIR.delay(n).total_seconds() for n in range(1, 10)]
    assert pair == [0, 0, 0, 0, 30, 60, 120, 240, 480]
    assert throttle.PAIR.delay(50) == timedelta(minutes=15)
    assert throttle.USER.delay(9) == timedelta(0) and throttle.USER.delay(10) == timedelta(seconds=2)
    assert throttle.USER.delay(100) == throttle.USER.max_delay == timedelta(seconds=30)
    assert throttle.ADDRESS.delay(19) == timedelta(0) and throttle.ADDRESS.delay(20) > timedelta(0)


def test_guesser_is_locked_out_from_his_address(timed_app: Flask, clock: FakeClock) -> None:
    for _ in range(throttle.PAIR.max_failures):
        assert attempt(timed_app, "docteur") == 401
    assert attempt(timed_app, "docteur") == 429
    assert attempt(timed_app, "docteur", password="mot-de-passe-de-test") == 429  # not even checked
    clock.advance(seconds=31)
    assert attempt(timed_app, "docteur") == 401  # one more try after the lock...
    assert attempt(timed_app, "docteur") == 429  # ...then locked twice as long
    clock.advance(seconds=59)
    assert attempt(timed_app, "docteur") == 429
    clock.advance(seconds=2)
    assert attempt(timed_app, "docteur", password="mot-de-passe-de-test") == 302


def test_a_third_party_cannot_lock_a_clinician_out(timed_app: Flask, clock: FakeClock) -> None:
    """The attack of the issue: one try every few minutes used to keep the clinician out for good."""
    for _round in range(12):  # two hours of an attacker coming back whenever his lock ends
        for _ in range(throttle.PAIR.max_failures + 3):
            attempt(timed_app, "docteur")
        # The clinician, from the clinic's address, logs in at once.
        assert attempt(timed_app, "docteur", password="mot-de-passe-de-test", env=CLINIC) == 302
        clock.advance(minutes=10)


def test_spread_guessing_only_slows_the_account_a_little(timed_app: Flask, clock: FakeClock) -> None:
    addresses = [{"REMOTE_ADDR": f"192.0.2.{i}"} for i in range(1, 40)]
    refused = 0
    for env in addresses:  # a botnet: one address per guess
        status = attempt(timed_app, "docteur", env=env)
        refused += status == 429
        if status == 429:
            clock.advance(seconds=3)
    assert refused > 0  # the account is slowed down...
    response = login(timed_app.test_client(), "docteur", environ_base=CLINIC)
    if response.status_code == 429:  # ...but the clinician waits at most USER.max_delay
        text = response.get_data(as_text=True)
        wait = int(text.split("Réessayez dans ")[1].split(" ")[0])
        assert 0 < wait <= throttle.USER.max_delay.total_seconds()
        clock.advance(seconds=wait)
    assert login(timed_app.test_client(), "docteur", environ_base=CLINIC).status_code == 302


def test_password_spraying_locks_the_address(timed_app: Flask) -> None:
    for i in range(throttle.ADDRESS.max_failures):
        assert attempt(timed_app, f"inconnu{i}") == 401
    assert attempt(timed_app, "secretaire", password="mot-de-passe-de-test") == 429
    assert attempt(timed_app, "secretaire", password="mot-de-passe-de-test", env=CLINIC) == 302


def test_locks_survive_a_restart(timed_app: Flask, database_url: str, clock: FakeClock) -> None:
    for _ in range(throttle.PAIR.max_failures):
        attempt(timed_app, "admin")
    restarted = create_app(database_url, testing=True, clock=clock)
    assert attempt(restarted, "admin", password="mot-de-passe-de-test") == 429


def test_success_clears_the_account_counters(timed_app: Flask, database_url: str) -> None:
    for _ in range(3):
        attempt(timed_app, "docteur")
    assert attempt(timed_app, "docteur", password="mot-de-passe-de-test") == 302
    with session_scope(database_url) as s:
        keys = set(s.execute(select(LoginThrottle.key)).scalars())
        address = s.get(LoginThrottle, f"ip:{ATTACKER['REMOTE_ADDR']}")
        assert address is not None and address.failures == 3
    assert not {k for k in keys if k.startswith(("pair:", "user:"))}


def test_spoofed_forwarded_for_is_ignored_without_trusted_proxies(timed_app: Flask) -> None:
    for i in range(throttle.PAIR.max_failures + 2):
        client = timed_app.test_client()
        status = login(
            client,
            "docteur",
            "mauvais-mot-de-passe",
            environ_base=ATTACKER,
            headers={"X-Forwarded-For": f"10.0.0.{i}"},
        ).status_code
    assert status == 429  # a new X-Forwarded-For each time did not make a new address


def test_forwarded_for_is_believed_from_a_trusted_proxy(
    database_url: str, users: dict[str, str], clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRUSTED_PROXIES", "127.0.0.1")
    app = create_app(database_url, testing=True, clock=clock)
    proxy = {"REMOTE_ADDR": "127.0.0.1"}

    def through_proxy(client_ip: str, password: str = "mauvais-mot-de-passe") -> int:
        # a client may prepend anything; nginx appends the address it saw
        headers = {"X-Forwarded-For": f"6.6.6.6, {client_ip}"}
        return login(app.test_client(), "docteur", password, environ_base=proxy, headers=headers).status_code

    for _ in range(throttle.PAIR.max_failures):
        assert through_proxy("203.0.113.66") == 401
    assert through_proxy("203.0.113.66") == 429
    # Behind the same proxy, the clinician is another address: not locked.
    assert through_proxy("198.51.100.20", "mot-de-passe-de-test") == 302


def test_client_address_rules() -> None:
    nets = parse_networks(["127.0.0.1", "10.0.0.0/8"])
    assert client_address("203.0.113.1", "1.2.3.4", nets) == "203.0.113.1"  # not from a proxy
    assert client_address("127.0.0.1", "1.2.3.4", nets) == "1.2.3.4"
    assert client_address("127.0.0.1", "6.6.6.6, 1.2.3.4, 10.1.1.1", nets) == "1.2.3.4"  # proxies skipped
    assert client_address("127.0.0.1", "pas-une-adresse", nets) == "127.0.0.1"
    assert client_address("127.0.0.1", None, nets) == "127.0.0.1"
    assert client_address("127.0.0.1", "10.2.2.2", nets) == "10.2.2.2"  # only proxies: the first one
    with pytest.raises(ValueError):
        parse_networks(["pas-un-reseau"])


def test_reservation_is_atomic_under_parallel_attempts(database_url: str) -> None:
    """Twenty requests at the same instant: the policy's number of password checks, no more."""
    engine = engine_for(database_url)
    factory = sessionmaker(bind=engine, future=True, expire_on_commit=False)
    now = FakeClock().now
    results: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(20)

    def one() -> None:
        session = factory()
        try:
            barrier.wait()
            results.append(throttle.reserve(session, "docteur", "203.0.113.66", now))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            session.close()

    threads = [threading.Thread(target=one) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert results.count(0) == throttle.PAIR.max_failures
    assert len(results) == 20


def test_parallel_logins_check_no_more_passwords_than_allowed(timed_app: Flask) -> None:
    statuses: list[int] = []
    barrier = threading.Barrier(12)

    def one() -> None:
        client = timed_app.test_client()
        token = csrf_token(client)
        barrier.wait()
        data = {"username": "docteur", "password": "mauvais-mot-de-passe", "csrf_token": token}
        statuses.append(client.post("/login", data=data, environ_base=ATTACKER).status_code)

    threads = [threading.Thread(target=one) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sorted(statuses) == [401] * throttle.PAIR.max_failures + [429] * (12 - throttle.PAIR.max_failures)


def test_failed_login_audit_rows_are_rate_limited(
    database_url: str, users: dict[str, str], clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUDIT_FAILED_LOGINS_PER_MINUTE", "3")
    app = create_app(database_url, testing=True, clock=clock)
    for i in range(10):  # ten addresses, so that no lock stops them
        assert attempt(app, "docteur", env={"REMOTE_ADDR": f"192.0.2.{i}"}) == 401
    for _ in range(30):  # and a flood of refused attempts
        attempt(app, "docteur", env={"REMOTE_ADDR": "192.0.2.0"})

    def rows() -> list[str]:
        with session_scope(database_url) as s:
            query = select(AuditLog.target).where(AuditLog.action.in_(("login_failed", "login_blocked")))
            return list(s.execute(query.order_by(AuditLog.id)).scalars())

    assert len(rows()) == 3
    clock.advance(seconds=61)
    attempt(app, "secretaire", env={"REMOTE_ADDR": "192.0.2.99"})
    last = rows()[-1]
    assert len(rows()) == 4 and "secretaire depuis 192.0.2.99" in last
    assert "+37 tentative(s) non journalisée(s)" in last
    # Successful logins are always audited.
    assert login(app.test_client(), "admin", environ_base=CLINIC).status_code == 302
    with session_scope(database_url) as s:
        assert s.execute(select(AuditLog).where(AuditLog.action == "login")).scalar_one().username == "admin"
