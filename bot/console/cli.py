"""`python -m bot console`, `users create|list`, `retention`: the console's commands."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from bot import settings
from bot.console.timeutil import fmt_utc
from bot.console.users import ROLE_LABELS, ROLES, UserError, create_user, list_users
from bot.storage.session import init_db, session_scope


def _serve(args: argparse.Namespace) -> int:
    from werkzeug.serving import run_simple

    from bot.console.app import create_app

    # Secure cookies always: a browser sends them to http://localhost too, and production is behind
    # TLS. Only CONSOLE_INSECURE_COOKIES=1 (`make run`: development over plain http) drops them.
    app = create_app(args.database_url)
    print(f"Console du personnel : http://{args.host}:{args.port}/", flush=True)
    if not app.config["SESSION_COOKIE_SECURE"]:
        print("(CONSOLE_INSECURE_COOKIES=1 : cookie de session sans Secure, pour le développement en http)", flush=True)
    run_simple(args.host, args.port, app, threaded=True, use_reloader=False, use_debugger=False)
    return 0


def _read_password(args: argparse.Namespace) -> str:
    if args.password:
        return str(args.password)
    env = settings.console_password()
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
    import logging

    from bot.console.purge import PurgeSettings, run_daily, run_purge
    from bot.storage.log_retention import default_log_dirs

    if min(args.days, args.audit_days, args.log_days) < 1:
        print("Erreur : --days, --audit-days et --log-days doivent valoir au moins 1", file=sys.stderr)
        return 2
    init_db(args.database_url)
    cfg = PurgeSettings(
        days=args.days,
        audit_days=args.audit_days,
        log_days=args.log_days,
        log_dirs=[Path(d) for d in args.log_dir] if args.log_dir else default_log_dirs(Path(settings.VAR_DIR)),
    )

    def once() -> None:
        report = run_purge(args.database_url, cfg, actor="purge" if args.daily else "cli")
        print(f"Conservation {args.days} jours — supprimé : {report.as_text()}.", flush=True)

    if not args.daily:
        once()
        return 0
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    print(f"Purge quotidienne : maintenant, puis chaque jour à {settings.PURGE_HOUR} h.", flush=True)
    run_daily(once, settings.PURGE_HOUR)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--database-url", default=None, help="base de données (défaut : DATABASE_URL ou var/)")

    p = sub.add_parser("console", parents=[common], help="lance la console du personnel (web)")
    p.add_argument("--host", default=settings.console_host())
    p.add_argument("--port", type=int, default=settings.console_port())
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
        "retention",
        parents=[common],
        help="purge : conversations et leurs données, audit, compteurs, sessions, alertes en attente, journaux",
    )
    p.add_argument(
        "--days", type=int, default=settings.RETENTION_DAYS, help="conversations ; défaut : RETENTION_DAYS (90)"
    )
    p.add_argument(
        "--audit-days", type=int, default=settings.AUDIT_RETENTION_DAYS, help="défaut : AUDIT_RETENTION_DAYS (180)"
    )
    p.add_argument("--log-days", type=int, default=settings.LOG_RETENTION_DAYS, help="défaut : LOG_RETENTION_DAYS (14)")
    p.add_argument(
        "--log-dir",
        action="append",
        default=[],
        help="dossier de journaux (répétable ; défaut : var/log et var/prod/log)",
    )
    p.add_argument("--daily", action="store_true", help="tourne en continu : maintenant puis chaque jour à PURGE_HOUR")
    p.set_defaults(func=_retention)
