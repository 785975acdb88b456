"""Fuzzing the spreadsheet readers and the units importer: whatever the bytes, the answer is
a result or a CdoError (a Chinese message), never another exception, and a refused import
changes nothing. Failing cases hypothesis finds are kept below as explicit regressions."""

import io
import tempfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cdo.errors import CdoError, FileReadError
from cdo.roster.units import UNIT_FIELDS, add_unit, import_units
from cdo.sheets.read import (
    clean_text,
    find_header,
    iter_records,
    normalize_label,
    read_csv,
    read_table,
)
from cdo.store.db import open_db

FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])
FEW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Characters units really write, plus the ones that break naive parsers.
CELL_CHARS = st.sampled_from(
    list("达州市教育局公安卫健委中心医院集团县区部门国有企业公共服务机构")
    + list("单位名称类别简称")
    + list(" \u3000\u00a0\t,，;\"'\r\n=+-@()（）、0123456789abcXYZ")
    + ["\x00", "\ufeff", "\u200b", "\ud7ff", "😀", "\\"]
)
TEXT = st.text(CELL_CHARS, max_size=200)


def _tmp(name: str, data: bytes) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="cdo-fuzz-"))
    path = folder / name
    path.write_bytes(data)
    return path


def _small_xlsx() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["单位名称", "类别", "简称"])
    ws.append(["达州市教育局", "市级部门", "市教育局"])
    ws.merge_cells("A3:C3")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


SMALL_XLSX = _small_xlsx()


def _read(path: Path, **kw):
    try:
        sheets = read_table(path, **kw)
    except FileReadError as e:
        assert str(e) and str(path) in str(e)
        return None
    for sheet in sheets:
        assert all(isinstance(row, list) for row in sheet.rows)
    return sheets


# ----------------------------------------------------------------------------- readers


@FUZZ
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".csv", ".xlsx", ".txt"]))
@example(data=b"", suffix=".csv")
@example(data=b"PK\x03\x04", suffix=".xlsx")
@example(data=b"\xd0\xcf\x11\xe0", suffix=".csv")
@example(data=b"\xff\xfe" + "单位".encode("utf-16-le"), suffix=".csv")
@example(data=b'"', suffix=".csv")
@example(data=b"\r", suffix=".csv")
def test_random_bytes_never_crash_the_reader(data, suffix):
    _read(_tmp("f" + suffix, data))


@FEW
@given(cut=st.integers(0, len(SMALL_XLSX)), flips=st.lists(
    st.tuples(st.integers(0, len(SMALL_XLSX) - 1), st.integers(0, 255)), max_size=8),
    merged=st.booleans())
@example(cut=len(SMALL_XLSX) // 2, flips=[], merged=False)
@example(cut=len(SMALL_XLSX), flips=[(40, 0)], merged=True)
def test_damaged_xlsx_never_crashes_the_reader(cut, flips, merged):
    data = bytearray(SMALL_XLSX)
    for pos, byte in flips:
        data[pos] = byte
    _read(_tmp("f.xlsx", bytes(data[:cut])), merged=merged)


@FUZZ
@given(text=st.text(CELL_CHARS, max_size=400), encoding=st.sampled_from(
    ["utf-8", "utf-8-sig", "gbk", "gb18030"]))
@example(text='"a\nb', encoding="utf-8")
@example(text="a\x00b", encoding="utf-8")
@example(text="\ufeff单位名称,类别", encoding="utf-8-sig")
def test_random_csv_text_reads_or_refuses(text, encoding):
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return
    path = _tmp("f.csv", data)
    try:
        sheets = read_csv(path)
    except FileReadError:
        return
    # what comes back is the text's own cells (no mojibake) for utf-8 input
    if encoding.startswith("utf-8") and "\x00" not in text and "\r" not in text:
        cells = "".join(str(c) for row in sheets[0].rows for c in row)
        assert set(cells) <= set(text)


@FUZZ
@given(rows=st.lists(st.lists(st.one_of(st.none(), TEXT, st.integers(), st.floats()),
                              max_size=8), max_size=12))
def test_header_search_and_records_on_random_rows(rows):
    header = find_header(rows, UNIT_FIELDS, ["name", "category"])
    if header is None:
        return
    for rownum, rec in iter_records(rows, header):
        assert rownum > header.row
        assert set(rec) == set(header.columns)


@FUZZ
@given(value=st.one_of(st.none(), TEXT, st.integers(), st.floats(), st.booleans(),
                       st.dates(), st.datetimes()))
def test_label_and_text_cleaning_never_raise(value):
    assert isinstance(normalize_label(value), str)
    assert isinstance(clean_text(value), str)


# ----------------------------------------------------------------------------- importer

UNIT_ROW = st.lists(st.one_of(
    st.sampled_from(["达州市教育局", "达州市民政局", "市教育局", "市级部门", "国有企业", "乡镇",
                     "region", "", " ", "=1+1", "达州市", "教育局"]),
    TEXT), min_size=0, max_size=4)
HEADERS = st.sampled_from([
    ["单位名称", "类别", "简称"], ["name", "category", "short"], ["单位名称", "类别"],
    ["单 位 名 称", "类　别"], ["名称", "分类"], [],
])


def _counts(db):
    return (db.execute("SELECT count(*) FROM units").fetchone()[0],
            db.execute("SELECT count(*) FROM audit_log").fetchone()[0])


def _import_fuzzed(header, rows, encoding="utf-8"):
    import csv

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    if header:
        writer.writerow(header)
    writer.writerows(rows)
    try:
        data = buf.getvalue().encode(encoding)
    except UnicodeEncodeError:
        return
    path = _tmp("units.csv", data)
    db = open_db(":memory:")
    add_unit(db, "达州市教育局", "department", "市教育局")
    before = _counts(db)
    try:
        result = import_units(db, path)
    except CdoError as e:
        assert str(e)
        assert _counts(db) == before, "a refused import changed the database"
        return
    units, audits = _counts(db)
    assert units == before[0] + result.added
    assert audits == before[1] + result.added + result.updated
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # importing the same file again changes nothing
    again = import_units(db, path)
    assert again.added == 0 and again.updated == 0


@FUZZ
@given(header=HEADERS, rows=st.lists(UNIT_ROW, max_size=8),
       encoding=st.sampled_from(["utf-8", "gbk"]))
def test_units_import_of_random_csv(header, rows, encoding):
    _import_fuzzed(header, rows, encoding)


# Cases hypothesis (or review) found, kept as explicit regressions.
@pytest.mark.parametrize("header, rows", [
    # a name that differs from an existing one only by spaces / width
    (["单位名称", "类别"], [["达州市 教育局", "市级部门"]]),
    # the same short name claimed twice in one file
    (["单位名称", "类别", "简称"], [["达州市民政局", "市级部门", "民政"],
                                   ["达州市民政厅", "市级部门", "民政"]]),
    # a short name equal to another unit's full name
    (["单位名称", "类别", "简称"], [["达州市民政局", "市级部门", "达州市教育局"]]),
    # a header only; formulas saved without values look exactly like this
    (["单位名称", "类别"], []),
    # NUL and lone carriage returns inside cells
    (["单位名称", "类别"], [["达州\x00市", "市级部门"], ["a\rb", "国有企业"]]),
])
def test_units_import_regressions(header, rows):
    _import_fuzzed(header, rows)
