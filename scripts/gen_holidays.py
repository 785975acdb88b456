"""Regenerate data/holidays/YYYY.json from the chinesecalendar package (dev time only).

The package transcribes the State Council notices; decisions where it disagrees with
another transcription are recorded in data/holidays/DECISIONS.md and applied here via
OVERRIDES. Run: python scripts/gen_holidays.py
"""

import datetime as dt
import json
from pathlib import Path

from chinese_calendar import constants

OUT = Path(__file__).resolve().parent.parent / "data" / "holidays"
NAMES = {h.value: h.chinese for h in constants.Holiday}
NAMES["Tomb-sweeping Day"] = "清明节"
NAMES["Dragon Boat Festival"] = "端午节"
NAMES["Mid-autumn Festival"] = "中秋节"
NAMES["Anti-Fascist 70th Day"] = "抗战胜利70周年纪念日"

# date -> (off, name); applied on top of the package's data. See DECISIONS.md.
OVERRIDES: dict[dt.date, tuple[bool, str] | None] = {}


def source_for(year: int) -> str:
    return f"国务院办公厅关于{year}年部分节假日安排的通知"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    years = sorted({d.year for d in constants.holidays} | {d.year for d in constants.workdays})
    for year in years:
        days = {}
        for d, name in constants.holidays.items():
            if d.year == year:
                days[d] = (True, NAMES.get(name, name))
        for d, name in constants.workdays.items():
            if d.year == year:
                days[d] = (False, NAMES.get(name, name))
        for d, value in OVERRIDES.items():
            if d.year == year:
                if value is None:
                    days.pop(d, None)
                else:
                    days[d] = value
        doc = {
            "year": year,
            "source": source_for(year),
            "days": [
                {"date": d.isoformat(), "name": name, "off": off}
                for d, (off, name) in sorted(days.items())
            ],
        }
        (OUT / f"{year}.json").write_text(
            json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
    print(f"wrote {len(years)} years to {OUT}")


if __name__ == "__main__":
    main()
