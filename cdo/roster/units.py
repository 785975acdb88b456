"""Units (参与单位): the bodies that each have a Chief Data Officer.

Every other capability names a unit by full name, by name without the city prefix
(达州市), or by short name; `UnitIndex` resolves them all in one pass.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cdo.dates import timestamp
from cdo.errors import CdoError, InvalidInputError, NotFoundError
from cdo.sheets.text import clean_text, has_controls, has_symbols, normalize_label
from cdo.store import audit

if TYPE_CHECKING:
    from cdo.store.db import Database

CITY_PREFIX = "达州市"
MAX_UNIT_ROWS = 100_000  # a unit list: a few hundred units; bulk tests load 50,000

CATEGORIES = ("region", "department", "enterprise", "institution")
CATEGORY_NAMES = {
    "region": "县市区及园区",
    "department": "市级部门",
    "enterprise": "国有企业",
    "institution": "公共服务机构",
}
_CATEGORY_ALIASES = {
    "region": ["region", "县市区", "县（市、区）", "县市区及园区", "地区", "区县", "县区", "园区",
               "开发区", "县市区、高新区、经开区", "高新区", "经开区", "新区", "高新技术产业开发区",
               "经济技术开发区", "经济开发区", "工业园区", "产业园区"],
    "department": ["department", "市级部门", "部门", "市级部门（单位）", "部门（单位）"],
    "enterprise": ["enterprise", "国有企业", "国企", "企业", "市属国有企业"],
    "institution": ["institution", "公共服务机构", "事业单位", "学校、医院、社会组织等公共服务机构",
                    "学校", "医院", "社会组织", "机构"],
}
_CATEGORY_LOOKUP = {
    normalize_label(alias): key for key, aliases in _CATEGORY_ALIASES.items() for alias in aliases
}


# A zone is scoped with the counties (PRODUCT.md: region = 县市区、高新区、经开区): any
# category written as one (达州高新区, 某某经济开发区, 某某产业园区) is a region.
_ZONE_ENDINGS = ("园区", "开发区", "高新区", "经开区")


def parse_category(text: str) -> str:
    """The category key for an English or Chinese category name; raises InvalidInputError."""
    label = normalize_label(text)
    key = _CATEGORY_LOOKUP.get(label)
    if key is None and label.endswith(_ZONE_ENDINGS):
        key = "region"
    if key is None:
        said = "、".join(f"{CATEGORY_NAMES[k]}（{k}）" for k in CATEGORIES)
        raise InvalidInputError(f"单位类别不认识：{text!r}。可用：{said}"
                                "（高新区、经开区等园区记为县市区及园区）")
    return key


def strip_city(name: str) -> str:
    n = name.strip()
    return n[len(CITY_PREFIX):] if n.startswith(CITY_PREFIX) and len(n) > len(CITY_PREFIX) else n


def _key(text: str) -> str:
    return normalize_label(text)


_BRACKETED = re.compile(r"[（(][^）)]*[）)]")
_PREFIXES = ("四川省", "达州市", "达州", "市")


def _core(text: str) -> str:
    """A name as loosely written: no bracketed note (（本级）), no 四川省/达州市/达州/市
    in front — 市国资委, 国资委 and 达州市国资委 all give 国资委."""
    s = _key(_BRACKETED.sub("", unicodedata.normalize("NFKC", text)))
    stripped = True
    while stripped:  # both sides lose every such prefix, so they still meet
        stripped = False
        for prefix in _PREFIXES:
            if s.startswith(prefix) and len(s) > len(prefix):
                s, stripped = s[len(prefix):], True
    return s


@dataclass(frozen=True)
class Unit:
    id: int
    name: str
    short: str | None
    category: str
    aliases: tuple[str, ...] = ()  # more names it goes by (cdo units alias)

    @property
    def other_names(self) -> tuple[str, ...]:
        """The short name and the aliases: every name besides the full one."""
        return tuple(n for n in (self.short or "", *self.aliases) if n)


class UnitIndex:
    """All units, resolvable by full name, name without 达州市, short name or alias."""

    def __init__(self, units: Iterable[Unit]):
        self.units = list(units)
        self.by_id = {u.id: u for u in self.units}
        self._exact: dict[str, Unit] = {}
        self._loose: dict[str, list[Unit]] = {}
        for u in self.units:
            self._exact[_key(u.name)] = u
        self._cores: dict[str, list[Unit]] = {}
        for u in self.units:
            for alias in {strip_city(u.name), *u.other_names}:
                if alias:
                    bucket = self._loose.setdefault(_key(alias), [])
                    if u not in bucket:
                        bucket.append(u)
            for alias in {u.name, *u.other_names}:
                if alias:
                    bucket = self._cores.setdefault(_core(alias), [])
                    if u not in bucket:
                        bucket.append(u)

    @classmethod
    def load(cls, db: Database) -> UnitIndex:
        aliases: dict[int, list[str]] = {}
        for uid, alias in db.execute("SELECT unit_id, alias FROM unit_aliases ORDER BY id"):
            aliases.setdefault(uid, []).append(alias)
        return cls(
            Unit(r["id"], r["name"], r["short"], r["category"], tuple(aliases.get(r["id"], ())))
            for r in db.query("SELECT id, name, short, category FROM units ORDER BY id")
        )

    def candidates(self, text: str) -> list[Unit]:
        """Every unit `text` could name (a full name, with or without 达州市, wins outright)."""
        k = _key(text)
        if not k:
            return []
        bare = strip_city(text)
        for full in (k, _key(CITY_PREFIX + bare)):
            if full in self._exact:
                return [self._exact[full]]
        found = self._loose.get(k) or self._loose.get(_key(bare))
        if found:
            return list(found)
        # Loosely written: 四川省达州市公安局, 市公安局（本级）, 国资委, 高新区.
        return list(self._cores.get(_core(text), []))

    def resolve(self, text: str) -> Unit:
        """The one unit `text` names; raises NotFoundError (none) or InvalidInputError (several)."""
        found = self.candidates(text)
        if not found:
            raise NotFoundError(f"没有这个单位：{text.strip()!r}（可用 cdo units list 查看全部单位）")
        if len(found) > 1:
            names = "、".join(u.name for u in found)
            raise InvalidInputError(f"单位名称 {text.strip()!r} 不唯一，可能是：{names}，请写全称")
        return found[0]


class RowUnits:
    """The unit each row of an imported list names, resolved once per spelling; a bad
    name is worded for the row's reasons (InvalidInputError naming the column)."""

    def __init__(self, db: Database):
        self.index = UnitIndex.load(db)
        self.seen: dict[str, Unit] = {}

    def resolve(self, text: str, label: str = "责任单位") -> Unit:
        if not text:
            raise InvalidInputError(f"{label}为空")
        if text in self.seen:
            return self.seen[text]
        try:
            unit = self.index.resolve(text)
        except CdoError:
            cands = self.index.candidates(text)
            if len(cands) > 1:
                raise InvalidInputError(f"{label}“{text}”不唯一（可能是 "
                                        f"{'、'.join(u.name for u in cands)}），请写全称") from None
            raise InvalidInputError(f"{label}“{text}”不在单位名单中") from None
        self.seen[text] = unit
        return unit


