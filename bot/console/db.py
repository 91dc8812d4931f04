"""One SQLAlchemy session per request, on the database the app was created for."""

from __future__ import annotations

from flask import current_app, g
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.session import engine_for


def db() -> Session:
    if "db_session" not in g:
        engine = engine_for(current_app.config["DATABASE_URL"])
        g.db_session = sessionmaker(bind=engine, future=True, expire_on_commit=False)()
    return g.db_session


def close_db(exc: BaseException | None = None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        if exc is not None:
            session.rollback()
        session.close()
