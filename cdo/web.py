"""The read-only web view (`cdo serve`): Datasette over cdo databases, in Chinese, with
nothing personal or internal reachable.

Two locks, both in this module (a Datasette plugin registered by `datasette_for`):
- Datasette permissions: `view-table` is refused for every table not readable whole
  (PUBLIC): the roster, specialists, forms, audit log and any table added later are neither
  listed nor served, and the database file cannot be downloaded;
- an SQLite authorizer on every connection Datasette opens (cross-database ones too): any
  query, custom SQL included, may read only the columns READABLE lists. It never trusts
  the view name SQLite passes along, since a CTE can take any name; the views therefore
  read only whitelisted columns (名册's phones come masked from masked_phones).

Needs the `web` extra (datasette); imported only by `cdo serve` and the tests.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from datasette import hookimpl

from cdo.store.schema import VIEW_NAMES, overdue_sql

# What custom SQL, the table pages and the views may read: table -> readable columns
# (None: all). Anything else — phones, résumés, forms, the audit log, file names, tables
# added later — is refused.
READABLE: dict[str, frozenset[str] | None] = dict.fromkeys((
    "units", "problems", "reminder_problems", "scores", "score_years", "calendar_years",
    "calendar_days", "workdays", "eval_items", "masked_phones", *VIEW_NAMES,
)) | {
    "spotchecks": frozenset({"id", "month", "issued_on", "problems", "created_at"}),
    # free-text notes may name people or numbers: left out
    "problem_events": frozenset({"id", "problem_id", "action", "on_date", "until_on",
                                 "created_at"}),
    "reminders": frozenset({"id", "unit_id", "sent_on", "created_at"}),
    "meetings": frozenset({"id", "kind", "held_on", "title", "created_at"}),
    "attendance": frozenset({"meeting_id", "unit_id", "status"}),
    "duty_reports": frozenset({"id", "unit_id", "year", "kind", "received_on", "created_at"}),
    "calendar_local": frozenset({"date", "kind", "created_at"}),
    # the roster as 名册 shows it: name, position, term; masked phones are in masked_phones
    "cdos": frozenset({"id", "unit_id", "name", "position", "status", "recommended_on",
                       "received_on", "appointed_on", "filed_on", "ended_on"}),
    "specialists": frozenset({"id", "unit_id", "added_on", "removed_on"}),
}
# SQLite's own catalog: Datasette reads it to list tables and columns.
_CATALOG = frozenset({"sqlite_master", "sqlite_schema", "sqlite_temp_master",
                      "sqlite_temp_schema", "sqlite_sequence", "sqlite_stat1"})
# Tables whose pages are served: those readable whole.
PUBLIC = frozenset(t for t, cols in READABLE.items() if cols is None)
# Statements that would create something (a temporary view could launder a read).
_CREATE_ACTIONS = frozenset({
    sqlite3.SQLITE_CREATE_TEMP_VIEW, sqlite3.SQLITE_CREATE_TEMP_TABLE,
    sqlite3.SQLITE_CREATE_TEMP_TRIGGER, sqlite3.SQLITE_CREATE_VIEW,
    sqlite3.SQLITE_CREATE_TRIGGER, sqlite3.SQLITE_CREATE_TABLE,
})


def authorize(action: int, arg1: str | None, arg2: str | None, _db: str | None,
              _source: str | None) -> int:
    """The SQLite authorizer: a read of a column not in READABLE is refused, whatever the
    query (the innermost view or CTE name is not looked at: a CTE can take any name)."""
    if action == sqlite3.SQLITE_READ:
        table = (arg1 or "").lower()
        if table in _CATALOG:
            return sqlite3.SQLITE_OK
        cols = _READABLE.get(table, _NONE)
        # "" is a table named without a column read (count(*)): rows may be counted
        if cols is None or (arg2 or "").lower() in cols or (arg2 == "" and cols):
            return sqlite3.SQLITE_OK
        return sqlite3.SQLITE_DENY
    if action in _CREATE_ACTIONS:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


_READABLE = {t.lower(): cols for t, cols in READABLE.items()}
_NONE: frozenset[str] = frozenset()


@hookimpl
def prepare_connection(conn, database, datasette):
    if database != "_internal":
        conn.set_authorizer(authorize)


@hookimpl
def register_routes():
    # /-/databases would show where the file lies on the office's disk
    return [(r"^/-/databases(\.json)?$", _not_served)]


async def _not_served(request):
    from datasette.utils.asgi import Response

    return Response.text("不提供此页面", status=403)


@hookimpl
def permission_allowed(datasette, actor, action, resource):
    if action == "view-database-download":
        return False
    if action == "view-table" and isinstance(resource, tuple):
        _db, table = resource
        if table not in PUBLIC and table.lower() not in PUBLIC:
            return False
    return None


# Datasette 0.65 has no translations: its own words (buttons, headings, counts) are put
# into Chinese in the browser. Whole text nodes only, never inside table cells or SQL.
_WORDS = [
    (r"^(\s*)Custom SQL query returning (?:more than )?([\d,]+) rows?", "$1自定义 SQL 查询：$2 行"),
    (r"^(\s*)Custom SQL query", "$1自定义 SQL 查询"),
    (r"^(\s*)([\d,]+) rows?\s+where\s+", "$1$2 行，条件："),
    (r"^(\s*)([\d,]+) rows?\s+sorted by ", "$1$2 行，sorted by "),
    (r"\s*sorted by (\S+) descending", "，按 $1 降序"),
    (r"\s*sorted by (\S+)", "，按 $1 升序"),
    (r"^(\s*)([\d,]+) rows?(\s*)$", "$1$2 行$3"),
    (r"^(\s*)([\d,]+) rows in ", "$1$2 行，"),
    (r"^(\s*)Many rows\s*$", "$1行数很多"),
    (r"(\d+) tables?(,?)", "$1 个表$2"),
    (r"(\d+) hidden tables?", "$1 个隐藏表"),
    (r"^\s*\(view\)\s*$", "（视图）"),
    (r" \(view\)$", "（视图）"),
    (r"^\s*home\s*$", "首页"),
    (r"^\s*View and edit SQL\s*$", "查看和编辑 SQL"),
    (r"^\s*This data as\s*$", "数据下载："),
    (r"^\s*advanced\s*$", "更多"),
    (r"^\s*Suggested facets:\s*$", "建议的分组："),
    (r"^\s*Advanced export\s*$", "更多导出方式"),
    (r"^\s*Query parameters\s*$", "查询参数"),
    (r"^\s*Edit SQL\s*$", "编辑 SQL"),
    (r"^\s*Format SQL\s*$", "整理 SQL"),
    (r"^\s*Next page\s*$", "下一页"),
    (r"^\s*Tables\s*$", "表"),
    (r"^\s*Views\s*$", "视图"),
    (r"^\s*Queries\s*$", "固定查询"),
    (r"^\s*- column -\s*$", "- 选择列 -"),
    (r"^\s*- remove filter -\s*$", "- 去掉条件 -"),
    (r"^\s*descending\s*$", "降序"),
    (r"^\s*Sort\.\.\.\s*$", "排序…"),
    (r"^\s*Search:\s*$", "搜索："),
    (r"^\s*Powered by\s*$", "基于"),
    (r"^\s*stream all rows\s*$", "导出全部行"),
    (r"^\s*The following databases are attached to this connection, and can be used for"
     r" cross-database joins:\s*$", "以下数据库已挂接，可跨库查询："),
    (r"\(date\)", "（日期）"),
    (r"^Apply$", "应用"),
    (r"^Run SQL$", "运行 SQL"),
    (r"^Export$", "导出"),
]


def _translation_script() -> str:
    import json

    pairs = ",".join(f"[new RegExp({json.dumps(a)}),{json.dumps(b, ensure_ascii=False)}]"
                     for a, b in _WORDS)
    return (
        "(function(){var T=[" + pairs + "];"
        "function tr(s){for(var i=0;i<T.length;i++){s=s.replace(T[i][0],T[i][1]);}return s;}"
        "var skip={TD:1,PRE:1,TEXTAREA:1,CODE:1,SCRIPT:1,STYLE:1};"
        "var w=document.createTreeWalker(document.body,NodeFilter.SHOW_TEXT,{acceptNode:"
        "function(n){for(var p=n.parentNode;p&&p!==document.body;p=p.parentNode){"
        "if(skip[p.nodeName])return NodeFilter.FILTER_REJECT;}return NodeFilter.FILTER_ACCEPT;}});"
        "var n,all=[];while((n=w.nextNode()))all.push(n);"
        "all.forEach(function(n){var v=tr(n.nodeValue);if(v!==n.nodeValue)n.nodeValue=v;});"
        "document.querySelectorAll('input[type=submit]').forEach(function(b){b.value=tr(b.value);});"
        "document.documentElement.lang='zh-CN';})();"
    )


@hookimpl
def extra_body_script(template, database, table, columns, view_name, request, datasette):
    return _translation_script()


# ----------------------------------------------------------------------------- metadata

_FACETS = ["责任单位", "单位类别", "状态", "抽查月份", "问题类型"]
_PROBLEM_COLUMNS = {
    "问题编号": "问题在 cdo 中的编号（cdo rectify 用它）",
    "问题来源": "月度抽查（30 个工作日内整改）或使用单位反馈（15 个工作日内整改）",
    "下发日期": "问题下发给责任单位的日期（当日不计入期限）",
    "整改期限": "现行整改期限（协商延期后为商定日期）",
    "期限暂定": "期限所在年度尚未公布节假日安排时为“是”",
    "逾期工作日": "整改期限次日起至统计日的工作日数（按国务院节假日安排和本地调整）",
}

_UNIT_PROBLEMS_SQL = """SELECT * FROM 单位问题
WHERE 责任单位 = (SELECT name FROM units WHERE name = :单位 OR short = :单位
                  OR name = '达州市' || :单位 LIMIT 1)
