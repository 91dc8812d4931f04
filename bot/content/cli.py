"""`python -m bot content-review [--out DIR] [--no-pdf]`: the document a doctor reads and signs."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot import settings


def _run(args: argparse.Namespace) -> int:
    from bot.content.builder import collect, write
    from bot.content.pdf import PdfError

    doc = collect()
    try:
        html_path, pdf_path = write(doc, Path(args.out), pdf=not args.no_pdf)
    except PdfError as exc:
        print(f"Échec du PDF : {exc}")
        return 1
    counts = f"{len(doc.items)} réponses, {len(doc.practical)} réponses pratiques"
    print(f"Revue des contenus, version {doc.version} : {counts}")
    print(f"HTML : {html_path}")
    if pdf_path:
        print(f"PDF : {pdf_path}")
    if doc.to_check:
        print(f"Points à vérifier : {len(doc.to_check)} réponse(s) (section 6)")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("content-review", help="écrit la revue des contenus à faire signer (HTML et PDF)")
    p.add_argument("--out", default=str(settings.CONTENT_REVIEW_DIR), help="dossier de sortie")
    p.add_argument("--no-pdf", action="store_true", help="HTML seulement")
    p.set_defaults(func=_run)
