"""Dashboard figures and charts over real tracker events."""

from __future__ import annotations

from flask.testing import FlaskClient

from .console_helpers import Seeder


def test_stats_api(seeder: Seeder, secretariat: FlaskClient) -> None:
    seeder.sample()
    data = secretariat.get("/api/stats").get_json()
    assert data["period_days"] == 30
    assert data["conversations"] == 4  # the 100-day-old one is outside the period
    assert data["user_messages"] == 6
    assert data["fallback_messages"] == 1
    assert data["outcomes"] == {"answered": 2, "not_helped": 0, "callback": 1, "abandoned": 1}
    assert data["deflection_rate"] == 0.5
    assert data["alerts"] == 1 and data["alerts_unacknowledged"] == 1
    assert data["red_flag_conversations"] == 1
    assert data["callback_requests"] == 1 and data["callback_requests_pending"] == 1
    assert sum(data["conversations_per_day"]) == 4 and len(data["dates"]) == 30
    topics = {t["intent"]: t["count"] for t in data["top_intents"]}
    assert topics == {"ask_duration": 1, "red_flag_a": 1, "request_human": 1}
    year = secretariat.get("/api/stats?jours=365").get_json()
    assert year["conversations"] == 5 and year["outcomes"]["answered"] == 3
    assert secretariat.get("/api/stats?jours=12").get_json()["period_days"] == 30


def test_dashboard_page_has_charts(seeder: Seeder, secretariat: FlaskClient) -> None:
    seeder.sample()
    page = secretariat.get("/?jours=7").get_data(as_text=True)
    assert page.count("<svg") == 4
    for text in (
        "Conversations par jour",
        "Messages des patients par jour",
        "Sujets les plus demandés",
        "Issue des conversations",
        "50,0 %",
        "16,7 %",
        "Durée de l&#39;intervention",  # topics by their French names
        "Alerte A : jambes, vessie",
    ):
        assert text in page, text
    assert "cdn" not in page.lower() and '<script src="http' not in page
    assert "ask_duration" not in page and "red_flag_a" not in page


def test_empty_dashboard(secretariat: FlaskClient) -> None:
    page = secretariat.get("/").get_data(as_text=True)
    assert "Aucune donnée sur la période." in page