ORDER BY 问题编号"""


def metadata(names: Sequence[str]) -> dict[str, Any]:
    """Datasette metadata for the served databases (titles, descriptions, facets,
    canned queries, all in Chinese)."""
    tables = {
        "逾期问题": {
            "title": "逾期未整改问题（截至今天）",
            "description": "按单位分组，逾期最久的单位在前；逾期工作日按工作日历计算。"
                           "与 cdo report overdue 相同（各列说明见“全部问题及整改状态”）。",
            "facets": _FACETS,
        },
        "单位问题": {
            "title": "全部问题及整改状态",
            "description": "每个问题的责任单位、状态和整改期限；逾期工作日截至今天。"
                           "与 cdo spotcheck list 相同。",
            "facets": _FACETS, "columns": _PROBLEM_COLUMNS,
        },
        "整改情况": {
            "title": "月度抽查问题整改情况（截至今天）",
            "description": "按抽查月份和单位统计，与 cdo report monthly 相同：只计月度抽查发现的问题；"
                           "按期整改率 = 按期整改 ÷（按期整改 + 逾期整改 + 逾期未整改）。",
            "facets": ["抽查月份", "责任单位", "单位类别"],
        },
        "评价排名": {
            "title": "首席数据官工作评价排名",
            "description": "按年度：六部分小计与总分；总分相同名次相同；有未评项目的单位标“未评完”，"
                           "不参加排名。与 cdo score 相同。",
            "facets": ["年度", "单位类别", "是否评完"],
        },
        "名册": {
            "title": "首席数据官名册（现任）",
            "description": "每个单位的现任首席数据官；联系电话已隐去中间数字，其他个人信息不公开。",
            "facets": ["单位类别", "状态"],
        },
        "日历": {
            "title": "工作日历",
            "description": "每天是否工作日及依据（国务院放假安排、已载入的通知、暂定规则、本地调整）；"
                           "工作日序号相减即为两天之间的工作日数。",
            "facets": ["年份", "类型", "依据"],
        },
        "评价指标": {
            "title": "评价指标（附件2）",
            "description": "《达州市首席数据官制度建设实施方案》附件2 的评价项目、所属部分和分值。",
            "facets": ["评价部分"],
        },
        "units": {"title": "单位（原始表）", "label_column": "name",
                  "columns": {"name": "单位名称", "short": "简称",
                              "category": "类别：region 县市区及园区、department 市级部门、"
                                          "enterprise 国有企业、institution 公共服务机构"}},
        "problems": {"title": "问题（原始表）", "columns": {
            "unit_id": "责任单位", "source": "来源：spotcheck 月度抽查、user 使用单位反馈",
            "resource": "数据资源名称",
            "dimension": "问题类型：accuracy 准确性、timeliness 时效性、completeness 完整性、"
                         "normativity 规范性",
            "issued_on": "下发日期", "due_on": "现行整改期限", "original_due_on": "原整改期限",
            "status": "状态：open 待整改、rectified 已整改待核验、closed 已销号、negotiated 协商延期",
            "first_late_on": "第一次逾期的日期（逾期过的问题一直记着）"}},
        "workdays": {"title": "工作日历（原始表）", "hidden": True},
        "eval_items": {"title": "评价指标（原始表）", "hidden": True},
    }
    queries = {
        "某单位的问题": {
            "title": "某单位的问题",
            "description": "输入单位全称或简称（如 达州市大数据中心、市大数据中心），列出它的全部问题。",
            "sql": _UNIT_PROBLEMS_SQL,
        },
        "某日的逾期问题": {
            "title": "某日的逾期问题",
            "description": "输入日期（如 2023-12-29），列出当天逾期未整改的问题，"
                           "与 cdo report overdue --as-of 该日 相同。",
            "sql": overdue_sql("date(:日期)"),
        },
    }
    dbs = {
        name: {
            "title": f"首席数据官工作（{name}）",
            "description": "只读；不含联系电话、简历、修改日志等个人和内部信息。",
            "tables": tables,
            "queries": queries,
        }
        for name in names
    }
    return {
        "title": "首席数据官工作情况",
        "description": "逾期问题、各单位整改情况、评价排名和名册，数据来自 cdo 数据库，只读。",
        "databases": dbs,
    }


def datasette_for(paths: Sequence[Path]):
    """A Datasette serving `paths` read-only with the cdo locks and metadata; several
    files get cross-database queries (the _memory database attaches them)."""
    from datasette.app import Datasette
    from datasette.plugins import pm

    import cdo.web

    if not pm.is_registered(cdo.web):
        pm.register(cdo.web, name="cdo-web")
    names = [Path(p).stem for p in paths]
    return Datasette(
        [str(p) for p in paths],
        metadata=metadata(names),
        crossdb=len(paths) > 1,
        settings={"allow_download": False, "default_page_size": 50,
                  "sql_time_limit_ms": 5000, "max_returned_rows": 5000},
    )


class _QuietRefusals:
    """stderr without Datasette's line for each refused read (its database page counts
    the rows of every table, the refused ones too): the clerk's terminal stays readable."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        if text.startswith("ERROR: conn=") and ("prohibited" in text
                                                or "not authorized" in text):
            return len(text)
        return self._stream.write(text)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def serve(paths: Sequence[Path], host: str, port: int) -> None:
    """Serve until interrupted (uvicorn, as `datasette serve` does)."""
    import sys

    import uvicorn

    sys.stderr = _QuietRefusals(sys.stderr)
    try:
        uvicorn.run(datasette_for(paths).app(), host=host, port=port, log_level="warning")
    finally:
        sys.stderr = sys.stderr._stream if isinstance(sys.stderr, _QuietRefusals) else sys.stderr
