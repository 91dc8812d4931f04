"""What `make prod-local` checks and prepares before starting its processes: database, Redis, nginx."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

from bot.processes.catalogue import PYTHON, Process, nginx_check
from bot.settings import PROJECT_ROOT


class SetupError(RuntimeError):
    """The stack cannot start; the message (French) says why and what to do."""


def ensure_database(env: Mapping[str, str]) -> None:
    """Creates DB_NAME on the PostgreSQL server of DB_HOST:DB_PORT if missing."""
    import psycopg2
    from psycopg2 import sql

    try:
        conn = psycopg2.connect(host=env["DB_HOST"], port=env["DB_PORT"], user=env["DB_USER"],
                                password=env.get("DB_PASSWORD") or None, dbname="postgres", connect_timeout=10)
    except psycopg2.OperationalError as e:
        raise SetupError(f"PostgreSQL injoignable sur {env['DB_HOST']}:{env['DB_PORT']} : {e}") from e
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (env["DB_NAME"],))
            if cur.fetchone() is None:
                cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(env["DB_NAME"])))
                print(f"Base {env['DB_NAME']} créée.", flush=True)
    finally:
        conn.close()


def migrate(env: Mapping[str, str]) -> None:
    if subprocess.call([PYTHON, "-m", "bot", "db-upgrade"], cwd=PROJECT_ROOT, env=dict(env)) != 0:
        raise SetupError("La migration de la base a échoué (python -m bot db-upgrade).")


def redis_reachable(env: Mapping[str, str]) -> bool:
    import redis

    try:
        return bool(redis.Redis(host=env["REDIS_HOST"], port=int(env["REDIS_PORT"]), socket_timeout=3).ping())
    except (redis.RedisError, OSError, ValueError):
        return False


def require_nginx(binary: str) -> None:
    if shutil.which(binary) is None:
        raise SetupError(f"nginx introuvable ({binary}) : installez le paquet Debian nginx, "
                         "ou indiquez NGINX=/chemin/vers/nginx.")


def write_nginx_conf(path: Path, text: str, process: Process) -> None:
    """Writes the configuration, then has nginx check it as `process` will run it."""
    path.write_text(text, encoding="utf-8")
    check = subprocess.run(nginx_check(process), capture_output=True, text=True)
    if check.returncode != 0:
        raise SetupError(f"Configuration nginx refusée ({path}) :\n{check.stderr.strip()}")
