"""Render the annual workbook's ranking (评价排名) and its chart (排名图) to PNGs.

    python scripts/render_ranking.py [FOLDER]     (default: docs/)

Builds the demo database in a temporary folder, writes the ranking sheet exactly as
`cdo report annual` does (with its chart sheet), converts it with LibreOffice to PDF and
renders the first page of the table and the first page of the chart with pdftoppm:
FOLDER/ranking.png and FOLDER/ranking-chart.png. Needs `soffice` and `pdftoppm` on PATH.
Rerun it after changing the writer.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2023
DPI = 60  # small enough for the README, large enough to read the page


def main(folder: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from cdo import demo
    from cdo.evaluation.annual import ranking_sheet
    from cdo.sheets.write import write_workbook
    from cdo.store.db import open_db

    for tool in ("soffice", "pdftoppm", "pdftotext"):
        if shutil.which(tool) is None:
            sys.exit(f"render_ranking: {tool} not found on PATH")
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        db = open_db(t / "demo.db")
        demo.build_demo(db)
        xlsx = t / "ranking.xlsx"
        write_workbook(xlsx, [ranking_sheet(db, YEAR)])
        env = dict(os.environ, HOME=tmp)  # a private LibreOffice profile
        subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", tmp,
                        str(xlsx)], check=True, env=env, capture_output=True, timeout=180)
        pdf = t / "ranking.pdf"
        chart_page = _first_page_with(pdf, "已评完的")
        folder.mkdir(parents=True, exist_ok=True)
        for name, page in (("ranking.png", 1), ("ranking-chart.png", chart_page)):
            subprocess.run(["pdftoppm", "-png", "-r", str(DPI), "-f", str(page), "-l",
                            str(page), "-singlefile", str(pdf), str(t / "page")],
                           check=True, timeout=60)
            shutil.copyfile(t / "page.png", folder / name)
            out = folder / name
            print(f"{out} ({out.stat().st_size // 1024} KB, page {page}, {dt.date.today()})")


def _first_page_with(pdf: Path, text: str) -> int:
    page = 1
    while True:
        r = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
                           capture_output=True, text=True, check=False)
        if r.returncode != 0:
            sys.exit(f"render_ranking: no page of {pdf.name} says {text!r}")
        if text in r.stdout:
            return page
        page += 1


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs")
