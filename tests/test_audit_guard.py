"""Guard: every command that writes leaves a row in the audit log.

The list is explicit: a new write command is added here by whoever adds the command.
A command that is missing (checked with `cdo … --help`) fails the test, never skips it.
"""

import pytest

from cdo.roster.units import add_unit
from cdo.store.db import open_db

# Prerequisites a command needs; each is a command that must succeed first.
_PROBLEM = ["spotcheck", "add", "--unit", "市教育局", "--resource", "学籍信息",
            "--dimension", "准确性", "--description", "身份证号错误", "--records", "3",
            "--issued-on", "2023-09-27"]
_DONE = ["rectify", "done", "1", "--on", "2023-10-10"]
_FORM = ["register", "import", "{samples}/forms/03-市公安局.xlsx", "--unit", "市公安局",
         "--received", "2023-06-01"]
_APPOINTED = ["register", "appoint", "市公安局", "--on", "2023-06-05"]
_MEETING = ["duty", "meeting", "add", "--on", "2023-07-14", "--title", "2023年上半年工作会议"]
_SCORED = ["score", "set", "--year", "2023", "--unit", "市教育局", "--item", "1",
           "--points", "3"]
_FINAL = ["score", "finalize", "--year", "2023", "--allow-incomplete"]
_TASKS = ["evidence", "tasks", "import", "{tmp}/tasks.csv", "--list", "share"]

# (label, the write command, prerequisite commands). {tmp} is the test's folder,
# {samples} the bundled data/samples.
WRITE_COMMANDS = [
    ("units add", ["units", "add", "达州市财政局", "--category", "市级部门"], []),
    ("units import", ["units", "import", "{tmp}/units.csv"], []),
    ("units alias", ["units", "alias", "市教育局", "教体局"], []),
    ("units alias --remove", ["units", "alias", "市教育局", "--remove", "教体局"],
     [["units", "alias", "市教育局", "教体局"]]),
    ("calendar set", ["calendar", "set", "2024-05-06", "off", "--reason", "办公楼停电"], []),
    ("calendar unset", ["calendar", "unset", "2024-05-06"],
     [["calendar", "set", "2024-05-06", "off", "--reason", "办公楼停电"]]),
    ("calendar load", ["calendar", "load", "{tmp}/notice2027.txt"], []),
    ("calendar unload", ["calendar", "unload", "2027"],
     [["calendar", "load", "{tmp}/notice2027.txt"]]),
    ("register import", _FORM, []),
    ("register appoint", _APPOINTED, [_FORM]),
    ("register file", ["register", "file", "市公安局", "--on", "2023-06-20"],
     [_FORM, _APPOINTED]),
    ("register end", ["register", "end", "市公安局", "--on", "2024-01-10", "--reason", "工作调动"],
     [_FORM]),
    ("register specialist add",
     ["register", "specialist", "add", "市教育局", "张三", "--phone", "13800000000"], []),
    ("register specialist remove",
     ["register", "specialist", "remove", "市教育局", "张三", "--on", "2024-01-01"],
     [["register", "specialist", "add", "市教育局", "张三", "--on", "2023-01-01"]]),
    ("duty meeting add", _MEETING, []),
    ("duty attend", ["duty", "attend", "1", "--present", "市教育局", "--absent", "市公安局"],
     [_MEETING]),
    ("duty plan", ["duty", "plan", "市教育局", "--year", "2023", "--received", "2023-02-01"], []),
    ("duty summary", ["duty", "summary", "市教育局", "--year", "2023", "--received",
                      "2023-12-20"], []),
    ("spotcheck add", _PROBLEM, []),
    ("spotcheck new", ["spotcheck", "new", "--month", "2023-09", "--issued-on", "2023-09-27",
                       "--file", "{tmp}/problems.csv"], []),
    ("rectify done", _DONE, [_PROBLEM]),
    ("rectify verify", ["rectify", "verify", "1", "--on", "2023-10-12"], [_PROBLEM, _DONE]),
    ("rectify reopen", ["rectify", "reopen", "1", "--on", "2023-10-12"], [_PROBLEM, _DONE]),
    ("rectify negotiate", ["rectify", "negotiate", "1", "--on", "2023-10-10",
                           "--until", "2023-12-29"], [_PROBLEM]),
    ("rectify remind", ["rectify", "remind", "--unit", "市教育局", "--on", "2023-10-20"],
     [_PROBLEM]),
    ("score set", _SCORED, []),
    ("score import", ["score", "import", "{tmp}/scores.csv", "--year", "2023"], []),
    ("spotcheck withdraw", ["spotcheck", "withdraw", "1", "--reason", "重复导入"],
     [["spotcheck", "new", "--month", "2023-09", "--issued-on", "2023-09-27",
       "--file", "{tmp}/problems.csv"]]),
    ("score withdraw", ["score", "withdraw", "--year", "2023", "--import", "1",
                        "--reason", "导错了年度"],
     [["score", "import", "{tmp}/scores.csv", "--year", "2023"]]),
    ("score finalize", _FINAL, [_SCORED]),
    ("score reopen", ["score", "reopen", "--year", "2023", "--reason", "补录"],
     [_SCORED, _FINAL]),
    ("evidence catalog import", ["evidence", "catalog", "import", "{tmp}/catalog.csv",
                                 "--unit", "市教育局", "--received", "2023-05-01"], []),
    ("evidence systems import", ["evidence", "systems", "import", "{tmp}/systems.csv",
                                 "--unit", "市教育局", "--received", "2023-05-01"], []),
    ("evidence tasks import", _TASKS, []),
    ("evidence tasks done", ["evidence", "tasks", "done", "1", "--on", "2023-06-01"], [_TASKS]),
    ("evidence projects add", ["evidence", "projects", "add", "--unit", "市教育局", "--name",
                               "学籍核验", "--kind", "应用示范", "--stage", "建设"], []),
    ("evidence projects import", ["evidence", "projects", "import", "{tmp}/projects.csv"], []),
    ("evidence quality import", ["evidence", "quality", "import", "{tmp}/quality.csv",
                                 "--month", "2023-09"], []),
    ("evidence third-party", ["evidence", "third-party", "{tmp}/third.csv", "--year", "2023"],
     []),
]


