"""Issue 14.7/14.8: a phone number is masked in whatever spelling it was typed, in the log's
recorded command lines and in the errors that quote a malformed phone cell."""

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cdo.masking import mask_digits, mask_numbers
from cdo.roster.units import add_unit
from cdo.sheets.forms import build_form
from cdo.store.db import open_db

SPELLINGS = [
    ("13975312468", "2468"),
    ("139 7531 2468", "2468"),
    ("139-7531-2468", "2468"),
    ("+8613975312468", "2468"),
    ("+86 139 7531 2468", "2468"),
    ("8613975312468", "2468"),
    ("0086-139-7531-2468", "2468"),
    ("0818 2123456", "3456"),
    ("0818-212-3456", "3456"),
    ("(0818)2123456", "3456"),
    ("１３９７５３１２４６８", "2468"),
]


def _hidden(text: str, spelled: str) -> bool:
    """No run of the number's middle digits is left in `text`."""
    digits = re.sub(r"\D", "", spelled.translate(str.maketrans("０１２３４５６７８９", "0123456789")))
    middle = digits[-8:-4]
    flat = re.sub(r"[\s\-.()]", "", text)
    return middle not in flat


@pytest.mark.parametrize(("spelled", "tail"), SPELLINGS)
def test_every_spelling_is_masked_in_free_text(spelled, tail):
    text = f"cdo register specialist add 市教育局 张三 --phone '{spelled}' --on 2023-09-27"
    shown = mask_numbers(text)
    assert _hidden(shown, spelled), shown
    assert shown.endswith("--on 2023-09-27") and tail in shown and "*" in shown


def test_dates_counts_and_ids_are_left_alone():
    for text in ("--on 2023-09-27 --records 20230927", "rectify done 12 2023-09-27",
                 "calendar load 2024.txt --year 2024", "--as-of 2023/09/27", "1900—2200 年"):
        assert mask_numbers(text) == text


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
       st.lists(st.sampled_from(["", " ", "-", ".", "　"]), min_size=10, max_size=10),
       st.sampled_from(["", "+86", "+86 ", "86", "0086-"]),
       st.sampled_from(["", "电话", "--phone ", "手机：", "x "]))
def test_any_mobile_in_any_spelling_is_masked(number, seps, prefix, before):
    spelled = prefix + "".join(d + s for d, s in zip(number, [*seps, ""], strict=False))
    if before.startswith("--") and any(ch.isspace() for ch in spelled):
        spelled = f"'{spelled}'"  # as the log records an argument with spaces
    shown = mask_numbers(before + spelled + "，谢谢")
    assert re.sub(r"[^\d*]", "", shown).endswith(number[:3] + "****" + number[-4:]), shown
    assert shown.endswith("，谢谢")


@pytest.fixture
def live(db_path):
    db = open_db(db_path)
    add_unit(db, "达州市教育局", "department", "市教育局")
    db.conn.close()
    return db_path


@pytest.mark.parametrize(("spelled", "tail"), SPELLINGS[:8])
def test_the_log_masks_the_recorded_command_line(cli, live, spelled, tail):
    r = cli("register", "specialist", "add", "市教育局", "张三", "--phone", spelled)
    assert r.exit_code == 0, r.stderr
    for fmt in ("table", "json", "csv"):
        out = cli("log", "--format", fmt).stdout
        assert _hidden(out, spelled), (fmt, out)
        assert tail in out
    full = json.loads(cli("log", "--format", "json", "--show-contact").stdout)[0]
    assert spelled in full["command"]


def test_a_phone_in_a_reason_or_note_is_masked_in_the_log(cli, live):
    r = cli("duty", "meeting", "add", "--on", "2023-07-14", "--title", "会议",
            "--note", "联系人 139 7531 2468")
    assert r.exit_code == 0, r.stderr
    out = cli("log", "--format", "json").stdout
    assert _hidden(out, "13975312468") and "2468" in out


@pytest.mark.parametrize("cell", ["1397531246８x", "139 7531 2468 转 8", "电话：13975312468abc",
                                  "0818-2123456-ext", "+86 139-7531-24680"])
def test_a_malformed_phone_cell_is_masked_in_the_error(cli, live, tmp_path, cell):
    form = tmp_path / "form.xlsx"
    build_form({"name": "王建军", "gender": "男", "phone": cell,
                "position": "达州市教育局副局长", "recommendation": "同意推荐。"}).save(form)
    r = cli("register", "import", form, "--received", "2023-05-25")
    assert r.exit_code == 1
    assert "联系方式无法识别" in r.stderr
    quoted = re.search(r"联系方式无法识别：'([^']*)'", r.stderr).group(1)
    assert "*" in quoted and not re.search(r"\d{5}", re.sub(r"[\s\-]", "", quoted)), quoted


def test_a_malformed_phone_option_is_masked_in_the_error(cli, live):
    r = cli("register", "specialist", "add", "市教育局", "张三", "--phone", "139753124688")
    assert r.exit_code == 1
    assert "139753124688" not in r.stderr and "联系方式无法识别" in r.stderr


def test_mask_digits_keeps_head_and_tail():
    assert mask_digits("139753124688") == "139*****4688"
    assert mask_digits("abc") == "abc"


_DESCRIPTIONS = st.one_of(
    st.text(alphabet=st.sampled_from("0123456789０１２３＋－+-. 联系人电话\x00abc（）"), max_size=40),
    st.builds(lambda a, phone, b: f"{a}{phone}{b}", st.text(max_size=8),
              st.sampled_from(["13975312468", "139 7531 2468", "0818-2123456", "+86 139-7531-2468",
                               "１３９７５３１２４６８"]), st.text(max_size=8)),
)


@given(_DESCRIPTIONS)
def test_the_web_views_copy_of_a_description_is_the_clis_mask(text):
    """masked_descriptions (what the web view serves) holds mask_numbers(description) for
    every description a cdo connection writes, and no digit at all for one another program
    writes, until remask."""
    from cdo.store.db import remask

    db = open_db(":memory:")
    db.execute("INSERT INTO units (id, name, category, created_at) VALUES (1, '渠县', 'region', 'x')")
    db.execute("INSERT INTO problems (id, month, source, unit_id, resource, dimension, description,"
               " issued_on, due_on, original_due_on, created_at) VALUES (1, '2025-01', 'spotcheck',"
               " 1, 'r', 'accuracy', ?, '2025-01-02', '2025-02-20', '2025-02-20', 'x')", [text])

    def masked() -> tuple[str, int]:
        return db.execute("SELECT description, exact FROM masked_descriptions").fetchone()

    assert masked() == (mask_numbers(text), 1)
    db.execute("DROP TRIGGER temp.cdo_exact_mask")  # as a connection of another program
    db.execute("UPDATE problems SET description = ? || 'x' WHERE id = 1", [text])
    rough, exact = masked()
    assert not re.search(r"[0-9０-９]", rough)
    assert exact == 0 or rough == mask_numbers(text + "x")
    assert remask(db) == (1 - exact)
    assert masked() == (mask_numbers(text + "x"), 1)
