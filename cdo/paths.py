"""Where the bundled data lives, from a source checkout or an installed wheel."""

from functools import cache
from pathlib import Path


@cache
def data_dir() -> Path:
    """Return the folder holding the bundled data files."""
    here = Path(__file__).resolve().parent
    checkout = here.parent / "data"
    if (checkout / "holidays").is_dir():
        return checkout
    installed = here / "data"  # the cdo.data package of a wheel (pyproject.toml)
    if (installed / "holidays").is_dir():
        return installed
    # anywhere else (a zip): importlib.resources, which alone costs 2 ms to import
    from importlib import resources

    return Path(str(resources.files("cdo.data")))
