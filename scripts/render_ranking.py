"""Render the annual workbook's ranking page (评价排名, with its chart) to a PNG.

    python scripts/render_ranking.py [OUT.png]     (default: docs/ranking.png)

Builds the demo database in a temporary folder, writes the ranking sheet exactly as
`cdo report annual` does, converts it with LibreOffice to PDF and the first page to PNG
with pdftoppm. Needs `soffice` and `pdftoppm` on PATH. Rerun it after changing the writer.
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


def main(out: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from cdo import demo
    from cdo.evaluation.annual import ranking_sheet
    from cdo.sheets.write import write_workbook
    from cdo.store.db import open_db

    for tool in ("soffice", "pdftoppm"):
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
        subprocess.run(["pdftoppm", "-png", "-r", str(DPI), "-f", "1", "-l", "1",
                        "-singlefile", str(pdf), str(t / "page")], check=True, timeout=60)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(t / "page.png", out)
    print(f"{out} ({out.stat().st_size // 1024} KB, {dt.date.today()})")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "ranking.png")
