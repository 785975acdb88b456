"""cdo: the Chief Data Officer office's tool (首席数据官办公室工具)."""

__version__ = "0.1.0"
