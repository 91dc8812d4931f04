"""The sets of processes the project runs: `make run` (dev), `make prod-local`, `make chat`.

Each reads its settings from the environment (scripts/env.sh exports the shared defaults) and returns
a Stack: its processes from the catalogue, their environment, where they log, what to print.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.processes import catalogue, nginx, prod_setup
from bot.processes.catalogue import Process
from bot.processes.prod_setup import SetupError
from bot.settings import PROJECT_ROOT, SETTINGS

MODEL = PROJECT_ROOT / "models" / "current.tar.gz"
EXAMPLE_BODY = '{"sender":"essai","message":"bonjour"}'
# The servers of `make prod-local`: two share two cores, so one TensorFlow thread each (if a component ever
# imports it); capped glibc malloc arenas keep resident memory from creeping.
PROD_TUNING = {"TF_INTRA_OP_PARALLELISM_THREADS": "1", "TF_INTER_OP_PARALLELISM_THREADS": "1",
               "OMP_NUM_THREADS": "1", "MALLOC_ARENA_MAX": "2"}


@dataclass
class Stack:
    processes: list[Process]
    env: dict[str, str]
    log_dir: Path
    starting: str  # printed while the servers start
    banner: str  # printed once they answer
    run_dir: Path | None = None  # pid files, hold files and the `ready` marker
    restart: bool = False  # restart what dies (prod-local) instead of stopping everything
    fresh_logs: bool = False  # empty the logs first (then appended to: the daily purge empties them in place)
    ready_timeout: float = 400
    prepare: Callable[[], None] = lambda: None
    foreground: Process | None = None  # run in the terminal once the others answer (make chat)


def _ports(raw: str) -> list[int]:
    return [int(p) for p in raw.replace(",", " ").split()]


def _with_secrets(env: Mapping[str, str], *names: str) -> dict[str, str]:
    """The environment with each secret generated for this run when not given."""
    out = dict(env)
    for name in names:
        if not out.get(name, "").strip():
            out[name] = secrets.token_hex(24)
    return out


def _has(module: str) -> bool:
    """Optional parts (site, console) are started only when present."""
    return importlib.util.find_spec(module) is not None


def _origins(env: Mapping[str, str], site_port: int) -> list[str]:
    return (env.get("ALLOWED_ORIGINS") or f"http://localhost:{site_port} http://127.0.0.1:{site_port}").split()


# ---------- make run ----------

def _setting(env: Mapping[str, str], name: str) -> str:
    """A setting from this stack's environment, else its default declared in bot/settings.py."""
    return env.get(name) or SETTINGS[name].resolved_default() or ""


def dev(environ: Mapping[str, str]) -> Stack:
    env = _with_secrets(environ, "ACTION_SERVER_TOKEN")
    rasa_port, actions_port = int(_setting(env, "RASA_PORT")), int(_setting(env, "ACTIONS_PORT"))
    site_port, console_port = int(_setting(env, "SITE_PORT")), int(_setting(env, "CONSOLE_PORT"))
    processes = [
        catalogue.action_server(actions_port),
        catalogue.rasa_server(rasa_port, MODEL, PROJECT_ROOT / "endpoints.yml", PROJECT_ROOT / "credentials.yml",
                              cors=_origins(env, site_port)),
    ]
    if _has("bot.site"):
        processes.append(catalogue.site(site_port))
    if _has("bot.console"):
        processes += [catalogue.console(console_port, insecure_cookies=True), catalogue.purge()]
    banner = f"""
  Assistant (canal REST) : http://localhost:{rasa_port}/webhooks/rest/webhook
  Assistant (socket.io)  : http://localhost:{rasa_port}/socket.io
  Serveur d'actions      : http://127.0.0.1:{actions_port}/webhook (jeton exigé)
  Page de démonstration  : http://localhost:{site_port}/
  Console du personnel   : http://localhost:{console_port}/
  Journaux               : var/log/

  Exemple : curl -s -XPOST http://localhost:{rasa_port}/webhooks/rest/webhook -d '{EXAMPLE_BODY}'
  (conversation « rest-essai » ; en production le « sender » est un jeton : POST /webhooks/rest/session)
  Ctrl-C arrête tout."""
    return Stack(processes, env, PROJECT_ROOT / "var" / "log", banner=banner, fresh_logs=True,
                 starting="Démarrage (le serveur Rasa met environ 15 s à charger le modèle)…")


