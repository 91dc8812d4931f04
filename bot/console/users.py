"""Staff accounts: creation, password hashing (argon2id) and verification."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.console.sessions import end_all_sessions
from bot.storage.models import StaffUser

ROLES: tuple[str, ...] = ("secretariat", "clinician", "admin")
ROLE_LABELS = {"secretariat": "secrétariat", "clinician": "soignant", "admin": "administrateur"}
ROLE_LEVEL = {role: level for level, role in enumerate(ROLES, start=1)}
MIN_PASSWORD_LENGTH = 10
USERNAME_RE = re.compile(r"^[A-Za-z0-9._@\-]{2,120}$")

_hasher = PasswordHasher()
_dummy_hash: str | None = None


class UserError(ValueError):
    """A refused account operation, with a message for the staff."""


def has_role(role: str | None, minimum: str) -> bool:
    return ROLE_LEVEL.get(role or "", 0) >= ROLE_LEVEL[minimum]


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"le mot de passe doit faire au moins {MIN_PASSWORD_LENGTH} caractères")
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; with no hash, spend the same time on a dummy hash (no user enumeration by timing)."""
    global _dummy_hash
    if password_hash is None:
        if _dummy_hash is None:
            _dummy_hash = _hasher.hash("dummy password for timing")
        password_hash = _dummy_hash
        password = password + "\0"
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def find_user(session: Session, username: str) -> StaffUser | None:
    return session.execute(
        select(StaffUser).where(func.lower(StaffUser.username) == username.strip().lower())
    ).scalar_one_or_none()


def create_user(session: Session, username: str, password: str, role: str) -> StaffUser:
    username = username.strip()
    if not USERNAME_RE.match(username):
        raise UserError("identifiant invalide (2 à 120 caractères : lettres, chiffres, . _ @ -)")
    if role not in ROLES:
        raise UserError(f"rôle inconnu : {role} (attendu : {', '.join(ROLES)})")
    if find_user(session, username) is not None:
        raise UserError(f"l'identifiant {username} existe déjà")
    user = StaffUser(username=username, password_hash=hash_password(password), role=role, failed_logins=0)
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, user: StaffUser, password: str) -> None:
    """New password; every open session of the user ends (commit is the caller's)."""
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    end_all_sessions(session, user.id)


def delete_user(session: Session, user: StaffUser) -> None:
    end_all_sessions(session, user.id)
    session.delete(user)


def set_role(user: StaffUser, role: str) -> None:
    if role not in ROLES:
        raise UserError(f"rôle inconnu : {role}")
    user.role = role


def list_users(session: Session) -> list[StaffUser]:
    return list(session.execute(select(StaffUser).order_by(StaffUser.username)).scalars())
