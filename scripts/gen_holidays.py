"""Regenerate data/holidays/YYYY.json from the chinesecalendar package (dev time only).

The package transcribes the State Council notices. Each output file holds ONE year's
notice (国务院办公厅关于YYYY年部分节假日安排的通知) and every day that notice names —
including the late-December days of the year before that its 元旦 arrangement moves
(e.g. 2023.json holds 2022-12-31). Where the package disagrees with the notice, the
decision is recorded in data/holidays/DECISIONS.md and applied here via OVERRIDES;
tests/test_calendar_oracles.py checks that the files equal what this script builds.

Run: python scripts/gen_holidays.py
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "data" / "holidays"

# English names in chinesecalendar -> the names the notices use.
NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}

# Document numbers, where two independent public transcriptions agree with our own
# record of the notice. Years without one are named by title only (see DECISIONS.md).
DOC_NUMBERS = {
    2016: "国办发明电〔2015〕18号",
    2017: "国办发明电〔2016〕17号",
    2018: "国办发明电〔2017〕12号",
    2019: "国办发明电〔2018〕15号",
    2020: "国办发明电〔2019〕16号",
    2021: "国办发明电〔2020〕27号",
    2022: "国办发明电〔2021〕11号",
    2023: "国办发明电〔2022〕16号",
    2024: "国办发明电〔2023〕7号",
    2025: "国办发明电〔2024〕12号",
    2026: "国办发明电〔2025〕7号",
}

# Later notices that changed a year's arrangement after it was published.
AMENDMENTS = {
    2015: "国务院关于中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日调休放假的通知",
    2019: "国务院办公厅关于调整2019年劳动节假期安排的通知（国办发明电〔2019〕3号）",
    2020: "国务院办公厅关于延长2020年春节假期的通知（国办发明电〔2020〕1号）",
}

# date -> (off, name) or None (drop); applied on top of the package's data.
# Each entry is a decision in DECISIONS.md.
OVERRIDES: dict[dt.date, tuple[bool, str] | None] = {
    # 2006 notice: 元旦 1月1日至3日放假，2005年12月31日（星期六）上班.
    # chinesecalendar leaves it an ordinary Saturday (its issues #17, #125).
    dt.date(2005, 12, 31): (False, "元旦"),
}


def source_for(year: int) -> str:
    title = f"国务院办公厅关于{year}年部分节假日安排的通知"
    if year in DOC_NUMBERS:
        title += f"（{DOC_NUMBERS[year]}）"
    if year in AMENDMENTS:
        title += f"；{AMENDMENTS[year]}"
    return title


def notice_year(day: dt.date, name: str) -> int:
    """The year of the notice that names `day`: late-December 元旦 days belong to the next."""
    return day.year + 1 if day.month == 12 and name == "元旦" else day.year


def build_docs() -> dict[int, dict]:
    """Every year's document, as it should be on disk."""
    from chinese_calendar import constants

    named: dict[dt.date, tuple[bool, str]] = {}
    for d, name in constants.holidays.items():
        named[d] = (True, NAMES.get(name, name))
    for d, name in constants.workdays.items():
        named[d] = (False, NAMES.get(name, name))
    for d, value in OVERRIDES.items():
        if value is None:
            named.pop(d, None)
        else:
            named[d] = value
    by_year: dict[int, dict[dt.date, tuple[bool, str]]] = {}
    for d, (off, name) in named.items():
        by_year.setdefault(notice_year(d, name), {})[d] = (off, name)
    return {
        year: {
            "year": year,
            "source": source_for(year),
            "days": [
                {"date": d.isoformat(), "name": name, "off": off}
                for d, (off, name) in sorted(days.items())
            ],
        }
        for year, days in sorted(by_year.items())
    }


def dumps(doc: dict) -> str:
    """One day per line: short enough to read, diff and review by eye."""
    lines = [
        "{",
        f'  "year": {doc["year"]},',
        f'  "source": {json.dumps(doc["source"], ensure_ascii=False)},',
        '  "days": [',
    ]
    days = [json.dumps(d, ensure_ascii=False) for d in doc["days"]]
    lines += [f"    {d}," for d in days[:-1]] + [f"    {d}" for d in days[-1:]]
    lines += ["  ]", "}"]
    return "\n".join(lines) + "\n"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    docs = build_docs()
    for year, doc in docs.items():
        (OUT / f"{year}.json").write_text(dumps(doc), encoding="utf-8")
    print(f"wrote {len(docs)} years ({min(docs)}–{max(docs)}) to {OUT}")


if __name__ == "__main__":
    main()