def resolve_unit(db: Database, text: str) -> Unit:
    """The unit named by `text` (full name, without 达州市, short name or alias)."""
    return UnitIndex.load(db).resolve(text)


def add_alias(db: Database, unit_text: str, alias: str) -> tuple[Unit, bool]:
    """Let `alias` name the unit `unit_text` names; returns (unit, whether it was added).

    Refuses (InvalidInputError) an alias that already names, or loosely fits, another
    unit, and one that is the unit's own name or short name. The same alias twice is no
    change (False)."""
    from cdo.store.db import transaction

    alias = clean_text(alias)
    if not alias:
        raise InvalidInputError("别名不能为空")
    if has_symbols(alias):
        raise InvalidInputError(f"别名含有表情或特殊符号：{alias!r}")
    if len(alias) > 100:
        raise InvalidInputError(f"别名过长（{len(alias)} 字），请核对")
    with transaction(db):
        index = UnitIndex.load(db)
        unit = index.resolve(unit_text)
        if any(_key(a) == _key(alias) for a in unit.aliases):
            return unit, False
        if _key(alias) in {_key(unit.name), _key(strip_city(unit.name)), _key(unit.short or "")}:
            raise InvalidInputError(f"“{alias}”是{unit.name}的全称或简称，不必再设为别名")
        others = [u for u in index.candidates(alias) if u.id != unit.id]
        # a name that is part of another unit's name would fit that unit too (a form's
        # 工作单位及职务 is matched by the names it contains)
        others += [u for u in index.units if u.id != unit.id and u not in others and any(
            _key(alias) in _key(n) for n in (u.name, *u.other_names))]
        if len(_key(alias)) < 2:
            raise InvalidInputError(f"别名“{alias}”太短，至少两个字")
        if others:
            names = "、".join(u.name for u in others)
            raise InvalidInputError(
                f"别名“{alias}”已经指向{names}，不能再用作{unit.name}的别名（一个名称只能指一个单位）")
        row = db.execute("SELECT unit_id FROM unit_aliases WHERE alias_key = ?",
                         [_key(alias)]).fetchone()
        if row:  # written differently, matched the same (spaces, full-width letters)
            other = index.by_id[row[0]].name
            raise InvalidInputError(f"别名“{alias}”已是{other}的别名")
        aid = db.execute(
            "INSERT INTO unit_aliases (unit_id, alias, alias_key, created_at) VALUES (?,?,?,?)",
            [unit.id, alias, _key(alias), timestamp()]).lastrowid
        audit.record(db, "unit_alias", aid, "add", None, {"unit": unit.name, "alias": alias},
                     unit_id=unit.id)
    return unit, True


