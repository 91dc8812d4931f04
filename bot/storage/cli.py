"""`python -m bot db-upgrade`, `alerts`, `callbacks`: database commands usable before the console exists."""

from __future__ import annotations

import argparse

from sqlalchemy import select

from bot.storage.models import Alert, CallbackRequest
from bot.storage.session import engine_for, init_db, session_scope


def create_rasa_events(url: str | None = None) -> None:
    """Create Rasa's own `events` table, as Rasa would, so that the Rasa servers' role needs no CREATE."""
    from rasa.core.tracker_store import SQLTrackerStore

    SQLTrackerStore.Base.metadata.create_all(engine_for(url))


def _upgrade(args: argparse.Namespace) -> int:
    init_db()
    if args.rasa_events:
        create_rasa_events()
    print("Base de données à jour.")
    return 0


def _alerts(args: argparse.Namespace) -> int:
    init_db()
    with session_scope() as s:
        rows = s.execute(select(Alert).order_by(Alert.created_at.desc()).limit(args.limit)).scalars()
        for a in rows:
            ack = f"acquittée par {a.acknowledged_by}" if a.acknowledged_at else "NON ACQUITTÉE"
            print(f"{a.created_at:%Y-%m-%d %H:%M} groupe {a.group} [{ack}] {a.conversation_id}: {a.message_text[:120]}")
    return 0


def _callbacks(args: argparse.Namespace) -> int:
    init_db()
    with session_scope() as s:
        rows = s.execute(
            select(CallbackRequest).order_by(CallbackRequest.created_at.desc()).limit(args.limit)
        ).scalars()
        for c in rows:
            print(f"{c.created_at:%Y-%m-%d %H:%M} [{c.status}] {c.name} {c.phone} ({c.time_slot}) : {c.reason[:120]}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("db-upgrade", help="crée ou migre le schéma de la base")
    p.add_argument(
        "--rasa-events",
        action="store_true",
        help="crée aussi la table `events` de Rasa (production avec un rôle par processus : deploy/db-roles.sql)",
    )
    p.set_defaults(func=_upgrade)
    p = sub.add_parser("alerts", help="liste les dernières alertes")
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(func=_alerts)
    p = sub.add_parser("callbacks", help="liste les dernières demandes de rappel")
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(func=_callbacks)