# ---------- make chat ----------
def chat(environ: Mapping[str, str]) -> Stack:
    env = _with_secrets(environ, "ACTION_SERVER_TOKEN")
    actions = catalogue.action_server(int(_setting(env, "ACTIONS_PORT")), name="actions-chat")
    return Stack([actions], env, PROJECT_ROOT / "var" / "log", starting="", banner="", fresh_logs=True,
                 foreground=catalogue.rasa_shell(MODEL, PROJECT_ROOT / "endpoints.yml"))


# ---------- make prod-local ----------
def rasa_name(port: int) -> str:
    return f"rasa-{port}"


def actions_name(port: int) -> str:
    return f"actions-{port}"


@dataclass
class ProdLocal:
    """The settings of `make prod-local` (deploy/README.md), each overridable from the environment."""

    env: Mapping[str, str]
    port: int = field(init=False)  # nginx, in front of the Rasa servers
    listen: str = field(init=False)
    rasa_ports: list[int] = field(init=False)
    actions_lb_port: int = field(init=False)  # nginx, in front of the action servers
    action_ports: list[int] = field(init=False)
    prod_dir: Path = field(init=False)

    def __post_init__(self) -> None:
        get = self.env.get
        self.port, self.listen = int(get("PROD_PORT", 5005)), get("PROD_LISTEN", "127.0.0.1")
        self.rasa_ports = _ports(get("RASA_PORTS", "5006 5007"))
        self.action_ports = _ports(get("ACTION_PORTS", "5056 5057"))
        self.actions_lb_port = int(get("ACTIONS_LB_PORT", 5055))
        self.prod_dir = (PROJECT_ROOT / get("PROD_DIR", "var/prod")).resolve()

    def model(self) -> Path:
        given = self.env.get("MODEL")
        model = PROJECT_ROOT / given if given else MODEL
        if model.is_file():
            return model
        newest = sorted((PROJECT_ROOT / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
        if not newest:
            raise SetupError("Aucun modèle dans models/ : lancez d'abord 'make train'.")
        return newest[-1]

    def child_env(self) -> dict[str, str]:
        get = self.env.get
        env = _with_secrets(self.env, "ACTION_SERVER_TOKEN", "CONVERSATION_TOKEN_KEY")
        env.update(
            PROD_PORT=str(self.port), PROD_LISTEN=self.listen,
            DB_HOST=get("DB_HOST", "127.0.0.1"), DB_PORT=get("DB_PORT", "5432"),
            DB_NAME=get("DB_NAME", "assistant_prod"),
            DB_USER=get("DB_USER") or pwd.getpwuid(os.getuid()).pw_name, DB_PASSWORD=get("DB_PASSWORD", ""),
            REDIS_HOST=get("REDIS_HOST", "127.0.0.1"), REDIS_PORT=get("REDIS_PORT", "6379"),
            ACTION_ENDPOINT_URL=get("ACTION_ENDPOINT_URL") or f"http://127.0.0.1:{self.actions_lb_port}/webhook",
            RASA_PUBLIC_URL=f"http://localhost:{self.port}",
            # Production rules (README, "Security of the channels"): signed conversation ids, REST senders
            # with a token, signed phone webhooks, the action-server token required.
            ASSISTANT_ENV=get("ASSISTANT_ENV", "production"),
        )
        auth = env["DB_USER"] + (f":{env['DB_PASSWORD']}" if env["DB_PASSWORD"] else "")
        env.setdefault("DATABASE_URL", f"postgresql://{auth}@{env['DB_HOST']}:{env['DB_PORT']}/{env['DB_NAME']}")
        for name, value in PROD_TUNING.items():
            env.setdefault(name, value)
        # A server killed while holding a conversation's lock blocks it until the lock expires: 30 s, not 60.
        env.setdefault("TICKET_LOCK_LIFETIME", "30")
        return env


def prod_local(environ: Mapping[str, str]) -> Stack:
    cfg = ProdLocal(environ)
    env = cfg.child_env()
    get = env.get
    model, credentials = cfg.model(), PROJECT_ROOT / get("PROD_CREDENTIALS", "credentials.yml")
    site_port, console_port = int(get("SITE_PORT", 8080)), int(get("CONSOLE_PORT", 8081))
    actions = [catalogue.action_server(p, host="127.0.0.1", name=actions_name(p)) for p in cfg.action_ports]
    rasa = [catalogue.rasa_server(p, model, PROJECT_ROOT / "deploy" / "endpoints.prod.yml", credentials,
                                  host="127.0.0.1", cors=_origins(env, site_port), name=rasa_name(p))
            for p in cfg.rasa_ports]
    conf_dir, log_dir, run_dir = cfg.prod_dir / "nginx", cfg.prod_dir / "log", cfg.prod_dir / "run"
    front = catalogue.nginx(get("NGINX", "/usr/sbin/nginx"), conf_dir / "nginx.conf", conf_dir, cfg.listen, cfg.port)
    processes = [*actions, *rasa, front]
    if get("PROD_PURGE", "1") == "1":  # the daily purge, as the CronJob does
        processes.append(catalogue.purge([log_dir]))
    web = get("PROD_WEB", "1") == "1"  # also the demo page and the staff console
    if web and _has("bot.site"):
        processes.append(catalogue.site(site_port))
    if web and _has("bot.console"):
        processes.append(catalogue.console(console_port))

    def prepare() -> None:
        prod_setup.require_nginx(front.argv[0])
        for directory in (log_dir, run_dir, conf_dir / "tmp"):
            directory.mkdir(parents=True, exist_ok=True)
        for stale in [*run_dir.glob("*.pid"), run_dir / "ready"]:
            stale.unlink(missing_ok=True)
        prod_setup.ensure_database(env)
        prod_setup.migrate(env)
        if not prod_setup.redis_reachable(env):
            print(f"Attention : Redis injoignable sur {env['REDIS_HOST']}:{env['REDIS_PORT']} "
                  "(verrous pris en mémoire de chaque serveur).", flush=True)
        text = nginx.render(cfg.prod_dir, cfg.listen, cfg.port, cfg.actions_lb_port, rasa, actions,
                            nginx.Limits.from_env(env))
        prod_setup.write_nginx_conf(conf_dir / "nginx.conf", text, front)

    database = f"{env['DB_HOST']}:{env['DB_PORT']}/{env['DB_NAME']}"
    rasa_ports, action_ports = ", ".join(map(str, cfg.rasa_ports)), ", ".join(map(str, cfg.action_ports))
    banner = f"""
  Production locale prête (PostgreSQL {database}, Redis {env['REDIS_HOST']}:{env['REDIS_PORT']})
  Assistant (canal REST) : http://localhost:{cfg.port}/webhooks/rest/webhook  (nginx → {rasa_ports})
  Assistant (socket.io)  : http://localhost:{cfg.port}/socket.io  (affinité par cookie ou adresse)
  Serveurs d'actions     : http://127.0.0.1:{cfg.actions_lb_port}/webhook  (nginx → {action_ports})"""
    if web:
        banner += f"""
  Page de démonstration  : http://localhost:{site_port}/
  Console du personnel   : http://localhost:{console_port}/"""
    banner += f"""
  Journaux               : {log_dir}/

  Exemple (le canal REST exige un jeton de conversation en production) :
    curl -s -XPOST http://localhost:{cfg.port}/webhooks/rest/session
    curl -s -XPOST http://localhost:{cfg.port}/webhooks/rest/webhook -d '{{"sender":"<jeton>","message":"bonjour"}}'
  Ctrl-C arrête tout."""
    shown = model.relative_to(PROJECT_ROOT) if model.is_relative_to(PROJECT_ROOT) else model
    starting = (f"Démarrage de {len(processes)} processus (modèle {shown} ;"
                " chaque serveur Rasa met 30 à 90 s à le charger)…")
    return Stack(processes, env, log_dir, starting=starting, banner=banner, run_dir=run_dir,
                 restart=get("PROD_SUPERVISE", "1") == "1", prepare=prepare)


STACKS: dict[str, Callable[[Mapping[str, str]], Stack]] = {"dev": dev, "prod-local": prod_local, "chat": chat}