def remove_alias(db: Database, unit_text: str, alias: str) -> Unit:
    """Stop `alias` naming the unit; raises NotFoundError when it is not one of its aliases."""
    from cdo.store.db import transaction

    with transaction(db):
        unit = UnitIndex.load(db).resolve(unit_text)
        row = db.execute("SELECT id, alias FROM unit_aliases WHERE unit_id = ? AND alias_key = ?",
                         [unit.id, _key(clean_text(alias))]).fetchone()
        if row is None:
            have = "、".join(unit.aliases) or "没有别名"
            raise NotFoundError(f"“{alias.strip()}”不是{unit.name}的别名（现有：{have}）")
        db.execute("DELETE FROM unit_aliases WHERE id = ?", [row[0]])
        audit.record(db, "unit_alias", row[0], "remove", {"unit": unit.name, "alias": row[1]},
                     None, unit_id=unit.id)
    return unit


def list_aliases(db: Database, unit_text: str | None = None) -> list[dict]:
    """Rows {unit, short, alias}: every alias (of one unit), in unit order."""
    sql = ("SELECT u.name AS unit, u.short, a.alias FROM unit_aliases a"
           " JOIN units u ON u.id = a.unit_id")
    args: list[int] = []
    if unit_text:
        sql += " WHERE a.unit_id = ?"
        args.append(resolve_unit(db, unit_text).id)
    return list(db.query(sql + " ORDER BY u.id, a.id", args))


def add_unit(db: Database, name: str, category: str, short: str | None = None) -> Unit:
    """Register one unit; raises InvalidInputError if the name or short name is taken."""
    from cdo.store.db import transaction

    if has_controls(name) or has_controls(short):
        raise InvalidInputError("单位名称或简称含有控制字符（如终端转义序列），请删去后再输入")
    name, short = clean_text(name), clean_text(short) or None
    if not name:
        raise InvalidInputError("单位名称不能为空")
    for text in (name, short or ""):
        if has_symbols(text):
            raise InvalidInputError(f"单位名称或简称含有表情或特殊符号：{text!r}")
    if len(name) > 200:
        raise InvalidInputError(f"单位名称过长（{len(name)} 字），请核对")
    cat = parse_category(category)
    with transaction(db):  # decided under the write lock: a colleague may add it meanwhile
        index = UnitIndex.load(db)
        if _key(name) in index._exact:
            raise InvalidInputError(f"单位已存在：{name}")
        if index.candidates(name):
            other = index.candidates(name)[0].name
            raise InvalidInputError(
                f"“{name}”就是已登记的“{other}”（简称或省略写法）；如确是另一个单位，请写全称"
            )
        if short and index.candidates(short):
            raise InvalidInputError(f"简称 {short!r} 已被 {index.candidates(short)[0].name} 使用")
        cur = db.execute(
            "INSERT INTO units (name, short, category, created_at) VALUES (?,?,?,?)",
            [name, short, cat, timestamp()],
        )
        uid = int(cur.lastrowid or 0)
        after = {"name": name, "short": short, "category": cat}
        audit.record(db, "unit", uid, "add", None, after, unit_id=uid)
    return Unit(uid, name, short, cat)


