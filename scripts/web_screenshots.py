"""Screenshots of the web view: builds the demo database, starts `cdo serve` on it, takes
the overdue view and the ranking with headless Chromium (Debian's `chromium`), stops the
server.

    python scripts/web_screenshots.py [OUT_DIR]     (default: docs/)

Needs the web extra (pip install '.[web]') and /usr/bin/chromium.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "web-overdue.png": ("逾期问题", "_size=20", "1280,1000"),
    "web-ranking.png": ("评价排名", "年度=2023&_size=20", "1280,1100"),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 30) -> None:
    end = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            if time.monotonic() > end:
                raise SystemExit(f"cdo serve did not answer at {url}") from None
            time.sleep(0.3)


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "docs").resolve()
    out.mkdir(parents=True, exist_ok=True)
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    work = Path(tempfile.mkdtemp(prefix="cdo-shots-"))
    db = work / "cdo-demo.db"
    cdo = [sys.executable, "-m", "cdo", "--db", str(db)]
    subprocess.run([*cdo, "demo"], check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen([*cdo, "serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/")
        for name, (view, query, size) in PAGES.items():
            url = f"{base}/cdo-demo/{quote(view)}?{query}"
            profile = tempfile.mkdtemp(prefix="cdo-chromium-")
            subprocess.run(
                [chromium, "--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
                 "--hide-scrollbars", f"--screenshot={out / name}", f"--window-size={size}",
                 url],
                check=True, capture_output=True, timeout=120)
            shutil.rmtree(profile, ignore_errors=True)
            print(f"{out / name}  ({(out / name).stat().st_size // 1024} KB)  {url}")
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