# The rows each command must add, worked out from its input (units.csv has two units,
# problems.csv two problems, scores.csv two items, `duty attend` names two units).
AUDITED = {
    "units add": {("unit", "add"): 1},
    "units import": {("unit", "import"): 2},
    "units alias": {("unit_alias", "add"): 1},
    "units alias --remove": {("unit_alias", "remove"): 1},
    "calendar set": {("calendar_local", "set"): 1},
    "calendar unset": {("calendar_local", "remove"): 1},
    "calendar load": {("calendar_year", "load"): 1},
    "calendar unload": {("calendar_year", "unload"): 1},
    "register import": {("cdo", "recommend"): 1},
    "register appoint": {("cdo", "appoint"): 1},
    "register file": {("cdo", "file"): 1},
    "register end": {("cdo", "end"): 1},
    "register specialist add": {("specialist", "add"): 1},
    "register specialist remove": {("specialist", "remove"): 1},
    "duty meeting add": {("meeting", "add"): 1},
    "duty attend": {("attendance", "add"): 2},
    "duty plan": {("duty_report", "add"): 1},
    "duty summary": {("duty_report", "add"): 1},
    "spotcheck add": {("problem", "add"): 1},
    "spotcheck new": {("spotcheck", "add"): 1, ("problem", "add"): 2},
    "rectify done": {("problem", "done"): 1},
    "rectify verify": {("problem", "verify"): 1},
    "rectify reopen": {("problem", "reopen"): 1},
    "rectify negotiate": {("problem", "negotiate"): 1},
    "rectify remind": {("reminder", "remind"): 1},
    "score set": {("score", "set"): 1},
    "score import": {("score", "import"): 2, ("score_import", "import"): 1},
    "spotcheck withdraw": {("spotcheck", "withdraw"): 1, ("problem", "withdraw"): 2},
    "score withdraw": {("score_import", "withdraw"): 1, ("score", "withdraw"): 2},
    "score finalize": {("score_year", "finalize"): 1},
    "score reopen": {("score_year", "reopen"): 1},
    "evidence catalog import": {("catalog", "import"): 1},
    "evidence systems import": {("system_list", "import"): 1},
    "evidence tasks import": {("task", "import"): 2},
    "evidence tasks done": {("task", "complete"): 1},
    "evidence projects add": {("project", "add"): 1},
    "evidence projects import": {("project", "import"): 1},
    "evidence quality import": {("quality", "import"): 1},
    "evidence third-party": {("score", "import"): 2},
}


