"""Where the bundled data lives, from a source checkout or an installed wheel."""

from functools import cache
from importlib import resources
from pathlib import Path


@cache
def data_dir() -> Path:
    """Return the folder holding the bundled data files."""
    checkout = Path(__file__).resolve().parent.parent / "data"
    if (checkout / "holidays").is_dir():
        return checkout
    return Path(str(resources.files("cdo.data")))
