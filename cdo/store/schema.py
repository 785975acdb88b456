"""The numbered schema migrations. Never edit or rename one that has shipped;
append a new function instead. Registration order is run order."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlite_utils import Migrations  # noqa: TID253 (imported only by open_db)

if TYPE_CHECKING:
    from sqlite_utils import Database

migrations = Migrations("cdo")


def _run(db: Database, script: str) -> None:
    # Not executescript(): it commits first, which would break the migration's
    # transaction. Comments are dropped; statements contain no ';' inside them.
    lines = [ln for ln in script.splitlines() if not ln.strip().startswith("--")]
    for statement in "\n".join(lines).split(";"):
        if statement.strip():
            db.execute(statement)


@migrations()
def m001_core(db: Database) -> None:
    _run(
        db,
        """
        CREATE TABLE units (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            short TEXT,
            category TEXT NOT NULL
                CHECK (category IN ('region','department','enterprise','institution')),
            created_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX units_short ON units(short) WHERE short IS NOT NULL;

        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            os_user TEXT NOT NULL,
            command TEXT NOT NULL,
            entity TEXT NOT NULL,
            entity_id TEXT,
            action TEXT NOT NULL,
            unit_id INTEGER,
            problem_id INTEGER,
            before TEXT,
            after TEXT,
            reason TEXT
        );
        CREATE INDEX audit_log_unit ON audit_log(unit_id);
        CREATE INDEX audit_log_problem ON audit_log(problem_id);
        CREATE INDEX audit_log_at ON audit_log(at);

        -- A year loaded from a State Council notice (cdo calendar load).
        CREATE TABLE calendar_years (
            year INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            loaded_at TEXT NOT NULL
        );
        -- Every day a loaded notice names; `year` is the notice's year, which may differ
        -- from the date's (the 2023 notice names 2022-12-31).
        CREATE TABLE calendar_days (
            year INTEGER NOT NULL REFERENCES calendar_years(year) ON DELETE CASCADE,
            date TEXT NOT NULL,
            off INTEGER NOT NULL CHECK (off IN (0, 1)),
            name TEXT,
            PRIMARY KEY (year, date)
        );
        -- Local adjustments (office closure, municipal notice); merged on top.
        CREATE TABLE calendar_local (
            date TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('off', 'work')),
            reason TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        """
    )


@migrations()
def m002_roster(db: Database) -> None:
    _run(
        db,
        """
        -- One row per term: a person recommended as a unit's CDO, until the term ends.
        -- The current CDO of a unit is its row with status <> 'ended'.
        CREATE TABLE cdos (
            id INTEGER PRIMARY KEY,
            unit_id INTEGER NOT NULL REFERENCES units(id),
            name TEXT NOT NULL,
            gender TEXT,
            ethnicity TEXT,
            birth_month TEXT,
            native_place TEXT,
            political_status TEXT,
            education TEXT,
            phone TEXT,
            position TEXT,
            resume TEXT,
            skills TEXT,
            work_plan TEXT,
            recommendation TEXT,
            status TEXT NOT NULL DEFAULT 'recommended'
                CHECK (status IN ('recommended','appointed','filed','ended')),
            -- the date on the form (推荐意见 年月日), else the date it was received
            recommended_on TEXT,
            -- the date the office received the form (lateness is judged on it)
            received_on TEXT,
            appointed_on TEXT,
            filed_on TEXT,
            ended_on TEXT,
            end_reason TEXT,
            source_file TEXT,
            source_sheet TEXT,
            form_hash TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX cdos_unit ON cdos(unit_id, status);
        CREATE UNIQUE INDEX cdos_one_current ON cdos(unit_id) WHERE status <> 'ended';

        -- Every recommendation form ever imported, by the hash of what it says:
        -- the same form again changes nothing.
        CREATE TABLE roster_forms (
            hash TEXT PRIMARY KEY,
            cdo_id INTEGER NOT NULL REFERENCES cdos(id),
            unit_id INTEGER NOT NULL REFERENCES units(id),
            source_file TEXT,
            source_sheet TEXT,
            form_date TEXT,
            imported_at TEXT NOT NULL
        );
        CREATE INDEX roster_forms_cdo ON roster_forms(cdo_id);

        CREATE TABLE specialists (
            id INTEGER PRIMARY KEY,
            unit_id INTEGER NOT NULL REFERENCES units(id),
            name TEXT NOT NULL,
            phone TEXT,
            added_on TEXT NOT NULL,
            removed_on TEXT
        );
        CREATE INDEX specialists_unit ON specialists(unit_id);

        CREATE TABLE meetings (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('meeting', 'training')),
            held_on TEXT NOT NULL,
            title TEXT NOT NULL,
            note TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX meetings_held ON meetings(held_on);
        CREATE TABLE attendance (
            meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
            unit_id INTEGER NOT NULL REFERENCES units(id),
            status TEXT NOT NULL CHECK (status IN ('present','absent','excused','deputy')),
            attendee TEXT,
            PRIMARY KEY (meeting_id, unit_id)
        );
        CREATE INDEX attendance_unit ON attendance(unit_id);
        CREATE TABLE duty_reports (
            id INTEGER PRIMARY KEY,
            unit_id INTEGER NOT NULL REFERENCES units(id),
            year INTEGER NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('plan', 'summary')),
            received_on TEXT NOT NULL,
            note TEXT,
            created_at TEXT,
            UNIQUE (unit_id, year, kind)
        );
        """
    )


@migrations()
def m003_problems(db: Database) -> None:
    _run(
        db,
        """
        -- One monthly check (cdo spotcheck new) and the list file it came from.
        CREATE TABLE spotchecks (
            id INTEGER PRIMARY KEY,
            month TEXT NOT NULL,
            issued_on TEXT NOT NULL,
            source_file TEXT,
            file_hash TEXT,
            problems INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL
        );
        CREATE INDEX spotchecks_month ON spotchecks(month);
        CREATE TABLE problems (
            id INTEGER PRIMARY KEY,
            spotcheck_id INTEGER REFERENCES spotchecks(id),
            -- the check month (YYYY-MM); for a problem added alone, its issue month
            month TEXT NOT NULL,
            source TEXT NOT NULL CHECK (source IN ('spotcheck', 'user')),
            unit_id INTEGER NOT NULL REFERENCES units(id),
            -- the data-using unit that reported it (source 'user'): a registered unit,
            -- else its name as given
            reporter_id INTEGER REFERENCES units(id),
            reporter TEXT,
            resource TEXT NOT NULL,
            dimension TEXT NOT NULL
                CHECK (dimension IN ('accuracy','timeliness','completeness','normativity')),
            description TEXT NOT NULL,
            records INTEGER,
            issued_on TEXT NOT NULL,
            -- the deadline in force (the negotiated date once negotiated)
            due_on TEXT NOT NULL,
            -- the deadline the rule gave (30 or 15 working days), kept after negotiation
            original_due_on TEXT NOT NULL,
            provisional INTEGER NOT NULL DEFAULT 0,
            negotiated_until TEXT,
            status TEXT NOT NULL DEFAULT 'open'
                CHECK (status IN ('open','rectified','closed','negotiated')),
            rectified_on TEXT,
            closed_on TEXT,
            -- the first day the problem was late, derived from problem_events and kept
            -- through reopening and negotiation
            first_late_on TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX problems_unit ON problems(unit_id, status);
        CREATE INDEX problems_status_due ON problems(status, due_on);
        CREATE INDEX problems_issued ON problems(issued_on);
        CREATE INDEX problems_month ON problems(month);
        CREATE INDEX problems_rectified ON problems(rectified_on);
        CREATE INDEX problems_spotcheck ON problems(spotcheck_id);

        -- Every transition (done, verify, reopen, negotiate) in the order recorded.
        CREATE TABLE problem_events (
            id INTEGER PRIMARY KEY,
            problem_id INTEGER NOT NULL REFERENCES problems(id),
            action TEXT NOT NULL
                CHECK (action IN ('done', 'verify', 'reopen', 'negotiate')),
            on_date TEXT NOT NULL,
            until_on TEXT,
            note TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX problem_events_problem ON problem_events(problem_id);

        -- Reminders (催办) sent to a unit, and the problems each covered.
        CREATE TABLE reminders (
            id INTEGER PRIMARY KEY,
            unit_id INTEGER NOT NULL REFERENCES units(id),
            sent_on TEXT NOT NULL,
            note TEXT,
            created_at TEXT NOT NULL
        );
        CREATE TABLE reminder_problems (
            reminder_id INTEGER NOT NULL REFERENCES reminders(id) ON DELETE CASCADE,
            problem_id INTEGER NOT NULL REFERENCES problems(id),
            PRIMARY KEY (reminder_id, problem_id)
        );
        CREATE INDEX reminder_problems_problem ON reminder_problems(problem_id);
        """
    )


@migrations()
def m004_scoring(db: Database) -> None:
    _run(
        db,
        """
        CREATE TABLE scores (
            year INTEGER NOT NULL,
            unit_id INTEGER NOT NULL REFERENCES units(id),
            item INTEGER NOT NULL,
            points REAL NOT NULL,
            note TEXT,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (year, unit_id, item)
        ) WITHOUT ROWID;
        -- WITHOUT ROWID: a year's points are read in key order with no table lookups
        -- (the ranking of 2,000 units reads 30,000 of them).
        -- A year is finalized (frozen) while finalized_at is set; reopening clears it.
        CREATE TABLE score_years (
            year INTEGER PRIMARY KEY,
            finalized_at TEXT,
            fingerprint TEXT
        );
        """
    )


@migrations()
def m005_event_dates(db: Database) -> None:
    # reports as of a past date look for events dated after it
    _run(db, "CREATE INDEX IF NOT EXISTS problem_events_on_date ON problem_events(on_date)")


@migrations()
def m006_withdrawals(db: Database) -> None:
    _run(
        db,
        """
        -- A mistaken list withdrawn whole (cdo spotcheck withdraw): its problems are
        -- deleted (the audit log keeps each one), the check stays, marked.
        ALTER TABLE spotchecks ADD COLUMN withdrawn_at TEXT;
        ALTER TABLE spotchecks ADD COLUMN withdraw_reason TEXT;

        -- Every score import (cdo score import) and the points it added or changed, with
        -- what they were before, so that a mistaken one can be withdrawn before finalize.
        CREATE TABLE score_imports (
            id INTEGER PRIMARY KEY,
            year INTEGER NOT NULL,
            source TEXT NOT NULL,
            cells INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            withdrawn_at TEXT,
            withdraw_reason TEXT
        );
        CREATE INDEX score_imports_year ON score_imports(year);
        CREATE TABLE score_import_cells (
            import_id INTEGER NOT NULL REFERENCES score_imports(id),
            unit_id INTEGER NOT NULL REFERENCES units(id),
            item INTEGER NOT NULL,
            -- NULL when the import added the point
            before_points REAL,
            before_note TEXT,
            points REAL NOT NULL,
            PRIMARY KEY (import_id, unit_id, item)
        ) WITHOUT ROWID;
        """
    )


@migrations()
def m007_unit_aliases(db: Database) -> None:
    # More names a unit goes by (人社局, 卫健委) beside its one short name; a name that
    # already names a unit cannot name another (alias_key is the name as matched).
    _run(
        db,
        """
        CREATE TABLE unit_aliases (
            id INTEGER PRIMARY KEY,
            unit_id INTEGER NOT NULL REFERENCES units(id),
            alias TEXT NOT NULL,
            alias_key TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL
        );
        CREATE INDEX unit_aliases_unit ON unit_aliases(unit_id);
        """
    )


# -- m011: the read-only web view (cdo serve) ---------------------------------------------
# The working-day calendar and the 附件2 items as tables (filled by
# calendar_store.refresh_derived), and the Chinese views Datasette shows. The overdue
# SQL takes the as-of day as an expression: the view uses today, the canned query of the
# web view (cdo/web.py) a parameter.

STATUS_CN = ("CASE {c} WHEN 'open' THEN '待整改' WHEN 'rectified' THEN '已整改待核验'"
             " WHEN 'closed' THEN '已销号' WHEN 'negotiated' THEN '协商延期' ELSE {c} END")
DIMENSION_CN = ("CASE {c} WHEN 'accuracy' THEN '准确性' WHEN 'timeliness' THEN '时效性'"
                " WHEN 'completeness' THEN '完整性' WHEN 'normativity' THEN '规范性'"
                " ELSE {c} END")
SOURCE_CN = "CASE {c} WHEN 'spotcheck' THEN '月度抽查' WHEN 'user' THEN '使用单位反馈' ELSE {c} END"
CATEGORY_CN = ("CASE {c} WHEN 'region' THEN '县市区及园区' WHEN 'department' THEN '市级部门'"
               " WHEN 'enterprise' THEN '国有企业' WHEN 'institution' THEN '公共服务机构'"
               " ELSE {c} END")


def _cn(template: str, column: str) -> str:
    return template.format(c=column)


def overdue_sql(day: str, description: str = "p.description") -> str:
    """Problems overdue on `day` (an SQL expression giving YYYY-MM-DD), as `cdo report
    overdue` lists them: problems with events after `day` replayed to how they stood,
    working days overdue from the workdays table, worst unit first. `description`: the
    SQL giving a problem p's description (MASKED_DESCRIPTION since m014)."""
    # the last event of a kind on or before the day, for a problem changed after it
    def last(actions: str, col: str) -> str:
        return (f"(SELECT e.{col} FROM problem_events e WHERE e.problem_id = p.id"
                f" AND e.on_date <= d.day AND e.action IN ({actions})"
                " AND (e.action <> 'negotiate' OR e.until_on IS NOT NULL)"
                " ORDER BY e.id DESC LIMIT 1)")

    any_action = last("'done','verify','reopen','negotiate'", "action")
    replayed_status = (f"COALESCE(CASE {any_action} WHEN 'done' THEN 'rectified'"
                       " WHEN 'verify' THEN 'closed' WHEN 'reopen' THEN 'open'"
                       " WHEN 'negotiate' THEN 'negotiated' END, 'open')")
    negotiated = last("'negotiate'", "until_on")
    done_or_reopen = last("'done','reopen'", "action")
    done_on = last("'done','reopen'", "on_date")
    verify_or_reopen = last("'verify','reopen'", "action")
    verify_on = last("'verify','reopen'", "on_date")
    category = _cn(CATEGORY_CN, "u.category")
    source = _cn(SOURCE_CN, "r.source")
    dimension = _cn(DIMENSION_CN, "r.dimension")
    status = _cn(STATUS_CN, "r.status")
    if description != "p.description":
        description += " AS description"
    return f"""
    WITH d AS (SELECT {day} AS day),
    later AS (SELECT DISTINCT problem_id FROM problem_events, d WHERE on_date > d.day),
    s AS (
        SELECT p.id, p.source, p.unit_id, p.reporter_id, p.reporter, p.resource, p.dimension,
               {description}, p.records, p.issued_on, p.provisional, p.month,
               p.original_due_on, p.negotiated_until,
               l.problem_id IS NOT NULL AS replayed,
               CASE WHEN l.problem_id IS NULL THEN p.status ELSE {replayed_status} END AS status,
               CASE WHEN l.problem_id IS NULL THEN p.due_on
                    ELSE COALESCE({negotiated}, p.original_due_on)
               END AS due_on,
               CASE WHEN l.problem_id IS NULL THEN p.rectified_on
                    WHEN {done_or_reopen} = 'done' THEN {done_on} END AS rectified_on,
               CASE WHEN l.problem_id IS NULL THEN p.closed_on
                    WHEN {verify_or_reopen} = 'verify' THEN {verify_on} END AS closed_on,
               d.day
        FROM problems p CROSS JOIN d LEFT JOIN later l ON l.problem_id = p.id
        WHERE l.problem_id IS NOT NULL
           OR (p.due_on < d.day AND (p.status IN ('open', 'negotiated')
                                     OR p.rectified_on > d.day))
    ),
    o AS (
        SELECT s.*, t.seq - w.seq AS overdue_days
        FROM s JOIN workdays w ON w.date = s.due_on JOIN workdays t ON t.date = s.day
        WHERE s.due_on < s.day AND CASE
            WHEN s.replayed THEN s.status IN ('open', 'negotiated') AND s.issued_on <= s.day
            WHEN s.status IN ('open', 'negotiated') THEN s.issued_on <= s.day
            ELSE s.rectified_on > s.day AND s.status IN ('rectified', 'closed') END
    ),
    r AS (
        SELECT o.*, MAX(overdue_days) OVER (PARTITION BY unit_id) AS worst,
               COUNT(*) OVER (PARTITION BY unit_id) AS many
        FROM o
    )
    SELECT u.name AS 责任单位, r.id AS 问题编号, r.overdue_days AS 逾期工作日,
           r.due_on AS 整改期限, {status} AS 状态, {dimension} AS 问题类型,
           r.resource AS 数据资源名称, r.description AS 问题描述, r.records AS 问题数据量,
           r.issued_on AS 下发日期, CASE WHEN r.provisional THEN '是' ELSE '否' END AS 期限暂定,
           {source} AS 问题来源, COALESCE(ru.name, r.reporter) AS 反馈单位,
           r.month AS 抽查月份, {category} AS 单位类别, r.rectified_on AS 整改日期,
           r.closed_on AS 销号日期, r.day AS 统计日期
    FROM r JOIN units u ON u.id = r.unit_id LEFT JOIN units ru ON ru.id = r.reporter_id
    ORDER BY r.worst DESC, r.many DESC, u.name, r.overdue_days DESC, r.id
    """


def _mask_sql(x: str) -> str:
    """masking.mask_phone on one number (no 、) in SQL: 152****6279, 0818-***3456."""
    local = f"substr({x}, instr({x}, '-') + 1)"

    def stars(n: str) -> str:
        return f"replace(hex(zeroblob({n})), '00', '*')"

    return (f"CASE WHEN instr({x}, '-') > 0 AND length({local}) > 4"
            f" THEN substr({x}, 1, instr({x}, '-')) || {stars(f'length({local}) - 4')}"
            f" || substr({local}, -4)"
            f" WHEN length({x}) <= 7 THEN substr({x}, 1, 1) || {stars(f'length({x}) - 1')}"
            f" ELSE substr({x}, 1, 3) || {stars(f'length({x}) - 7')} || substr({x}, -4) END")


def _unit_problems_sql(description: str) -> str:
    """The 单位问题 view: every problem issued by today, as `cdo spotcheck list` shows it.
    `description`: the SQL giving a problem p's description (MASKED_DESCRIPTION since m014)."""
    category = _cn(CATEGORY_CN, "u.category")
    return f"""
        WITH d AS (SELECT {TODAY} AS day)
        SELECT p.id AS 问题编号, u.name AS 责任单位, {category} AS 单位类别,
               p.month AS 抽查月份, {_cn(SOURCE_CN, 'p.source')} AS 问题来源,
               COALESCE(ru.name, p.reporter) AS 反馈单位, p.resource AS 数据资源名称,
               {_cn(DIMENSION_CN, 'p.dimension')} AS 问题类型, {description} AS 问题描述,
               p.records AS 问题数据量, p.issued_on AS 下发日期, p.due_on AS 整改期限,
               p.original_due_on AS 原整改期限,
               CASE WHEN p.provisional THEN '是' ELSE '否' END AS 期限暂定,
               {_cn(STATUS_CN, 'p.status')} AS 状态, p.rectified_on AS 整改日期,
               p.closed_on AS 销号日期,
               CASE WHEN d.day > p.due_on AND (p.status IN ('open', 'negotiated')
                                               OR p.rectified_on > d.day)
                    THEN (SELECT seq FROM workdays WHERE date = d.day)
                         - (SELECT seq FROM workdays WHERE date = p.due_on) END AS 逾期工作日
        FROM problems p CROSS JOIN d JOIN units u ON u.id = p.unit_id
        LEFT JOIN units ru ON ru.id = p.reporter_id
        WHERE p.issued_on <= d.day
        ORDER BY p.id"""


VIEW_NAMES = ("逾期问题", "单位问题", "整改情况", "评价排名", "名册", "日历", "评价指标")


@migrations()
def m011_web_views(db: Database) -> None:
    category = _cn(CATEGORY_CN, "u.category")
    _run(
        db,
        """
        -- The working-day calendar, one row per day (cdo/store/calendar_store.py rebuilds
        -- it when a notice is loaded or unloaded, a local day set or removed, and on open
        -- when the bundled data or the year has moved on). seq counts working days from
        -- the first row up to and including the day: overdue days = seq(day) - seq(due).
        CREATE TABLE workdays (
            date TEXT PRIMARY KEY,
            workday INTEGER NOT NULL CHECK (workday IN (0, 1)),
            seq INTEGER NOT NULL,
            kind TEXT NOT NULL
                CHECK (kind IN ('workday', 'weekend', 'holiday', 'adjusted_workday')),
            name TEXT,
            year_status TEXT NOT NULL CHECK (year_status IN ('official','loaded','provisional')),
            provisional INTEGER NOT NULL CHECK (provisional IN (0, 1)),
            local INTEGER NOT NULL CHECK (local IN (0, 1)),
            local_reason TEXT
        ) WITHOUT ROWID;
        CREATE TABLE workdays_built (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            fingerprint TEXT NOT NULL,
            built_at TEXT NOT NULL
        );
        -- The items of 附件2 and the part each belongs to (from data/evaluation.json).
        CREATE TABLE eval_items (
            item INTEGER PRIMARY KEY,
            item_max REAL NOT NULL,
            text TEXT NOT NULL,
            part TEXT NOT NULL,
            part_name TEXT NOT NULL,
            part_max REAL NOT NULL,
            part_order INTEGER NOT NULL
        )
        """,
    )
    # Views: Chinese names, columns and values; each is what a CLI report shows.
    db.execute(f"CREATE VIEW 逾期问题 AS {overdue_sql(TODAY)}")
    db.execute(f"CREATE VIEW 单位问题 AS{_unit_problems_sql('p.description')}")
    db.execute(f"""CREATE VIEW 整改情况 AS
        WITH d AS (SELECT {TODAY} AS day),
        f AS (
            SELECT p.unit_id, p.month,
                   p.rectified_on IS NOT NULL AND p.rectified_on <= d.day
                       AND p.status IN ('rectified', 'closed') AS fixed,
                   (p.first_late_on IS NOT NULL AND p.first_late_on <= d.day)
                   OR ((p.status IN ('open', 'negotiated') OR p.rectified_on > d.day)
                       AND d.day > p.due_on) AS ever
            FROM problems p CROSS JOIN d
            WHERE p.issued_on <= d.day AND p.source = 'spotcheck'
        ),
        g AS (
            SELECT unit_id, month, COUNT(*) AS found,
                   SUM(fixed AND NOT ever) AS on_time, SUM(fixed AND ever) AS late,
                   SUM(NOT fixed) AS open, SUM(ever) AS overdue,
                   SUM(NOT fixed AND ever) AS open_late
            FROM f GROUP BY unit_id, month
        )
        SELECT g.month AS 抽查月份, u.name AS 责任单位, {category} AS 单位类别,
               g.found AS 发现问题, g.on_time AS 按期整改, g.late AS 逾期整改,
               g.open AS 尚未整改, g.overdue AS 逾期问题,
               CASE WHEN g.on_time + g.late + g.open_late > 0
                    THEN round(1.0 * g.on_time / (g.on_time + g.late + g.open_late), 4)
               END AS 按期整改率
        FROM g JOIN units u ON u.id = g.unit_id
        ORDER BY g.month DESC, g.overdue DESC, g.open DESC, u.name""")
    parts = ("daily", "coordination", "sharing", "quality", "innovation", "third_party")
    part_names = ("日常履职", "数据统筹", "数据共享开放", "数据质量管理", "数据创新应用", "第三方评估")
    part_cols = ",\n               ".join(
        f"CASE WHEN t.has_{k} THEN t.{k} END AS {name}"
        for k, name in zip(parts, part_names, strict=True))
    part_sums = ",\n                   ".join(
        f"round(SUM(CASE WHEN i.part = '{k}' THEN s.points END), 2) AS {k},"
        f" MAX(i.part = '{k}' AND s.points IS NOT NULL) AS has_{k}" for k in parts)
    db.execute(f"""CREATE VIEW 评价排名 AS
        WITH y AS (SELECT year FROM scores UNION SELECT year FROM score_years),
        m AS (
            SELECT y.year, u.id AS unit_id, group_concat(i.item, '、') AS missing,
                   COUNT(*) AS n_missing
            FROM y CROSS JOIN units u CROSS JOIN (SELECT item FROM eval_items ORDER BY item) i
            WHERE NOT EXISTS (SELECT 1 FROM scores s WHERE s.year = y.year
                              AND s.unit_id = u.id AND s.item = i.item)
            GROUP BY y.year, u.id
        ),
        t AS (
            SELECT y.year, u.id AS unit_id, u.name, u.category,
                   {part_sums},
                   round(COALESCE(SUM(CASE WHEN i.item IS NOT NULL THEN s.points END), 0), 2)
                       AS total
            FROM y CROSS JOIN units u
            LEFT JOIN scores s ON s.year = y.year AND s.unit_id = u.id
            LEFT JOIN eval_items i ON i.item = s.item
            GROUP BY y.year, u.id
        ),
        r AS (
            SELECT t.*, m.missing, m.n_missing, m.unit_id IS NULL AS complete,
                   CASE WHEN m.unit_id IS NULL THEN RANK() OVER (
                       PARTITION BY t.year, m.unit_id IS NULL ORDER BY t.total DESC) END AS rank
            FROM t LEFT JOIN m ON m.year = t.year AND m.unit_id = t.unit_id
        )
        SELECT t.year AS 年度, t.rank AS 名次, t.name AS 单位,
               {_cn(CATEGORY_CN, 't.category')} AS 单位类别,
               {part_cols},
               t.total AS 总分,
               CASE WHEN t.complete THEN '已评完' ELSE '未评完' END AS 是否评完,
               CASE WHEN t.complete THEN NULL
                    WHEN t.n_missing = (SELECT COUNT(*) FROM eval_items)
                    THEN '未评：全部' || t.n_missing || '项'
                    ELSE '未评：第' || t.missing || '项' END AS 未评项目
        FROM r t
        ORDER BY t.year DESC, NOT t.complete, t.rank, t.unit_id""")
    # Phones masked by triggers as they are written, so that the web view never needs to
    # read the phone column itself (its SQLite authorizer refuses that for every query).
    as_json = "'[\"' || replace(replace(replace({x}, '\\', '\\\\'), '\"', '\\\"'), '、', '\",\"') || '\"]'"
    masked = (f"CASE WHEN {{x}} IS NULL OR {{x}} = '' THEN NULL"
              f" WHEN json_valid({as_json}) THEN (SELECT group_concat({_mask_sql('value')}, '、')"
              f" FROM json_each({as_json})) ELSE {_mask_sql('{x}')} END")
    db.execute("""CREATE TABLE masked_phones (
        cdo_id INTEGER PRIMARY KEY REFERENCES cdos(id) ON DELETE CASCADE,
        phone TEXT
    )""")
    for event, when in (("insert", "INSERT"), ("update", "UPDATE OF phone")):
        db.execute(f"""CREATE TRIGGER cdos_mask_{event} AFTER {when} ON cdos BEGIN
            INSERT OR REPLACE INTO masked_phones (cdo_id, phone)
            VALUES (NEW.id, {masked.format(x='NEW.phone')});
        END""")
    db.execute("""CREATE TRIGGER cdos_mask_delete AFTER DELETE ON cdos BEGIN
        DELETE FROM masked_phones WHERE cdo_id = OLD.id;
    END""")
    db.execute(f"INSERT INTO masked_phones (cdo_id, phone)"
               f" SELECT id, {masked.format(x='phone')} FROM cdos")
    db.execute(f"""CREATE VIEW 名册 AS
        SELECT u.name AS 单位, {category} AS 单位类别, c.name AS 首席数据官,
               c.position AS 职务, m.phone AS 联系电话,
               CASE c.status WHEN 'recommended' THEN '已推荐' WHEN 'appointed' THEN '已任命'
                    WHEN 'filed' THEN '已备案' ELSE '未报送' END AS 状态,
               c.recommended_on AS 推荐日期, c.appointed_on AS 任命日期,
               c.filed_on AS 备案日期,
               (SELECT count(*) FROM specialists s
                 WHERE s.unit_id = u.id AND s.removed_on IS NULL) AS 数据专员人数
        FROM units u LEFT JOIN cdos c ON c.unit_id = u.id AND c.status <> 'ended'
        LEFT JOIN masked_phones m ON m.cdo_id = c.id
        ORDER BY CASE u.category WHEN 'region' THEN 1 WHEN 'department' THEN 2
                 WHEN 'enterprise' THEN 3 ELSE 4 END, u.id""")
    db.execute("""CREATE VIEW 日历 AS
        SELECT date AS 日期, substr(date, 1, 4) AS 年份, substr(date, 1, 7) AS 月份,
               CASE strftime('%w', date) WHEN '0' THEN '星期日' WHEN '1' THEN '星期一'
                    WHEN '2' THEN '星期二' WHEN '3' THEN '星期三' WHEN '4' THEN '星期四'
                    WHEN '5' THEN '星期五' ELSE '星期六' END AS 星期,
               CASE workday WHEN 1 THEN '工作日' ELSE '休息日' END AS 是否工作日,
               CASE kind WHEN 'workday' THEN '工作日' WHEN 'weekend' THEN '周末'
                    WHEN 'holiday' THEN '节假日' ELSE '调休上班' END AS 类型,
               name AS 节日, seq AS 工作日序号,
               CASE year_status WHEN 'official' THEN '国务院通知（自带）'
                    WHEN 'loaded' THEN '国务院通知（已载入）' ELSE '暂定' END AS 依据,
               CASE provisional WHEN 1 THEN '是' ELSE '否' END AS 暂定,
               -- a flag, not the clerk's reason (the web view does not serve that)
               CASE WHEN local = 1 AND workday = 1 THEN '本地调整为工作日'
                    WHEN local = 1 THEN '本地调整为休息日' END AS 本地调整
        FROM workdays ORDER BY date""")
    db.execute("""CREATE VIEW 评价指标 AS
        SELECT part_order AS 部分序号, part_name AS 评价部分, part_max AS 部分满分,
               item AS 项目序号, item_max AS 项目满分, text AS 评价内容
        FROM eval_items ORDER BY part_order, item""")
    # source_file keeps the file's name only (a local path says nothing to anyone else)
    base = "replace(source_file, rtrim(source_file, replace(replace(source_file, '/', ''),"\
           " char(92), '')), '')"
    for table in ("cdos", "roster_forms", "spotchecks"):
        db.execute(f"UPDATE {table} SET source_file = {base} WHERE source_file IS NOT NULL")


TODAY = "date('now', 'localtime')"


@migrations()
def m012_evidence(db: Database) -> None:
    # The evidence behind the 附件2 items that records can support (issue 9).
    _run(
        db,
        """
        -- A unit's data resource catalogue (一本账) as submitted; the latest received is current.
        CREATE TABLE catalog_versions (
            id INTEGER PRIMARY KEY,
            unit_id INTEGER NOT NULL REFERENCES units(id),
            received_on TEXT NOT NULL,
            source_file TEXT,
            entries INTEGER NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX catalog_versions_unit ON catalog_versions(unit_id, received_on);
        CREATE TABLE catalog_entries (
            id INTEGER PRIMARY KEY,
            version_id INTEGER NOT NULL REFERENCES catalog_versions(id),
            name TEXT NOT NULL,
            name_key TEXT NOT NULL,
            system TEXT,
            fields INTEGER,
            volume INTEGER,
            frequency TEXT,
            share TEXT CHECK (share IN ('unconditional', 'conditional', 'none')),
            open TEXT CHECK (open IN ('unconditional', 'conditional', 'none')),
            dictionary INTEGER CHECK (dictionary IN (0, 1)),
            grade TEXT CHECK (grade IN ('general', 'important', 'core')),
            row INTEGER
        );
        CREATE INDEX catalog_entries_version ON catalog_entries(version_id, name_key);

        -- A unit's list of information systems (自建/条线), versioned like the catalogue.
        CREATE TABLE system_lists (
            id INTEGER PRIMARY KEY,
            unit_id INTEGER NOT NULL REFERENCES units(id),
            received_on TEXT NOT NULL,
            source_file TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX system_lists_unit ON system_lists(unit_id, received_on);
        CREATE TABLE systems (
            id INTEGER PRIMARY KEY,
            list_id INTEGER NOT NULL REFERENCES system_lists(id),
            name TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('self', 'line')),
            connected INTEGER NOT NULL CHECK (connected IN (0, 1)),
            connected_on TEXT,
            row INTEGER
        );
        CREATE INDEX systems_list ON systems(list_id);

        -- Task lists the office issues: sharing duties, data return, county open plans.
        CREATE TABLE evidence_tasks (
            id INTEGER PRIMARY KEY,
            list TEXT NOT NULL CHECK (list IN ('share', 'return', 'open-plan')),
            unit_id INTEGER NOT NULL REFERENCES units(id),
            content TEXT NOT NULL,
            content_key TEXT NOT NULL,
            due_on TEXT NOT NULL,
            done_on TEXT,
            source_file TEXT,
            created_at TEXT NOT NULL,
            UNIQUE (list, unit_id, content_key)
        );
        CREATE INDEX evidence_tasks_due ON evidence_tasks(due_on);

        -- Application demonstrations and authorised-operation / trading explorations.
        CREATE TABLE projects (
            id INTEGER PRIMARY KEY,
            unit_id INTEGER NOT NULL REFERENCES units(id),
            name TEXT NOT NULL,
            name_key TEXT NOT NULL,
            kind TEXT NOT NULL
                CHECK (kind IN ('application', 'operation', 'trading', 'exploration')),
            stage TEXT NOT NULL CHECK (stage IN ('approved', 'building', 'running')),
            approved_on TEXT,
            online_on TEXT,
            typical INTEGER NOT NULL DEFAULT 0 CHECK (typical IN (0, 1)),
            note TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (unit_id, name_key)
        );

        -- Quality measurements of each monthly spot-check: records checked, nulls, wrongs.
        CREATE TABLE quality_checks (
            id INTEGER PRIMARY KEY,
            month TEXT NOT NULL,
            unit_id INTEGER NOT NULL REFERENCES units(id),
            resource TEXT,
            checked INTEGER NOT NULL CHECK (checked > 0),
            nulls INTEGER NOT NULL CHECK (nulls >= 0),
            wrong INTEGER NOT NULL CHECK (wrong >= 0),
            source_file TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX quality_checks_month ON quality_checks(month, unit_id);
        """
    )


# Values only another program can write into the texts the long listings show: a NUL
# inside a text (SQLite's printf stops there), a BLOB, or a problem's records that is not
# a whole number >= 0. cdo/output.py has SQLite join each CSV line with printf and each
# JSON value with json_quote, which is exact for everything else; while odd_values holds
# a row, the listings check every row and have the odd ones written the slower, exact way.
_ODD_TEXT = "(typeof({0}) = 'blob' OR instr({0}, char(0)))"
_ODD_COUNT = "(typeof({0}) IN ('real', 'blob') OR {0} < 0 OR instr({0}, char(0)))"
_ODD_COLUMNS = {
    "problems": {"reporter": _ODD_TEXT, "resource": _ODD_TEXT, "description": _ODD_TEXT,
                 "records": _ODD_COUNT, "issued_on": _ODD_TEXT, "due_on": _ODD_TEXT,
                 "original_due_on": _ODD_TEXT, "rectified_on": _ODD_TEXT,
                 "closed_on": _ODD_TEXT},
    "units": {"name": _ODD_TEXT},
    "problem_events": {"on_date": _ODD_TEXT, "until_on": _ODD_TEXT},
}


@migrations()
def m013_odd_values(db: Database) -> None:
    db.execute("CREATE TABLE odd_values (tbl TEXT NOT NULL, row_id INTEGER NOT NULL,"
               " PRIMARY KEY (tbl, row_id)) WITHOUT ROWID")
    for table, columns in _ODD_COLUMNS.items():
        def odd(row: str, columns=columns) -> str:
            return " OR ".join(form.format(f"{row}.{c}") for c, form in columns.items())

        flag = f"INSERT OR IGNORE INTO odd_values VALUES ('{table}', NEW.id)"
        db.execute(f"CREATE TRIGGER {table}_odd_insert AFTER INSERT ON {table}"
                   f" WHEN {odd('NEW')} BEGIN {flag}; END")
        db.execute(f"CREATE TRIGGER {table}_odd_update AFTER UPDATE ON {table}"
                   f" WHEN {odd('NEW')} BEGIN {flag}; END")
        db.execute(f"INSERT INTO odd_values SELECT '{table}', t.id FROM {table} t"
                   f" WHERE {odd('t')}")

# A problem's description as the web view serves it: phone numbers masked, as the CLI
# masks them (cdo.masking.mask_numbers), from masked_descriptions.
MASKED_DESCRIPTION = ("(SELECT m.description FROM masked_descriptions m"
                      " WHERE m.problem_id = p.id)")
_DIGITS = "0123456789０１２３４５６７８９"


def rough_mask_sql(x: str) -> str:
    """Every digit of the text `x` starred, in SQL (no regular expressions there): the mask
    of a description another program writes, until cdo masks it exactly."""
    for digit in _DIGITS:
        x = f"replace({x}, '{digit}', '*')"
    return x


# 1 when the description has nothing mask_numbers changes (no digit, no full-width + or -;
# GLOB stops at a NUL): its rough mask is then exact, and cdo need not redo it.
_NO_DIGITS = ("(typeof(NEW.description) = 'text' AND instr(NEW.description, char(0)) = 0"
              " AND NEW.description NOT GLOB '*[0-9０-９＋－]*')")


@migrations()
def m014_masked_descriptions(db: Database) -> None:
    # Each problem's description with its phone numbers masked, kept as it is written, for
    # the web view: its authorizer refuses problems.description to every query, and the
    # views read this instead. A trigger writes a rough mask (every digit starred: SQLite
    # has no regular expressions) and marks it rough if it has a digit; on a cdo connection a temporary
    # trigger (cdo/store/db.py, exact_masks) masks it at once exactly as the CLI does.
    # What another program writes stays rough until the next cdo command (remask).
    _run(
        db,
        """
        CREATE TABLE masked_descriptions (
            problem_id INTEGER PRIMARY KEY REFERENCES problems(id) ON DELETE CASCADE,
            description TEXT,
            exact INTEGER NOT NULL CHECK (exact IN (0, 1))
        );
        CREATE INDEX masked_descriptions_rough ON masked_descriptions(problem_id)
            WHERE exact = 0
        """,
    )
    for event, when in (("insert", "INSERT"), ("update", "UPDATE OF description")):
        db.execute(f"""CREATE TRIGGER problems_mask_{event} AFTER {when} ON problems BEGIN
            INSERT OR REPLACE INTO masked_descriptions (problem_id, description, exact)
            VALUES (NEW.id, {rough_mask_sql('NEW.description')}, {_NO_DIGITS});
        END""")
    db.execute("""CREATE TRIGGER problems_mask_delete AFTER DELETE ON problems BEGIN
        DELETE FROM masked_descriptions WHERE problem_id = OLD.id;
    END""")
    from cdo.masking import mask_sql_value

    db.conn.create_function("cdo_mask_text", 1, mask_sql_value, deterministic=True)
    db.execute("INSERT INTO masked_descriptions (problem_id, description, exact)"
               " SELECT id, cdo_mask_text(CAST(description AS BLOB)), 1 FROM problems")
    db.execute("DROP VIEW 逾期问题")
    db.execute(f"CREATE VIEW 逾期问题 AS {overdue_sql(TODAY, MASKED_DESCRIPTION)}")
    db.execute("DROP VIEW 单位问题")
    db.execute(f"CREATE VIEW 单位问题 AS{_unit_problems_sql(MASKED_DESCRIPTION)}")
