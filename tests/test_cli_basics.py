import subprocess
import sys


def test_help_lists_every_group(cli):
    r = cli("--help")
    assert r.exit_code == 0
    for group in ["calendar", "units", "register", "spotcheck", "rectify", "score", "report"]:
        assert group in r.stdout


def test_cli_import_is_light():
    code = (
        "import sys, cdo.cli; "
        "heavy = [m for m in ('openpyxl', 'sqlite_utils', 'rich') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
