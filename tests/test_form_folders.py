"""`cdo register import FOLDER`: forms saved by LibreOffice, the received date of each
form (收文登记表 > date in the file name > --received), and files that cannot be read
(no permission, held open by Excel) or are only lock files."""

import io
import json
import os
import shutil
from pathlib import Path

import pytest

from cdo.roster.units import add_alias, add_unit
from cdo.sheets.forms import build_form
from cdo.store.db import open_db

DATA = Path(__file__).parent / "data"
RENSHE = "2023-05-26 人社局推荐表.xlsx"  # 刘芳
WEIJIAN = "20230529卫健委.xlsx"  # 赵强


@pytest.fixture
def units(db_path):
    db = open_db(db_path)
    add_unit(db, "达州市人力资源和社会保障局", "department", "市人力资源社会保障局")
    add_unit(db, "达州市卫生健康委员会", "department", "市卫生健康委")
    add_unit(db, "通川区", "region", "通川区")
    add_alias(db, "达州市人力资源和社会保障局", "人社局")
    add_alias(db, "达州市卫生健康委员会", "卫健委")
    db.conn.close()
    return db_path


@pytest.fixture
def folder(tmp_path):
    f = tmp_path / "5月推荐表"
    f.mkdir()
    for name in (RENSHE, WEIJIAN):
        shutil.copy(DATA / name, f / name)
    return f


def _received(cli, unit):
    rows = json.loads(cli("register", "history", unit, "-f", "json").stdout)
    return [(r["name"], r["received_on"]) for r in rows]


def _tongchuan(path):
    build_form({"name": "李梅", "gender": "女", "position": "通川区人民政府副区长",
                "phone": "13908182222", "work_plan": "计划", "birth_month": "1980.02"}).save(path)
    return path


def test_received_date_from_the_file_name(cli, units, folder):
    _tongchuan(folder / "通川区.xlsx")  # no date in its name: --received
    r = cli("register", "import", folder, "--received", "2023-06-01")
    assert r.exit_code == 0, r.stderr
    assert _received(cli, "人社局") == [("刘芳", "2023-05-26")]
    assert _received(cli, "卫健委") == [("赵强", "2023-05-29")]
    assert _received(cli, "通川区") == [("李梅", "2023-06-01")]
    assert f"（收到日期 2023-05-26，取自文件名“{RENSHE}”）" in r.stdout


def test_received_date_from_the_office_list_comes_first(cli, units, folder):
    shutil.copy(DATA / "收文登记.xlsx", folder / "收文登记.xlsx")
    r = cli("register", "import", folder, "--received", "2023-06-01")
    assert r.exit_code == 0, r.stderr
    assert "共 2 份：新增 2 份。" in r.stdout  # the list is no form, and no failure
    assert _received(cli, "人社局") == [("刘芳", "2023-05-27")]  # by 文件名, over the name
    assert _received(cli, "卫健委") == [("赵强", "2023-05-30")]  # by 单位 (an alias), text date
    assert "取自收文登记表 收文登记.xlsx，第 4 行" in r.stdout


def test_received_date_from_a_gbk_csv_list_by_unit(cli, units, tmp_path):
    f = tmp_path / "forms"
    f.mkdir()
    _tongchuan(f / "通川区.xlsx")
    (f / "登记.csv").write_bytes("单位,收到日期,备注\n通川区 ,2023/5/25,邮寄\n".encode("gbk"))
    r = cli("register", "import", f)
    assert r.exit_code == 0, r.stderr
    assert _received(cli, "通川区") == [("李梅", "2023-05-25")]


def test_a_list_naming_a_unit_twice_with_different_dates_is_not_guessed(cli, units, tmp_path):
    f = tmp_path / "forms"
    f.mkdir()
    _tongchuan(f / "通川区.xlsx")
    (f / "登记.csv").write_text("单位,收到日期\n通川区,2023-05-25\n通川区,2023-05-28\n",
                                encoding="utf-8")
    r = cli("register", "import", f, "--received", "2023-06-01")
    assert r.exit_code == 1 and "几个不同的收到日期" in r.stderr
    assert _received(cli, "通川区") == []


def test_unreadable_and_lock_files_in_a_folder(cli, units, folder, monkeypatch):
    locked = folder / "20230530通川区.xlsx"
    _tongchuan(locked)
    (folder / f"~${RENSHE}").write_bytes(b"\x00lock")  # Excel's owner file
    (folder / f".~lock.{WEIJIAN}#").write_text("user,host,2023", encoding="utf-8")
    real_open = io.open

    def held_open(file, *args, **kwargs):  # as when Excel holds the file (or no permission)
        if str(file) == str(locked):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(io, "open", held_open)
    if os.geteuid() != 0:  # a real permission problem where the test can make one
        locked.chmod(0)
    r = cli("register", "import", folder, f"{folder}/~${RENSHE}", "--received", "2023-06-01")
    assert r.exit_code == 1
    assert "Traceback" not in r.stderr and "PermissionError" not in r.stderr
    assert f"未导入  {locked}：无法打开：没有读取权限，或文件正被 Excel/WPS 打开" in r.stderr
    assert "~$" not in r.stdout + r.stderr and ".~lock" not in r.stdout + r.stderr
    assert "共 3 份：新增 2 份，失败 1 份。" in r.stdout
    assert _received(cli, "人社局") == [("刘芳", "2023-05-26")]
    assert _received(cli, "卫健委") == [("赵强", "2023-05-29")]