UNIT_FIELDS = {
    "name": ["单位名称", "单位", "名称", "单位全称", "name", "unit"],
    "short": ["简称", "单位简称", "short", "short_name"],
    "category": ["类别", "单位类别", "类型", "分类", "category", "type"],
}


@dataclass
class ImportResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    hidden: list[str] = field(default_factory=list)  # hidden sheets passed over


def read_units_file(path, hidden: list[str] | None = None) -> list[tuple[str, int, dict]]:
    """(sheet, row number, {name, short, category}) for every unit row of a file's visible
    sheets (a hidden one, an old list, is named in `hidden` when given); a 合计 or 注 line
    under the list is no unit."""
    from pathlib import Path

    from cdo.errors import FileReadError
    from cdo.sheets.read import find_header, iter_records, read_table, sheet_place
    from cdo.sheets.rows import _is_footer

    path = Path(path)
    records = []
    found_header = False
    sheets = read_table(path, max_rows=MAX_UNIT_ROWS)
    if hidden is not None:
        hidden += sheets.hidden
    for sheet in sheets:
        header = find_header(sheet.rows, UNIT_FIELDS, ["name", "category"],
                             where=sheet_place(path, sheet.name))
        if header is None:
            continue
        found_header = True
        for rownum, rec in iter_records(sheet.rows, header):
            whole = {str(c): v for c, v in enumerate(sheet.rows[rownum - 1])}
            # 合计 | 8个单位, the label in any column; 合　计 | 市级部门: no unit is called 合计
            if _is_footer(whole, name=rec.get("name")):
                continue
            records.append(
                (sheet.name, rownum, {**{k: clean_text(rec.get(k)) for k in UNIT_FIELDS},
                                      "controls": any(has_controls(rec.get(k))
                                                      for k in ("name", "short"))})
            )
    if not found_header:
        raise FileReadError(
            f"{path}：找不到表头。需要“单位名称”和“类别”两列（可选“简称”），或英文 name、category、short"
        )
    return records


def import_units(db: Database, path) -> ImportResult:
    """Add or update the units listed in an .xlsx/.csv file, all or nothing.

    A row naming an existing unit updates its short name and category if they differ;
    the same file twice changes nothing. Raises RowErrors naming every bad row.
    """
    from pathlib import Path

    from cdo.errors import FileReadError
    from cdo.store.db import transaction

    path = Path(path)
    hidden: list[str] = []
    records = read_units_file(path, hidden)
    if not records:
        # e.g. a header only, or formulas saved without their values: never "0 added, OK"
        raise FileReadError(
            f"{path}：表头下面没有任何单位（如单元格是公式，请在 Excel 中另存后再导入）"
        )
    plan = _import_plan(db, path, records)
    if all(not _changes(p) for p in plan):
        return ImportResult(unchanged=len(plan), hidden=hidden)
    from cdo.store.backup import auto_backup

    auto_backup(db)  # a bulk import that changes something: copy the database first
    now = timestamp()
    audits: list[dict] = []
    with transaction(db):
        # decided again under the write lock: a colleague's import may have landed since
        plan = _import_plan(db, path, records)
        result = ImportResult(unchanged=sum(not _changes(p) for p in plan), hidden=hidden)
        for old, name, short, cat in filter(_changes, plan):
            after = {"name": old.name if old else name, "short": short, "category": cat}
            if old is None:
                cur = db.execute(
                    "INSERT INTO units (name, short, category, created_at) VALUES (?,?,?,?)",
                    [name, short, cat, now],
                )
                audits.append({"entity": "unit", "entity_id": cur.lastrowid, "action": "import",
                               "after": after, "unit_id": cur.lastrowid})
                result.added += 1
            else:
                db.execute("UPDATE units SET short = ?, category = ? WHERE id = ?",
                           [short, cat, old.id])
                before = {"name": old.name, "short": old.short, "category": old.category}
                audits.append({"entity": "unit", "entity_id": old.id, "action": "update",
                               "before": before, "after": after, "unit_id": old.id})
                result.updated += 1
        audit.record_many(db, audits)
    return result


