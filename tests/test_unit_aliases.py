"""Several aliases per unit (cdo units alias): they resolve wherever a unit is named —
command arguments, recommendation forms (saved by LibreOffice), problem lists — and an
alias that would fit two units is refused."""

import json
import shutil
from pathlib import Path

import pytest

from cdo.errors import InvalidInputError
from cdo.roster.units import UnitIndex, add_alias, add_unit
from cdo.store.db import open_db

DATA = Path(__file__).parent / "data"


@pytest.fixture
def units(db_path):
    db = open_db(db_path)
    add_unit(db, "达州市人力资源和社会保障局", "department", "市人力资源社会保障局")
    add_unit(db, "达州市卫生健康委员会", "department", "市卫生健康委")
    add_unit(db, "达州市公安局", "department", "市公安局")
    add_unit(db, "达州市水务集团有限公司", "enterprise", "达州水务集团")
    db.conn.close()
    return db_path


def test_without_an_alias_the_common_names_do_not_resolve(cli, units):
    r = cli("register", "history", "人社局")
    assert r.exit_code == 1 and "没有这个单位" in r.stderr


def test_aliases_resolve_in_commands_and_are_listed_and_removed(cli, units):
    r = cli("units", "alias", "市人力资源社会保障局", "人社局")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.strip() == "已添加别名：人社局 → 达州市人力资源和社会保障局"
    r = cli("units", "alias", "达州市卫生健康委员会", "卫健委", "市卫健委")
    assert r.exit_code == 0, r.stderr
    for name, unit in [("人社局", "达州市人力资源和社会保障局"), ("卫健委", "达州市卫生健康委员会")]:
        r = cli("register", "history", name)
        assert r.exit_code == 0 and f"{unit}还没有报送过推荐表" in r.stdout
    rows = json.loads(cli("units", "aliases", "-f", "json").stdout)
    assert rows == [
        {"unit": "达州市人力资源和社会保障局", "short": "市人力资源社会保障局", "alias": "人社局"},
        {"unit": "达州市卫生健康委员会", "short": "市卫生健康委", "alias": "卫健委"},
        {"unit": "达州市卫生健康委员会", "short": "市卫生健康委", "alias": "市卫健委"},
    ]
    assert cli("units", "alias", "卫健委").stdout.strip() == "达州市卫生健康委员会的别名：卫健委、市卫健委"
    # the same alias again changes nothing
    r = cli("units", "alias", "人社局", "人社局")
    assert r.exit_code == 0 and "没有变化" in r.stdout
    r = cli("units", "alias", "达州市卫生健康委员会", "--remove", "卫健委", "--remove", "市卫健委")
    assert r.exit_code == 0 and "已去掉别名：卫健委" in r.stdout and "已去掉别名：市卫健委" in r.stdout
    r = cli("register", "history", "卫健委")
    assert r.exit_code == 1 and "没有这个单位" in r.stderr
    r = cli("units", "alias", "市公安局", "--remove", "人社局")
    assert r.exit_code == 1 and "不是达州市公安局的别名" in r.stderr
    db = open_db(units)
    actions = db.execute("SELECT entity, action FROM audit_log WHERE entity = 'unit_alias'"
                         " ORDER BY id").fetchall()
    assert actions == [("unit_alias", "add")] * 3 + [("unit_alias", "remove")] * 2


@pytest.mark.parametrize("alias, why", [
    ("人社局", "已经指向达州市人力资源和社会保障局"),  # another unit's alias
    ("市人力资源社会保障局", "已经指向达州市人力资源和社会保障局"),  # its short name
    ("人力资源和社会保障局", "已经指向达州市人力资源和社会保障局"),  # its name without 达州市
    ("水务", "已经指向达州市水务集团有限公司"),  # part of another unit's name
    ("达州市公安局", "全称或简称"),  # its own name
    ("局", "太短"),
])
def test_an_alias_that_fits_another_unit_is_refused(cli, units, alias, why):
    assert cli("units", "alias", "市人力资源社会保障局", "人社局").exit_code == 0
    before = json.loads(cli("units", "aliases", "-f", "json").stdout)
    r = cli("units", "alias", "市公安局", alias)
    assert r.exit_code == 1 and why in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    assert json.loads(cli("units", "aliases", "-f", "json").stdout) == before


def test_a_new_unit_or_short_name_cannot_take_an_alias(cli, units):
    assert cli("units", "alias", "市人力资源社会保障局", "人社局").exit_code == 0
    r = cli("units", "add", "人社局", "--category", "市级部门")
    assert r.exit_code == 1 and "达州市人力资源和社会保障局" in r.stderr
    r = cli("units", "add", "达州市医保局", "--category", "市级部门", "--short", "人社局")
    assert r.exit_code == 1 and "已被" in r.stderr


def test_alias_names_the_unit_of_a_libreoffice_saved_form(cli, units, tmp_path):
    form = tmp_path / "人社局推荐表.xlsx"
    shutil.copy(DATA / "2023-05-26 人社局推荐表.xlsx", form)
    r = cli("register", "import", form, "--received", "2023-05-26")
    assert r.exit_code == 1 and "人社局党组成员、副局长" in r.stderr  # no unit matches yet
    assert cli("units", "alias", "市人力资源社会保障局", "人社局").exit_code == 0
    r = cli("register", "import", form, "--received", "2023-05-26")
    assert r.exit_code == 0, r.stderr
    assert "新增  达州市人力资源和社会保障局  刘芳" in r.stdout


def test_alias_names_the_unit_in_a_problem_list(cli, units, tmp_path):
    assert cli("units", "alias", "达州市卫生健康委员会", "卫健委").exit_code == 0
    (tmp_path / "list.csv").write_text(
        "责任单位,数据资源名称,问题类型,问题描述,问题数据量\n"
        "卫健委 ,医疗机构名录,完整性,缺少机构代码,7\n", encoding="gbk")
    r = cli("spotcheck", "new", "--month", "2023-09", "--issued-on", "2023-09-27",
            "--file", tmp_path / "list.csv")
    assert r.exit_code == 0, r.stderr
    db = open_db(units)
    assert db.execute("SELECT u.name FROM problems p JOIN units u ON u.id = p.unit_id"
                      ).fetchall() == [("达州市卫生健康委员会",)]


def test_index_resolves_aliases_and_keeps_them_apart(db):
    add_unit(db, "达州市人力资源和社会保障局", "department", "市人力资源社会保障局")
    add_unit(db, "达州市教育局", "department", "市教育局")
    add_alias(db, "人力资源和社会保障局", "人社局")
    index = UnitIndex.load(db)
    assert index.resolve("人社局").name == "达州市人力资源和社会保障局"
    assert index.resolve("达州市人社局").name == "达州市人力资源和社会保障局"  # loosely written
    with pytest.raises(InvalidInputError):
        add_alias(db, "市教育局", "人社局")