def _files(tmp):
    (tmp / "units.csv").write_text(
        "单位名称,类别,简称\n达州市民政局,市级部门,市民政局\n达州市中心医院,公共服务机构,\n",
        encoding="utf-8")
    (tmp / "notice2027.txt").write_text("2027-01-01 休\n2027-01-04 班\n", encoding="utf-8")
    (tmp / "problems.csv").write_text(
        "责任单位,数据资源名称,问题类型,问题描述,问题数据量\n"
        "市教育局,学籍信息,准确性,身份证号位数错误,12\n"
        "达州市公安局,户籍信息,完整性,缺少地址,5\n", encoding="utf-8")
    (tmp / "scores.csv").write_text("单位,1,2\n市教育局,3,4\n", encoding="utf-8")
    (tmp / "catalog.csv").write_text("数据资源名称,共享属性\n学籍信息,有条件共享\n",
                                     encoding="utf-8")
    (tmp / "systems.csv").write_text("系统名称,建设类型,是否接入\n学籍系统,自建,是\n",
                                     encoding="utf-8")
    (tmp / "tasks.csv").write_text("责任单位,任务内容,完成时限\n市教育局,学籍共享,2023-06-30\n"
                                   "市公安局,户籍共享,2023-09-30\n", encoding="utf-8")
    (tmp / "projects.csv").write_text("单位,项目名称,类型,阶段\n市教育局,学籍核验,应用示范,建设\n",
                                      encoding="utf-8")
    (tmp / "quality.csv").write_text("责任单位,抽查记录数,空值数,错值数\n市教育局,100,3,2\n",
                                     encoding="utf-8")
    (tmp / "third.csv").write_text("单位,得分\n市教育局,8\n市公安局,7.5\n", encoding="utf-8")


_BUILT: dict[tuple[str, ...], bool] = {}


def _exists(cli, argv):
    """True if the command is built: its words (before any option or value) have help."""
    words = []
    for a in argv:
        if a.startswith("-") or not a.isascii() or not a.isalpha():
            break
        words.append(a)
    key = tuple(words)
    if key not in _BUILT:
        _BUILT[key] = cli(*words, "--help").exit_code == 0
    return _BUILT[key]
def _fill(argv, tmp):
    from cdo.paths import data_dir

    return [a.replace("{tmp}", str(tmp)).replace("{samples}", str(data_dir() / "samples"))
            for a in argv]


def _audit_rows(db_path, after_id=0):
    db = open_db(db_path)
    rows = db.execute("SELECT id, entity, action, command FROM audit_log WHERE id > ?"
                      " ORDER BY id", [after_id]).fetchall()
    db.conn.close()
    return rows


@pytest.mark.parametrize("label, argv, needs", WRITE_COMMANDS, ids=[w[0] for w in WRITE_COMMANDS])
def test_write_command_records_audit(cli, db_path, tmp_path, label, argv, needs):
    _files(tmp_path)
    db = open_db(db_path)
    add_unit(db, "达州市教育局", "department", "市教育局")
    add_unit(db, "达州市公安局", "department", "市公安局")
    db.conn.close()
    for cmd in [*needs, argv]:
        assert _exists(cli, cmd), f"`cdo {label}` or what it needs is missing: {cmd}"
    for cmd in needs:
        r = cli(*_fill(cmd, tmp_path))
        assert r.exit_code == 0, (cmd, r.stdout, r.stderr)
    assert label in AUDITED, f"say in AUDITED which audit rows `cdo {label}` must add"
    last = max([0, *(r[0] for r in _audit_rows(db_path))])
    filled = _fill(argv, tmp_path)
    r = cli(*filled)
    assert r.exit_code == 0, (label, r.stdout, r.stderr)
    rows = _audit_rows(db_path, last)
    assert rows, f"`cdo {label}` wrote nothing to the audit log"
    counts: dict[tuple[str, str], int] = {}
    for _, entity, action, _ in rows:
        counts[(entity, action)] = counts.get((entity, action), 0) + 1
    assert counts == AUDITED[label], (label, counts)
    # every row names the command exactly as it was typed
    assert {row[3] for row in rows} == {"cdo " + " ".join(filled)}, rows
