"""Suggested points for items 4, 5, 7, 8, 10, 12, 13 and 16 of 附件2 from the evidence
(catalogue, systems list, task lists, projects, quality measurements) — pure functions.

Each rule returns {'item', 'suggested', 'basis', 'records'}; `suggested` is None when the
records cannot support a suggestion, else a number within 0…the item's maximum, rounded
half-up to one decimal. The rules are stated in Chinese in data/evaluation.json (key
`suggestion`), shown by `cdo evidence rules` and in `cdo score suggest --help`.

Rules 5, 7 and 12 are fixed by issue 9; 4, 8, 10, 13 and 16 are this tool's:

- 4 (10): catalogue (一本账) received 4 (by 31 December of the year; later but by the
  evaluation date 2) + systems list received 2 (later: 1) + 4 × census coverage, the share
  of the distinct data resources named in the unit's problems of the year that are in its
  current catalogue (no problems: 1; no catalogue: 0). Neither list received: none.
- 5 (5): 5 × connected 自建 systems ÷ 自建 systems on the current list, as of the
  evaluation date (a system marked connected without a date counts from the day the list
  was received). No 自建 system: none.
- 7 (10): 10 × Σ weights ÷ tasks due in the year, over the sharing (share) and data-return
  (return) lists: done by the due date 1, done later in the year 0.5, otherwise 0.
  No task due: none.
- 8 (5): with A = share of catalogue entries stating both 共享属性 and 开放属性, B = share
  stating 分级, C = the open-plan tasks' weight share (weights as item 7):
  5 × (2A + B + 2C) ÷ 5 when the unit has open-plan tasks due in the year, else
  5 × (2A + B) ÷ 3. No catalogue and no open-plan task: none.
- 10 (10): 6 × share of catalogue entries with a data dictionary (数据字典 有) + 4 × share
  stating an update frequency (更新频率, the upkeep mechanism). No catalogue: none.
- 12 (5): 2.5 × [null rate at the last check of the year ≤ at the first] + 2.5 × [error
  rate likewise]. Fewer than two checks: none.
- 13 (10): each 应用示范 project started (立项) by the year's end counts by the stage it
  had reached then (and by the evaluation date): 立项 1, 建设 2, 上线运行 3; one the office
  named a 典型应用示范 counts 5. Sum, at most 10 (two typical projects = full marks, the
  scheme's 1—2). No project: none.
- 16 (5): each 授权运营 / 数据交易 / 确权等探索 project, by stage as item 13 (立项 1,
  建设 2, 上线运行 3). Sum, at most 5. None recorded: none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from cdo.scoring import fmt_points, round_suggestion

EVIDENCE_ITEMS = (4, 5, 7, 8, 10, 12, 13, 16)
MAXIMA = {4: 10.0, 5: 5.0, 7: 10.0, 8: 5.0, 10: 10.0, 12: 5.0, 13: 10.0, 16: 5.0}

SHARE_NAMES = {"unconditional": "无条件共享", "conditional": "有条件共享", "none": "不予共享"}
OPEN_NAMES = {"unconditional": "无条件开放", "conditional": "有条件开放", "none": "不予开放"}
GRADE_NAMES = {"general": "一般", "important": "重要", "core": "核心"}
KIND_NAMES = {"self": "自建", "line": "条线"}
LIST_NAMES = {"share": "数据共享责任清单", "return": "数据回流任务清单",
              "open-plan": "年度数据开放计划"}
PROJECT_KIND_NAMES = {"application": "应用示范", "operation": "授权运营", "trading": "数据交易",
                      "exploration": "确权等探索"}
STAGE_NAMES = {"approved": "立项", "building": "建设", "running": "上线运行"}
STAGE_POINTS = {"approved": 1.0, "building": 2.0, "running": 3.0}
TYPICAL_POINTS = 5.0
LATE_TASK_WEIGHT = 0.5


@dataclass(frozen=True)
class Entry:
    name: str
    key: str
    share: str | None = None
    open: str | None = None
    dictionary: bool | None = None
    grade: str | None = None
    frequency: str | None = None


@dataclass
class Catalog:
    version: int
    received_on: dt.date
    entries: list[Entry] = field(default_factory=list)
    versions: int = 1  # how many versions the unit has submitted by then


@dataclass(frozen=True)
class System:
    name: str
    kind: str  # self | line
    connected: bool
    connected_on: dt.date | None = None


@dataclass
class SystemList:
    received_on: dt.date
    systems: list[System] = field(default_factory=list)


@dataclass(frozen=True)
class Task:
    id: int
    list: str
    content: str
    due_on: dt.date
    done_on: dt.date | None = None


@dataclass(frozen=True)
class Project:
    id: int
    name: str
    kind: str
    stage: str
    approved_on: dt.date | None = None
    online_on: dt.date | None = None
    typical: bool = False


@dataclass(frozen=True)
class Check:
    month: str
    checked: int
    nulls: int
    wrong: int

    @property
    def null_rate(self) -> float:
        return self.nulls / self.checked

    @property
    def error_rate(self) -> float:
        return self.wrong / self.checked


@dataclass
class Facts:
    """Everything the evidence rules need for one unit and year."""

    catalog: Catalog | None = None
    systems: SystemList | None = None
    tasks: list[Task] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)  # one per check month, in order
    problem_resources: list[tuple[int, str, str]] = field(default_factory=list)
    # (problem id, resource as written, normalized key)


def _out(item: int, value: float | None, basis: str, records: list[str]) -> dict:
    if value is not None:
        value = min(MAXIMA[item], max(0.0, round_suggestion(value)))
    return {"item": item, "suggested": value, "basis": basis, "records": records}


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%".replace(".0%", "%")


def _share(n: int, d: int) -> float:
    return n / d if d else 0.0


def year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


# ----------------------------------------------------------------------------- item 4

def coverage(catalog: Catalog | None, resources: Sequence[tuple[int, str, str]]
             ) -> tuple[float, list[str], list[str]]:
    """(share of the distinct problem resources in the catalogue, linked names, gaps)."""
    names: dict[str, str] = {}
    for _, res, key in resources:
        names.setdefault(key, res)
    if not names:
        return (1.0 if catalog else 0.0), [], []
    known = {e.key for e in catalog.entries} if catalog else set()
    linked = [n for k, n in names.items() if k in known]
    gaps = [n for k, n in names.items() if k not in known]
    return len(linked) / len(names), linked, gaps


def suggest_item4(year: int, f: Facts) -> dict:
    cat, sl = f.catalog, f.systems
    if cat is None and sl is None:
        return _out(4, None, "未收到数据资源目录清单和信息系统清单，无建议", [])
    end = year_end(year)
    records = []
    cat_pts = sys_pts = 0.0
    if cat is not None:
        on_time = cat.received_on <= end
        cat_pts = 4.0 if on_time else 2.0
        records.append(f"数据资源目录清单：{cat.received_on} 收到第{cat.versions}版，"
                       f"{len(cat.entries)} 条（{'年内报送' if on_time else '次年补报'}，"
                       f"{fmt_points(cat_pts)} 分）")
    else:
        records.append("数据资源目录清单：未收到（0 分）")
    if sl is not None:
        on_time = sl.received_on <= end
        sys_pts = 2.0 if on_time else 1.0
        own = sum(1 for s in sl.systems if s.kind == "self")
        records.append(f"信息系统清单：{sl.received_on} 收到，自建 {own} 个、条线 "
                       f"{len(sl.systems) - own} 个（{'年内报送' if on_time else '次年补报'}，"
                       f"{fmt_points(sys_pts)} 分）")
    else:
        records.append("信息系统清单：未收到（0 分）")
    cov, linked, gaps = coverage(cat, f.problem_resources)
    total_res = len(linked) + len(gaps)
    if total_res:
        records.append(f"普查覆盖：问题涉及数据资源 {total_res} 个，在目录中 {len(linked)} 个"
                       + (f"；不在目录中：{'、'.join(gaps)}" if gaps else ""))
    else:
        records.append("普查覆盖：当年没有问题涉及的数据资源" + ("，按全覆盖" if cat else ""))
    value = cat_pts + sys_pts + 4.0 * cov
    basis = (f"目录{fmt_points(cat_pts)}＋系统清单{fmt_points(sys_pts)}＋"
             f"普查覆盖 4×{_pct(cov)}")
    return _out(4, value, basis, records)


# ----------------------------------------------------------------------------- item 5

def suggest_item5(as_of: dt.date, f: Facts) -> dict:
    sl = f.systems
    own = [s for s in sl.systems if s.kind == "self"] if sl else []
    if not own:
        why = "没有信息系统清单" if sl is None else "清单上没有自建系统"
        return _out(5, None, f"{why}，无建议", [])
    records, n = [], 0
    for s in own:
        since = s.connected_on or sl.received_on  # type: ignore[union-attr]
        ok = s.connected and since <= as_of
        n += ok
        if ok:
            records.append(f"自建《{s.name}》：已接入"
                           + (f"（{s.connected_on}）" if s.connected_on else "（未写接入日期）"))
        elif s.connected:
            records.append(f"自建《{s.name}》：{s.connected_on} 接入，晚于评价日期，不计")
        else:
            records.append(f"自建《{s.name}》：未接入")
    return _out(5, 5.0 * n / len(own), f"自建系统{len(own)}个，已接入{n}个", records)


# ----------------------------------------------------------------------------- items 7, 8

def task_weight(t: Task, year: int, as_of: dt.date) -> float:
    """1 done by the due date, 0.5 done later in the year, 0 otherwise (as of `as_of`)."""
    done = t.done_on if t.done_on is not None and t.done_on <= as_of else None
    if done is None:
        return 0.0
    if done <= t.due_on:
        return 1.0
    return LATE_TASK_WEIGHT if done <= year_end(year) else 0.0


def _task_records(tasks: Sequence[Task], year: int, as_of: dt.date) -> list[str]:
    out = []
    for t in tasks:
        w = task_weight(t, year, as_of)
        state = ("按期完成" if w == 1 else "逾期完成（年内）" if w == LATE_TASK_WEIGHT
                 else "未完成" if t.done_on is None or t.done_on > as_of else "次年才完成")
        done = f"，{t.done_on} 完成" if t.done_on and t.done_on <= as_of else ""
        out.append(f"任务 #{t.id}〔{LIST_NAMES[t.list]}〕{t.content}：时限 {t.due_on}{done}，"
                   f"{state}（{fmt_points(w)}）")
    return out


def tasks_due(f: Facts, year: int, lists: Sequence[str]) -> list[Task]:
    return [t for t in f.tasks if t.list in lists and t.due_on.year == year]


def suggest_item7(year: int, as_of: dt.date, f: Facts) -> dict:
    due = tasks_due(f, year, ("share", "return"))
    if not due:
        return _out(7, None, f"{year} 年没有到期的共享责任或回流任务，无建议", [])
    weights = [task_weight(t, year, as_of) for t in due]
    on_time = sum(1 for w in weights if w == 1)
    late = sum(1 for w in weights if w == LATE_TASK_WEIGHT)
    basis = (f"到期任务{len(due)}个：按期完成{on_time}、逾期完成{late}、"
             f"未完成{len(due) - on_time - late}")
    return _out(7, 10.0 * sum(weights) / len(due), basis, _task_records(due, year, as_of))


def suggest_item8(year: int, as_of: dt.date, f: Facts) -> dict:
    cat = f.catalog
    plan = tasks_due(f, year, ("open-plan",))
    if cat is None and not plan:
        return _out(8, None, "没有数据资源目录清单，也没有年度数据开放计划任务，无建议", [])
    entries = cat.entries if cat else []
    both = sum(1 for e in entries if e.share and e.open)
    graded = sum(1 for e in entries if e.grade)
    a, b = _share(both, len(entries)), _share(graded, len(entries))
    records = [f"目录 {len(entries)} 条：标明共享、开放属性 {both} 条，标明分级 {graded} 条"
               if cat else "数据资源目录清单：未收到"]
    if plan:
        weights = [task_weight(t, year, as_of) for t in plan]
        c = sum(weights) / len(plan)
        value = 5.0 * (2 * a + b + 2 * c) / 5
        basis = f"共享开放属性{_pct(a)}、分级{_pct(b)}、开放计划完成{_pct(c)}"
        records += _task_records(plan, year, as_of)
    else:
        value = 5.0 * (2 * a + b) / 3
        basis = f"共享开放属性{_pct(a)}、分级{_pct(b)}（无开放计划任务）"
    return _out(8, value, basis, records)


# ----------------------------------------------------------------------------- item 10

def suggest_item10(f: Facts) -> dict:
    cat = f.catalog
    if cat is None or not cat.entries:
        return _out(10, None, "没有数据资源目录清单，无建议", [])
    n = len(cat.entries)
    dic = sum(1 for e in cat.entries if e.dictionary)
    freq = sum(1 for e in cat.entries if e.frequency)
    no_dict = [e.name for e in cat.entries if not e.dictionary]
    records = [f"目录第{cat.versions}版（{cat.received_on}）{n} 条：有数据字典 {dic} 条，"
               f"标明更新频率 {freq} 条"]
    if no_dict:
        records.append("无数据字典：" + "、".join(no_dict[:20])
                       + (f" 等 {len(no_dict)} 条" if len(no_dict) > 20 else ""))
    value = 6.0 * dic / n + 4.0 * freq / n
    return _out(10, value, f"数据字典{_pct(dic / n)}、更新频率{_pct(freq / n)}", records)


# ----------------------------------------------------------------------------- item 12

def suggest_item12(f: Facts) -> dict:
    checks = f.checks
    records = [f"{c.month}：抽查 {c.checked} 条，空值 {c.nulls}（{_pct(c.null_rate)}），"
               f"错值 {c.wrong}（{_pct(c.error_rate)}）" for c in checks]
    if len(checks) < 2:
        return _out(12, None, f"当年抽查{len(checks)}次，少于两次，无建议", records)
    first, last = checks[0], checks[-1]
    null_ok = last.null_rate <= first.null_rate
    err_ok = last.error_rate <= first.error_rate
    basis = (f"空值率 {_pct(first.null_rate)}→{_pct(last.null_rate)}"
             f"{'（未升高）' if null_ok else '（升高）'}，错值率 {_pct(first.error_rate)}→"
             f"{_pct(last.error_rate)}{'（未升高）' if err_ok else '（升高）'}")
    return _out(12, 2.5 * null_ok + 2.5 * err_ok, basis, records)


# ----------------------------------------------------------------------------- items 13, 16

def stage_on(p: Project, day: dt.date) -> str | None:
    """The stage a project had reached on `day`; None if not yet started (立项) then."""
    if p.approved_on is not None and p.approved_on > day:
        return None
    if p.online_on is not None:
        return "running" if p.online_on <= day else (
            "building" if p.stage == "running" else p.stage)
    return p.stage


def _project_points(projects: Sequence[Project], day: dt.date, typical_counts: bool
                    ) -> tuple[float, list[str]]:
    total, records = 0.0, []
    for p in projects:
        stage = stage_on(p, day)
        if stage is None:
            records.append(f"项目 #{p.id}《{p.name}》：{p.approved_on} 立项，晚于 {day}，不计")
            continue
        pts = TYPICAL_POINTS if typical_counts and p.typical else STAGE_POINTS[stage]
        total += pts
        tag = "，典型应用示范" if typical_counts and p.typical else ""
        dates = "".join([f"，{p.approved_on} 立项" if p.approved_on else "",
                         f"，{p.online_on} 上线" if p.online_on and p.online_on <= day else ""])
        records.append(f"项目 #{p.id}《{p.name}》〔{PROJECT_KIND_NAMES[p.kind]}〕："
                       f"{STAGE_NAMES[stage]}{dates}{tag}（{fmt_points(pts)}）")
    return total, records


def suggest_item13(year: int, as_of: dt.date, f: Facts) -> dict:
    apps = [p for p in f.projects if p.kind == "application"]
    if not apps:
        return _out(13, None, "没有应用示范项目记录，无建议", [])
    day = min(as_of, year_end(year))
    total, records = _project_points(apps, day, True)
    typical = sum(1 for p in apps if p.typical and stage_on(p, day))
    return _out(13, min(10.0, total),
                f"应用示范项目{len(apps)}个（典型{typical}个），合计{fmt_points(total)}分，最高10分",
                records)


def suggest_item16(year: int, as_of: dt.date, f: Facts) -> dict:
    probes = [p for p in f.projects if p.kind != "application"]
    if not probes:
        return _out(16, None, "没有授权运营、数据交易等探索记录，无建议", [])
    day = min(as_of, year_end(year))
    total, records = _project_points(probes, day, False)
    return _out(16, min(5.0, total),
                f"授权运营、数据交易等探索{len(probes)}项，合计{fmt_points(total)}分，最高5分",
                records)


def suggest_all(year: int, as_of: dt.date, f: Facts) -> list[dict]:
    """Suggestions for items 4, 5, 7, 8, 10, 12, 13 and 16."""
    return [suggest_item4(year, f), suggest_item5(as_of, f), suggest_item7(year, as_of, f),
            suggest_item8(year, as_of, f), suggest_item10(f), suggest_item12(f),
            suggest_item13(year, as_of, f), suggest_item16(year, as_of, f)]
