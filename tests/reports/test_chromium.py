"""The HTML report in a real browser: headless Chromium renders it to PNG and prints it to PDF.

Skipped where Chromium is not installed (Debian package `chromium`).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from interviewer.reports import export_report
from interviewer.store import SessionStore
from tests.reports.sample import SampleSessions

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")


def _chromium(tmp_path: Path, *arguments: str) -> None:
    profile = tmp_path / "chromium-profile"
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        *arguments,
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=120)


def test_html_report_renders_to_png_and_pdf(store: SessionStore, sample: SampleSessions, tmp_path: Path) -> None:
    image = pytest.importorskip("PIL.Image")
    html_path = export_report(store, sample.second_id, "html", tmp_path / "report.html")
    png_path, pdf_path = tmp_path / "report.png", tmp_path / "report.pdf"
    # One browser start does both: the screenshot and the printed PDF.
    _chromium(
        tmp_path,
        f"--screenshot={png_path}",
        "--window-size=1200,2000",
        "--no-pdf-header-footer",
        f"--print-to-pdf={pdf_path}",
        html_path.as_uri(),
    )
    with image.open(png_path) as screenshot:
        assert screenshot.size == (1200, 2000)
        grey = screenshot.convert("L")
        low, high = grey.getextrema()
        assert high - low > 150, "the page looks blank"
        # Coloured bars and highlights are drawn: more than a few distinct colours.
        assert len(screenshot.convert("RGB").getcolors(maxcolors=1_000_000) or []) > 50
    assert pdf_path.read_bytes().startswith(b"%PDF") and pdf_path.stat().st_size > 10_000
