"""The read-only web view (`cdo serve`): Datasette over cdo databases, in Chinese, with
nothing personal or internal reachable.

Two locks, both in this module (a Datasette plugin registered by `datasette_for`):
- Datasette permissions: `view-table` is refused for every table not readable whole
  (PUBLIC): the roster, specialists, forms, audit log and any table added later are neither
  listed nor served, and the database file cannot be downloaded;
- an SQLite authorizer on every connection Datasette opens (cross-database ones too): any
  query, custom SQL included, may read only the columns READABLE lists. It never trusts
  the view name SQLite passes along, since a CTE can take any name; the views therefore
  read only whitelisted columns (名册's phones come masked from masked_phones, each
  problem's description from masked_descriptions).

Needs the `web` extra (datasette); imported only by `cdo serve` and the tests.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from datasette import hookimpl

from cdo.store.schema import MASKED_DESCRIPTION, VIEW_NAMES, overdue_sql

# What custom SQL, the table pages and the views may read: table -> readable columns
# (None: all). Anything else — phones, résumés, forms, the audit log, file names, tables
# added later — is refused. Free text the clerk writes (notes, meeting titles, attendee
# names, reasons, aliases) is left out everywhere; the free text served is the office's
# own lists: unit names, each problem's resource and reporting unit as the office issued
# it, its description with phone numbers masked (masked_descriptions: the raw column is
# refused), the CDO's name and post (名册), 附件2's items and the holiday notices.
READABLE: dict[str, frozenset[str] | None] = dict.fromkeys((
    "units", "reminder_problems", "score_years", "calendar_years",
    "calendar_days", "eval_items", "masked_phones", "masked_descriptions", *VIEW_NAMES,
)) | {
    # every column but the description (a name or a phone may be typed into it)
    "problems": frozenset({
        "id", "spotcheck_id", "month", "source", "unit_id", "reporter_id", "reporter",
        "resource", "dimension", "records", "issued_on", "due_on", "original_due_on",
        "provisional", "negotiated_until", "status", "rectified_on", "closed_on",
        "first_late_on", "created_at"}),
    "scores": frozenset({"year", "unit_id", "item", "points", "updated_at"}),
    "spotchecks": frozenset({"id", "month", "issued_on", "problems", "created_at"}),
    "problem_events": frozenset({"id", "problem_id", "action", "on_date", "until_on",
                                 "created_at"}),
    "reminders": frozenset({"id", "unit_id", "sent_on", "created_at"}),
    "meetings": frozenset({"id", "kind", "held_on", "created_at"}),
    "attendance": frozenset({"meeting_id", "unit_id", "status"}),
    "duty_reports": frozenset({"id", "unit_id", "year", "kind", "received_on", "created_at"}),
    "calendar_local": frozenset({"date", "kind", "created_at"}),
    # the calendar without the reason the clerk gave for a local day (日历 shows a flag)
    "workdays": frozenset({"date", "workday", "seq", "kind", "name", "year_status",
                           "provisional", "local"}),
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
    if database == "_internal":
        return
    conn.set_authorizer(authorize)
    # the canned queries read the date and the unit as the CLI does
    conn.create_function("cdo_date", 1, _date, deterministic=True)
    conn.create_function("cdo_date_error", 1, _date_error, deterministic=True)
    db = datasette.databases.get(database) if datasette is not None else None
    path = getattr(db, "path", None)
    if path:
        conn.create_function("cdo_unit", 1, lambda text: _unit(path, text)[0])
        conn.create_function("cdo_unit_error", 1, lambda text: _unit(path, text)[1])


def _date(text: object) -> str | None:
    """A date as the CLI reads it (2023-12-20, 2023/12/20, 2023.12.20, 2023年12月20日,
    20231220), as YYYY-MM-DD; None if it is not one."""
    from cdo.dates import try_parse_date
    from cdo.errors import CdoError

    try:
        day = try_parse_date(str(text or ""))
    except CdoError:
        return None
    return day.isoformat() if day else None


def _date_error(text: object) -> str | None:
    """Why `text` is not a date, in the CLI's words; None when it is one."""
    from cdo.dates import parse_date
    from cdo.errors import CdoError

    if not str(text or "").strip():
        return "请输入日期，如 2023-12-29（也可写 2023/12/29、2023.12.29 或 2023年12月29日）"
    try:
        parse_date(str(text))
    except CdoError as e:
        return str(e)
    return None


