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
