"""`python -m bot site [--port]`: serves the chat widget and the demo page."""

from __future__ import annotations

import argparse
import os
import subprocess

from bot.settings import PROJECT_ROOT, site_host, site_port


def _run(args: argparse.Namespace) -> int:
    from bot.site.app import create_app

    app = create_app()
    dist = app.config["WIDGET_DIST_DIR"]
    if not os.path.isfile(os.path.join(dist, "widget.js")):
        print("Widget non construit : construction (bash web/build.sh)…")
        if subprocess.call(["bash", str(PROJECT_ROOT / "web" / "build.sh")]) != 0:
            print("Échec de la construction du widget : la page s'affichera sans la fenêtre de discussion.")
    shown = "localhost" if args.host in ("127.0.0.1", "0.0.0.0", "::") else args.host
    print(f"Page de démonstration : http://{shown}:{args.port}/")
    print(f"Widget : http://{shown}:{args.port}/widget/widget.js (serveur Rasa : {app.config['RASA_PUBLIC_URL']})")
    try:
        from waitress import serve
    except ImportError:
        app.run(host=args.host, port=args.port, threaded=True)
    else:
        serve(app, host=args.host, port=args.port)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("site", help="sert le widget de discussion et la page de démonstration")
    p.add_argument("--port", type=int, default=site_port())
    p.add_argument("--host", default=site_host())
    p.set_defaults(func=_run)
