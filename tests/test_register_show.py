"""`cdo register show UNIT`: the current CDO's whole form, contact masked unless
--show-contact; JSON too."""

import json
import shutil
from pathlib import Path

import pytest

from cdo.roster.units import add_alias, add_unit
from cdo.store.db import open_db

DATA = Path(__file__).parent / "data"
FORM = "2023-05-26 人社局推荐表.xlsx"  # saved by LibreOffice


@pytest.fixture
def imported(cli, db_path, tmp_path):
    db = open_db(db_path)
    add_unit(db, "达州市人力资源和社会保障局", "department", "市人力资源社会保障局")
    add_unit(db, "通川区", "region", "通川区")
    add_alias(db, "达州市人力资源和社会保障局", "人社局")
    db.conn.close()
    shutil.copy(DATA / FORM, tmp_path / FORM)
    r = cli("register", "import", tmp_path / FORM)
    assert r.exit_code == 0, r.stderr
    assert cli("register", "appoint", "人社局", "--on", "2023-06-20").exit_code == 0
    assert cli("register", "specialist", "add", "人社局", "王磊", "--phone", "0818-2661234",
               "--on", "2023-06-01").exit_code == 0
    return tmp_path / FORM


def test_show_prints_the_whole_form_with_the_phone_masked(cli, imported):
    r = cli("register", "show", "人社局")
    assert r.exit_code == 0, r.stderr
    out = r.stdout
    assert "达州市人力资源和社会保障局首席数据官 刘芳" in out
    for text in ("四川达川", "中共党员", "大学本科", "人社局党组成员、副局长",
                 "2001.07—2010.12 达州市劳动局科员", "2011.01—今 人社局信息中心主任、副局长",
                 "高级工程师；信息系统项目管理师", "一、建立本局数据资源目录。",
                 "二、推进社保数据共享。", "同意推荐。", "已任命", "2023-05-26", "2023-06-20",
                 "个人简历", "工作计划及目标成效", "所在地区或部门（单位）推荐意见"):
        assert text in out, text
    assert "139****5566" in out and "13908185566" not in out
    assert "王磊（0818-***1234）" in out and "2661234" not in out


def test_show_contact_and_json(cli, imported):
    r = cli("register", "show", "达州市人力资源和社会保障局", "--show-contact")
    assert "13908185566" in r.stdout and "0818-2661234" in r.stdout
    data = json.loads(cli("register", "show", "人社局", "-f", "json").stdout)
    assert data == {
        "unit": "达州市人力资源和社会保障局", "name": "刘芳", "gender": "女", "ethnicity": "汉族",
        "birth_month": "1979-03", "native_place": "四川达川", "political_status": "中共党员",
        "education": "大学本科", "phone": "139****5566", "position": "人社局党组成员、副局长",
        "resume": "2001.07—2010.12 达州市劳动局科员\n2011.01—今 人社局信息中心主任、副局长",
        "skills": "高级工程师；信息系统项目管理师",
        "work_plan": "一、建立本局数据资源目录。\n二、推进社保数据共享。",
        "recommendation": "同意推荐。", "status": "appointed", "recommended_on": "2023-05-26",
        "received_on": "2023-05-26", "appointed_on": "2023-06-20", "filed_on": None,
        "source_file": imported.name, "source_sheet": "推荐表",
        "specialists": [{"name": "王磊", "phone": "0818-***1234", "added_on": "2023-06-01"}],
    }
    full = json.loads(cli("register", "show", "人社局", "-f", "json", "--show-contact").stdout)
    assert full["phone"] == "13908185566"
    assert full["specialists"][0]["phone"] == "0818-2661234"


def test_show_a_unit_without_a_cdo(cli, imported):
    r = cli("register", "show", "通川区")
    assert r.exit_code == 1 and r.stderr == "cdo: 通川区没有现任首席数据官\n"
    assert cli("register", "end", "人社局", "--on", "2024-01-10").exit_code == 0
    r = cli("register", "show", "人社局")
    assert r.exit_code == 1
    assert "上一任 刘芳 已于 2024-01-10 离任" in r.stderr and "register history" in r.stderr