_Planned = tuple[Unit | None, str, str | None, str]  # (old, name, short, category)


def _changes(planned: _Planned) -> bool:
    old, _, short, cat = planned
    return old is None or (old.short, old.category) != (short, cat)


def _import_plan(db: Database, path, records: list[tuple[str, int, dict]]) -> list[_Planned]:
    """What importing `records` (read from `path`) does to the units now on record: one
    (old unit or None, name, short, category) a row. Raises RowErrors naming every bad row."""
    from cdo.errors import CdoError, RowErrors

    index = UnitIndex.load(db)
    short_owner: dict[str, str] = {}  # short names claimed by rows of this file
    in_file = "CSV 文件" if path.suffix.lower() in (".csv", ".txt") else None
    errors: list[str] = []
    seen: dict[str, int] = {}
    plan: list[_Planned] = []
    for sheet, rownum, rec in records:
        where = f"{path.name}，第 {rownum} 行" if in_file else \
            f"{path.name}，工作表“{sheet}”，第 {rownum} 行"
        name = rec["name"]
        if not name:
            errors.append(f"{where}：单位名称为空")
            continue
        if len(name) > 200:
            errors.append(f"{where}：单位名称过长（{len(name)} 字）")
            continue
        if has_symbols(name + rec["short"]):
            errors.append(f"{where}：单位名称或简称含有表情或特殊符号")
        if rec.get("controls"):
            errors.append(f"{where}：单位名称或简称含有控制字符（如终端转义序列），请删去后再导入")
            continue
        try:
            cat = parse_category(rec["category"]) if rec["category"] else None
        except CdoError as e:
            errors.append(f"{where}：{e}")
            continue
        if cat is None:
            errors.append(f"{where}：“{name}”没有填写类别")
            continue
        if _key(name) in seen:
            errors.append(f"{where}：“{name}”与第 {seen[_key(name)]} 行重复")
            continue
        seen[_key(name)] = rownum
        old = index._exact.get(_key(name))
        if old is None and index.candidates(name):
            other = index.candidates(name)[0].name
            errors.append(f"{where}：“{name}”就是已登记的“{other}”（简称或省略写法），"
                          "请写全称，或核对是否为另一个单位")
            continue
        # A blank short name leaves the one on record alone.
        short = rec["short"] or (old.short if old else None)
        if short:
            # a short name must not name another unit, already or earlier in this file
            owners = {u.name for u in index.candidates(short)} | (
                {short_owner[_key(short)]} if _key(short) in short_owner else set())
            owners.discard(old.name if old else name)
            if owners:
                errors.append(f"{where}：简称“{short}”已被“{sorted(owners)[0]}”使用")
                continue
            short_owner[_key(short)] = old.name if old else name
        plan.append((old, name, short, cat))
    if errors:
        raise RowErrors(f"{path.name}：有 {len(errors)} 行有误，整个文件没有导入：", errors)
    return plan


def list_units(db: Database, category: str | None = None) -> list[dict]:
    """Rows {name, short, category} in category order, then name."""
    order = "CASE category WHEN 'region' THEN 0 WHEN 'department' THEN 1 " \
            "WHEN 'enterprise' THEN 2 ELSE 3 END, id"
    if category:
        rows = db.query(f"SELECT name, short, category FROM units WHERE category = ? "
                        f"ORDER BY {order}", [parse_category(category)])
    else:
        rows = db.query(f"SELECT name, short, category FROM units ORDER BY {order}")
    return list(rows)


def load_demo(db: Database) -> str:
    """Demo step: the bundled Dazhou units."""
    from cdo.paths import data_dir

    result = import_units(db, data_dir() / "units.csv")
    return (
        f"单位：导入达州市参与单位 {result.added} 个"
        "（县市区及园区、市级部门、国有企业、公共服务机构）"
    )
