"""`python -m bot console`, `users create|list`, `retention`: the console's commands."""

from __future__ import annotations

import argparse
import getpass
import ipaddress
import os
import sys

from bot import settings
from bot.console.timeutil import fmt_utc
from bot.console.users import ROLE_LABELS, ROLES, UserError, create_user, list_users
from bot.db.models import AuditLog
from bot.db.session import init_db, session_scope

LOOPBACK_NAMES = {"localhost"}


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _serve(args: argparse.Namespace) -> int:
    from werkzeug.serving import run_simple

    from bot.console.app import create_app

    dev_http = os.environ.get("CONSOLE_DEV_HTTP")
    # Plain http on the loopback is development: cookies without Secure. Anywhere else the console is
    # expected behind TLS (reverse proxy), unless CONSOLE_DEV_HTTP=1 says otherwise.
    secure = dev_http != "1" if dev_http in ("0", "1") else not _is_loopback(args.host)
    app = create_app(args.database_url, secure_cookies=secure)
    print(f"Console du personnel : http://{args.host}:{args.port}/", flush=True)
    if not secure:
        print("(cookies de session sans l'attribut Secure : http de développement)", flush=True)
    run_simple(args.host, args.port, app, threaded=True, use_reloader=False, use_debugger=False)
    return 0


def _read_password(args: argparse.Namespace) -> str:
    if args.password:
        return str(args.password)
    env = os.environ.get("CONSOLE_PASSWORD")
    if env:
        return env
    if not sys.stdin.isatty():
        raise UserError("mot de passe manquant : --password, CONSOLE_PASSWORD ou saisie au terminal")
    first = getpass.getpass("Mot de passe : ")
    if first != getpass.getpass("Confirmez : "):
        raise UserError("les deux saisies diffèrent")
    return first


def _users_create(args: argparse.Namespace) -> int:
    init_db(args.database_url)
    try:
        password = _read_password(args)
        with session_scope(args.database_url) as s:
            user = create_user(s, args.username, password, args.role)
            name, role = user.username, user.role
    except UserError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    print(f"Compte {name} créé ({ROLE_LABELS[role]}).")
    return 0


def _users_list(args: argparse.Namespace) -> int:
    init_db(args.database_url)
    with session_scope(args.database_url) as s:
        users = list_users(s)
        for u in users:
            print(f"{u.username}\t{u.role}\tcréé le {fmt_utc(u.created_at)}\téchecs de connexion : {u.failed_logins}")
        if not users:
            print("Aucun compte. Créez-en un : python -m bot users create NOM --role admin")
    return 0


def _retention(args: argparse.Namespace) -> int:
    from bot.console.retention import purge

    if args.days < 1:
        print("Erreur : --days doit valoir au moins 1", file=sys.stderr)
        return 2
    init_db(args.database_url)
    with session_scope(args.database_url) as s:
        result = purge(s, args.days)
        s.add(AuditLog(username="cli", action="retention", target=f"{args.days} jours : {result.as_text()}"[:500]))
    print(f"Conservation {args.days} jours — supprimé : {result.as_text()}.")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--database-url", default=None, help="base de données (défaut : DATABASE_URL ou var/)")

    p = sub.add_parser("console", parents=[common], help="lance la console du personnel (web)")
    p.add_argument("--host", default=os.environ.get("CONSOLE_HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(os.environ.get("CONSOLE_PORT", "8081")))
    p.set_defaults(func=_serve)

    users = sub.add_parser("users", help="comptes de la console")
    users_sub = users.add_subparsers(dest="users_command", required=True)
    p = users_sub.add_parser("create", parents=[common], help="crée un compte")
    p.add_argument("username")
    p.add_argument("--role", required=True, choices=ROLES)
    p.add_argument("--password", help="visible par ps : préférer CONSOLE_PASSWORD ou la saisie masquée")
    p.set_defaults(func=_users_create)
    p = users_sub.add_parser("list", parents=[common], help="liste les comptes")
    p.set_defaults(func=_users_list)

    p = sub.add_parser(
        "retention", parents=[common], help="supprime les conversations plus anciennes que N jours, avec leurs données"
    )
    p.add_argument(
        "--days",
        type=int,
        default=settings.RETENTION_DAYS,
        help="défaut : RETENTION_DAYS (90)",
    )
    p.set_defaults(func=_retention)
