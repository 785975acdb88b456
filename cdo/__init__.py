"""cdo: the Chief Data Officer office's tool (首席数据官办公室工具)."""

import sys

__version__ = "0.1.0"


class _HoldOffUnused:
    """An import hook: sqlite-utils and openpyxl import pandas and numpy whenever they are
    installed, for column and cell types cdo never stores, which cost every command
    0.1-0.4 s. Their imports of those two fail as if not installed; anyone else's work."""

    HELD = ("numpy", "pandas")
    FOR = ("sqlite_utils", "openpyxl")

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] not in self.HELD:
            return None
        frame, caller = sys._getframe(1), ""
        while frame is not None:  # the first frame outside the import machinery
            caller = frame.f_globals.get("__name__") or ""
            if not caller.startswith("importlib"):
                break
            frame = frame.f_back
        if caller.partition(".")[0] in self.FOR:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


if not any(type(f).__name__ == "_HoldOffUnused" for f in sys.meta_path):
    sys.meta_path.insert(0, _HoldOffUnused())