def _unit(path: str, text: object) -> tuple[str | None, str | None]:
    """(full name, None) of the unit `text` names as the CLI resolves it (full name, short
    name, alias, loosely written), or (None, why not). Reads units and aliases from the
    file itself on a read-only connection of its own, outside the web view's whitelist."""
    from cdo.errors import CdoError, NotFoundError
    from cdo.roster.units import UnitIndex
    from cdo.store.db import Database

    if not str(text or "").strip():
        return None, "请输入单位名称（全称、简称或别名），如 达州市大数据中心、市大数据中心"
    conn = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
    try:
        return UnitIndex.load(Database(conn)).resolve(str(text)).name, None
    except NotFoundError:
        return None, f"没有这个单位：{str(text).strip()!r}（全部单位见“单位（原始表）”）"
    except CdoError as e:
        return None, str(e)
    finally:
        conn.close()


@hookimpl
def register_routes():
    # /-/databases would show where the file lies on the office's disk; /-/versions
    # probes SQLite by creating tables, which the authorizer refuses (and it is internal)
    return [(r"^/-/databases(\.json)?$", _not_served), (r"^/-/versions(\.json)?$", _not_served)]


async def _not_served(request):
    from datasette.utils.asgi import Response

    return Response.text("不提供此页面", status=403)


def _refused(message: str) -> bool:
    return "prohibited" in message or "not authorized" in message


@hookimpl
def handle_exception(datasette, request, exception):
    """Datasette's error page without its traceback on the clerk's terminal (its own
    handler is blocked by datasette_for): a read the locks refuse is a 403 in Chinese and
    prints nothing; anything unexpected prints one line."""
    async def inner():
        import sys

        from datasette.utils.asgi import Base400, Response
        from datasette.views.base import DatasetteError
        from markupsafe import Markup

        title = None
        info: dict[str, Any] = {}
        message: Any
        if isinstance(exception, Base400):
            status, message = exception.status, exception.args[0]
        elif isinstance(exception, DatasetteError):
            status, info, message = exception.status, exception.error_dict, exception.message
            if exception.message_is_html:
                message = Markup(message)
            title = exception.title
        elif isinstance(exception, sqlite3.DatabaseError) and _refused(str(exception)):
            status, message = 403, str(exception)
        else:
            status, message = 500, str(exception)
            print(f"cdo serve：页面 {request.path} 出错：{type(exception).__name__}: {exception}",
                  file=sys.stderr)
        if status in (400, 403) and _refused(str(message)):
            status, message = 403, f"不提供这些数据（只读网页不公开个人和内部信息）：{message}"
        info.update({"ok": False, "error": message, "status": status, "title": title})
        if request.path.split("?")[0].endswith(".json"):
            return Response.json(info, status=status)
        template = datasette.jinja_env.select_template([f"{status}.html", "error.html"])
        return Response.html(await template.render_async(dict(
            info, urls=datasette.urls, app_css_hash=datasette.app_css_hash(),
            menu_links=lambda: [])), status=status)

    return inner


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

# A unit that is not found, or a date that is not one, gives one row saying why in its
# first text column, rather than no rows at all.
_UNIT_PROBLEMS_SQL = """SELECT * FROM 单位问题 WHERE 责任单位 = (SELECT cdo_unit(:单位))
UNION ALL
SELECT NULL, cdo_unit_error(:单位), {nulls} WHERE cdo_unit(:单位) IS NULL
ORDER BY 问题编号""".format(nulls=", ".join(["NULL"] * 16))

_OVERDUE_SQL = """WITH q AS ({sql})
SELECT * FROM q
UNION ALL
SELECT cdo_date_error(:日期), {nulls} WHERE cdo_date(:日期) IS NULL""".format(
    sql=overdue_sql("cdo_date(:日期)", MASKED_DESCRIPTION).strip(), nulls=", ".join(["NULL"] * 17))


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
        "masked_descriptions": {"title": "问题描述（已隐去电话号码）", "columns": {
            "problem_id": "问题编号",
            "description": "问题描述，其中的电话号码已隐去中间数字（与命令行显示的相同）",
            "exact": "1：已按命令行的规则隐去；0：由其他程序写入，暂时隐去了全部数字"}},
        "workdays": {"title": "工作日历（原始表）", "hidden": True},
        "eval_items": {"title": "评价指标（原始表）", "hidden": True},
    }
    queries = {
        "某单位的问题": {
            "title": "某单位的问题",
            "description": "输入单位全称、简称或别名（如 达州市大数据中心、市大数据中心），"
                           "列出它的全部问题，与 cdo spotcheck list --unit 相同。",
            "sql": _UNIT_PROBLEMS_SQL,
        },
        "某日的逾期问题": {
            "title": "某日的逾期问题",
            "description": "输入日期（如 2023-12-29、2023/12/29、2023.12.29 或 2023年12月29日），"
                           "列出当天逾期未整改的问题，与 cdo report overdue --as-of 该日 相同。",
            "sql": _OVERDUE_SQL,
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
    # Datasette's own error handler prints a traceback for every error, refused reads
    # included: cdo.web.handle_exception renders the same pages without it
    if pm.get_plugin("datasette.handle_exception") is not None:
        pm.set_blocked("datasette.handle_exception")
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
