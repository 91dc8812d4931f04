"""HTML to PDF with headless Chromium (installed by `make browser`)."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from bot import settings

TIMEOUT_S = 180


class PdfError(RuntimeError):
    """The PDF could not be printed; the message says why, in French."""


def print_pdf(html_path: Path, pdf_path: Path, chromium: str | None = None, timeout: float = TIMEOUT_S) -> Path:
    chromium = chromium or settings.CHROMIUM
    if not Path(chromium).exists():
        raise PdfError(f"Chromium introuvable ({chromium}) : `make browser` l'installe.")
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    pdf_path.unlink(missing_ok=True)
    # A profile of its own: other sessions may run Chromium on the same machine.
    with tempfile.TemporaryDirectory(prefix="content-review-chromium-") as profile:
        command = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--no-pdf-header-footer",
            f"--user-data-dir={profile}",
            f"--print-to-pdf={pdf_path}",
            html_path.resolve().as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise PdfError(f"Chromium n'a pas produit le PDF en {timeout:.0f} s.") from exc
    if not pdf_path.exists() or pdf_path.read_bytes()[:5] != b"%PDF-":
        tail = (done.stderr or "").strip().splitlines()[-3:]
        raise PdfError(f"Chromium n'a pas produit de PDF (code {done.returncode}) : {' / '.join(tail)}")
    return pdf_path
