"""Units (参与单位): the bodies that each have a Chief Data Officer.

Every other capability names a unit by full name, by name without the city prefix
(达州市), or by short name; `UnitIndex` resolves them all in one pass.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cdo import audit
from cdo.errors import InvalidInputError, NotFoundError
from cdo.spreadsheets import normalize_label

if TYPE_CHECKING:
    from sqlite_utils import Database

CITY_PREFIX = "达州市"

CATEGORIES = ("region", "department", "enterprise", "institution")
CATEGORY_NAMES = {
    "region": "县市区及园区",
    "department": "市级部门",
    "enterprise": "国有企业",
    "institution": "公共服务机构",
}
_CATEGORY_ALIASES = {
    "region": ["region", "县市区", "县（市、区）", "县市区及园区", "地区", "区县", "县区", "园区",
               "开发区", "县市区、高新区、经开区"],
    "department": ["department", "市级部门", "部门", "市级部门（单位）", "部门（单位）"],
    "enterprise": ["enterprise", "国有企业", "国企", "企业", "市属国有企业"],
    "institution": ["institution", "公共服务机构", "事业单位", "学校、医院、社会组织等公共服务机构",
                    "学校", "医院", "社会组织", "机构"],
}
_CATEGORY_LOOKUP = {
    normalize_label(alias): key for key, aliases in _CATEGORY_ALIASES.items() for alias in aliases
}


def parse_category(text: str) -> str:
    """The category key for an English or Chinese category name; raises InvalidInputError."""
    key = _CATEGORY_LOOKUP.get(normalize_label(text))
    if key is None:
        raise InvalidInputError(
            f"单位类别不认识：{text!r}。可用：县市区（region）、市级部门（department）、"
            "国有企业（enterprise）、公共服务机构（institution）"
        )
    return key


def strip_city(name: str) -> str:
    n = name.strip()
    return n[len(CITY_PREFIX):] if n.startswith(CITY_PREFIX) and len(n) > len(CITY_PREFIX) else n


def _key(text: str) -> str:
    return normalize_label(text)


@dataclass(frozen=True)
class Unit:
    id: int
    name: str
    short: str | None
    category: str


class UnitIndex:
    """All units, resolvable by full name, name without 达州市, or short name."""

    def __init__(self, units: Iterable[Unit]):
        self.units = list(units)
        self.by_id = {u.id: u for u in self.units}
        self._exact: dict[str, Unit] = {}
        self._loose: dict[str, list[Unit]] = {}
        for u in self.units:
            self._exact[_key(u.name)] = u
        for u in self.units:
            for alias in {strip_city(u.name), u.short or ""}:
                if alias:
                    bucket = self._loose.setdefault(_key(alias), [])
                    if u not in bucket:
                        bucket.append(u)

    @classmethod
    def load(cls, db: Database) -> UnitIndex:
        return cls(
            Unit(r["id"], r["name"], r["short"], r["category"])
            for r in db.query("SELECT id, name, short, category FROM units ORDER BY id")
        )

    def candidates(self, text: str) -> list[Unit]:
        """Every unit `text` could name (exact full name wins outright)."""
        k = _key(text)
        if not k:
            return []
        if k in self._exact:
            return [self._exact[k]]
        k2 = _key(strip_city(text))
        return list(self._loose.get(k, []) or self._loose.get(k2, []) or
                    ([self._exact[_key(CITY_PREFIX + text)]]
                     if _key(CITY_PREFIX + text) in self._exact else []))

    def resolve(self, text: str) -> Unit:
        """The one unit `text` names; raises NotFoundError (none) or InvalidInputError (several)."""
        found = self.candidates(text)
        if not found:
            raise NotFoundError(f"没有这个单位：{text.strip()!r}（可用 cdo units list 查看全部单位）")
        if len(found) > 1:
            names = "、".join(u.name for u in found)
            raise InvalidInputError(f"单位名称 {text.strip()!r} 不唯一，可能是：{names}，请写全称")
        return found[0]


def resolve_unit(db: Database, text: str) -> Unit:
    """The unit named by `text` (full name, without 达州市, or short name)."""
    return UnitIndex.load(db).resolve(text)


def add_unit(db: Database, name: str, category: str, short: str | None = None) -> Unit:
    """Register one unit; raises InvalidInputError if the name or short name is taken."""
    from cdo.db import transaction

    name = name.strip()
    short = (short or "").strip() or None
    if not name:
        raise InvalidInputError("单位名称不能为空")
    cat = parse_category(category)
    index = UnitIndex.load(db)
    if _key(name) in index._exact:
        raise InvalidInputError(f"单位已存在：{name}")
    if short and index.candidates(short):
        raise InvalidInputError(f"简称 {short!r} 已被 {index.candidates(short)[0].name} 使用")
    with transaction(db):
        cur = db.execute(
            "INSERT INTO units (name, short, category, created_at) VALUES (?,?,?,?)",
            [name, short, cat, dt.datetime.now().isoformat(timespec="seconds")],
        )
        uid = cur.lastrowid
        after = {"name": name, "short": short, "category": cat}
        audit.record(db, "unit", uid, "add", None, after, unit_id=uid)
    return Unit(uid, name, short, cat)
