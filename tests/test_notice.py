"""The notice reader: published notices of every style, the simple list, bad files."""

import datetime as dt
import re

import pytest

from cdo import calendar as workcal
from cdo.errors import CdoError, FileReadError, InvalidInputError
from cdo.notice import decode, parse_notice, read_notice
from cdo.paths import data_dir

D = dt.date
NOTICES = data_dir() / "holidays" / "notices"


def published(year: int) -> str:
    return (NOTICES / f"{year}.txt").read_text(encoding="utf-8")


def same_as_bundled(parsed, year: int) -> list[dt.date]:
    """Days of the notice's span where the parsed notice and the bundled year disagree."""
    cal = workcal.default().with_year(workcal.parse_year_doc(parsed.doc(), "loaded"))
    bundled = workcal.default()
    out, d = [], D(year - 1, 12, 1)
    while d <= D(year, 12, 31):
        if cal.is_workday(d) != bundled.is_workday(d):
            out.append(d)
        d += dt.timedelta(days=1)
    return out


# -- the notices as published (2024, 2025 from the shared folder; 2026) --------------------


def test_2024_notice_exactly():
    p = parse_notice(published(2024))
    assert p.year == 2024
    assert p.source == "国务院办公厅关于2024年部分节假日安排的通知（国办发明电〔2023〕7号）"
    assert p.as_json() == {
        "year": 2024,
        "holidays": ["2024-01-01", *(f"2024-02-{d}" for d in range(10, 18)),
                     "2024-04-04", "2024-04-05", "2024-04-06",
                     *(f"2024-05-0{d}" for d in range(1, 6)), "2024-06-10",
                     "2024-09-15", "2024-09-16", "2024-09-17",
                     *(f"2024-10-0{d}" for d in range(1, 8))],
        "workdays": ["2024-02-04", "2024-02-18", "2024-04-07", "2024-04-28", "2024-05-11",
                     "2024-09-14", "2024-09-29", "2024-10-12"],
    }
    assert p.names[D(2024, 2, 4)] == "春节" and p.names[D(2024, 10, 12)] == "国庆节"
    assert p.names[D(2024, 1, 1)] == "元旦"


def test_encouraged_eve_is_not_a_day_off():
    p = parse_notice(published(2024))
    assert D(2024, 2, 9) not in p.holidays and D(2024, 2, 9) not in p.workdays


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_published_notices_match_bundled_data(year):
    p = parse_notice(published(year))
    assert p.year == year
    assert same_as_bundled(p, year) == []


def test_2025_lunar_notes_and_joint_item():
    p = parse_notice(published(2025))
    assert D(2025, 1, 28) in p.holidays and D(2025, 2, 4) in p.holidays
    assert p.names[D(2025, 10, 8)] == "国庆节、中秋节"
    # the preamble's "自2025年1月1日起，全体公民放假的假日增加2天" names no day
    assert p.workdays == [D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27), D(2025, 9, 28),
                          D(2025, 10, 11)]


def _full_width(text: str) -> str:
    return text.translate(str.maketrans("0123456789", "０１２３４５６７８９"))


def _half_width(text: str) -> str:
    return text.translate(str.maketrans("（）：，；", "():,;"))


def _wrapped(text: str, width: int = 13) -> str:
    """As text copied out of a PDF: every paragraph hard-wrapped, no blank lines."""
    lines = []
    for para in text.splitlines():
        lines += [para[i:i + width] for i in range(0, len(para), width)] or []
    return "\n".join(lines)


@pytest.mark.parametrize("variant", [_full_width, _half_width, _wrapped,
                                     lambda t: t.replace("\n", "\r\n"),
                                     lambda t: t.replace("至", "—"),
                                     lambda t: t.replace("至", "~"),
                                     lambda t: t.replace("至", "-"),
                                     lambda t: "\ufeff" + t.replace("星期", "周")],
                         ids=["full-width digits", "half-width punctuation", "pdf-wrapped",
                              "crlf", "em dash", "tilde", "hyphen", "bom and 周"])
def test_spellings_of_the_same_notice(variant):
    expected = parse_notice(published(2024))
    got = parse_notice(variant(published(2024)))
    assert got.as_json() == expected.as_json()
    assert got.names == expected.names


# -- older published styles, written out by hand -------------------------------------------

NOTICE_2007 = """国务院办公厅关于2007年部分节假日安排的通知

各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
根据《全国年节及纪念日放假办法》的规定，经国务院批准，现将2007年元旦、春节、“五一”、“十一”放假调休日期具体安排通知如下：
一、元旦：1月1日至3日放假，共3天。其中1月1日为法定假日，将2006年12月30日（星期六）、31日（星期日）两个公休日分别调至1月2日、3日。2006年12月30日、31日上班。
二、春节：2月18日至24日放假，共7天。其中2月18日、19日、20日为法定假日，将2月17日（星期六）、2月25日（星期日）两个公休日调至2月22日、23日。2月17日、25日上班。
三、“五一”：5月1日至7日放假，共7天。其中5月1日、2日、3日为法定假日，将4月28日（星期六）、29日（星期日）两个公休日调至5月4日、7日。4月28日、29日上班。
四、“十一”：10月1日至7日放假，共7天。其中10月1日、2日、3日为法定假日，将9月29日（星期六）、30日（星期日）两个公休日调至10月4日、5日。9月29日、30日上班。
各地区、各部门要妥善安排好假日期间的值班和安全、保卫等工作。

国务院办公厅
二〇〇六年十二月十八日
"""

NOTICE_2008 = """国务院办公厅关于2008年部分节假日安排的通知
各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
根据2007年12月14日国务院令第513号修订的《全国年节及纪念日放假办法》，经国务院批准，现将2008年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下：
一、元旦：2007年12月30日—2008年1月1日放假，共3天。其中，1月1日（星期二）为法定节假日，12月30日（星期日）为公休日，12月29日（星期六）公休日调至12月31日（星期一），12月29日（星期六）上班。
二、春节：2月6日—12日（农历除夕至正月初六）放假，共7天。其中，2月6日、7日、8日为法定节假日，2月9日（星期六）、10日（星期日）照常公休，2月2日（星期六）、3日（星期日）两个公休日调至2月11日（星期一）、12日（星期二），2月2日（星期六）、3日（星期日）上班。
三、清明节：4月4日—6日放假，共3天。其中，4月4日为法定节假日，4月5日（星期六）、6日（星期日）照常公休。
四、劳动节：5月1日—3日放假，共3天。其中，5月1日为法定节假日，5月3日（星期六）照常公休，5月4日（星期日）公休日调至5月2日（星期五），5月4日（星期日）上班。
五、端午节：6月7日—9日放假，共3天。其中，6月8日（农历五月初五）为法定节假日，6月7日（星期六）照常公休，6月8日（星期日）公休日调至6月9日（星期一）。
六、中秋节：9月13日—15日放假，共3天。其中，9月14日（农历八月十五）为法定节假日，9月13日（星期六）照常公休，9月14日（星期日）公休日调至9月15日（星期一）。
七、国庆节：9月29日—10月5日放假，共7天。其中，10月1日、2日、3日为法定节假日，9月27日（星期六）、9月28日（星期日）两个公休日调至9月29日（星期一）、30日（星期二），10月4日（星期六）、5日（星期日）照常公休，9月27日（星期六）、9月28日（星期日）上班。
"""

NOTICE_2010 = """国务院办公厅关于2010年部分节假日安排的通知
一、元旦：1月1日至3日放假，共3天。
二、春节：2月13日至19日放假，共7天。2月20日（星期六）、21日（星期日）上班。
三、清明节：4月3日至5日放假，共3天。
四、劳动节：5月1日至3日放假，共3天。
五、端午节：6月14日至16日放假，共3天。6月12日（星期六）、13日（星期日）上班。
六、中秋节：9月22日至24日放假，共3天。9月19日（星期日）、25日（星期六）上班。
七、国庆节：10月1日至7日放假，共7天。9月26日（星期日）、10月9日（星期六）上班。
"""

NOTICE_2012 = """国务院办公厅关于2012年部分节假日安排的通知
一、元旦：2012年1月1日至3日放假调休，共3天。2011年12月31日（星期六）上班。
二、春节：1月22日至28日放假调休，共7天。1月21日（星期六）、29日（星期日）上班。
三、清明节：4月2日至4日放假调休，共3天。3月31日（星期六）、4月1日（星期日）上班。
四、劳动节：4月29日至5月1日放假调休，共3天。4月28日（星期六）上班。
五、端午节：6月22日至24日放假公休，共3天。
六、中秋节、国庆节：9月30日至10月7日放假调休，共8天。9月29日（星期六）上班。
"""

NOTICE_2014 = """国务院办公厅关于2014年部分节假日安排的通知
一、元旦：1月1日放假1天。
二、春节：1月31日至2月6日放假调休，共7天。1月26日（星期日）、2月8日（星期六）上班。
三、清明节：4月5日放假，4月7日（星期一）补休。
四、劳动节：5月1日至3日放假调休，共3天。5月4日（星期日）上班。
五、端午节：6月2日放假，与周末连休。
六、中秋节：9月8日放假，与周末连休。
七、国庆节：10月1日至7日放假调休，共7天。9月28日（星期日）、10月11日（星期六）上班。
"""

NOTICE_2015 = """国务院办公厅关于2015年部分节假日安排的通知
一、元旦：1月1日至3日放假调休，共3天。1月4日（星期日）上班。
二、春节：2月18日至24日放假调休，共7天。2月15日（星期日）、2月28日（星期六）上班。
三、清明节：4月5日放假，4月6日（星期一）补休。
四、劳动节：5月1日放假，与周末连休。
五、端午节：6月20日放假，6月22日（星期一）补休。
六、中秋节：9月27日放假。
七、国庆节：10月1日至7日放假调休，共7天。10月10日（星期六）上班。

国务院关于中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日调休放假的通知
经党中央、国务院批准，2015年9月3日全国放假1天。为方便公众安排假期，9月3日至5日调休放假，共3天。其中9月3日（星期四）放假，9月4日（星期五）调休，9月6日（星期日）上班。
"""

NOTICE_2019_AMENDED = """国务院办公厅关于2019年部分节假日安排的通知
国办发明电〔2018〕15号
一、元旦：2018年12月30日至2019年1月1日放假调休，共3天。2018年12月29日（星期六）上班。
二、春节：2月4日至10日放假调休，共7天。2月2日（星期六）、2月3日（星期日）上班。
三、清明节：4月5日放假，与周末连休。
四、劳动节：5月1日放假。
五、端午节：6月7日放假，与周末连休。
六、中秋节：9月13日放假，与周末连休。
七、国庆节：10月1日至7日放假调休，共7天。9月29日（星期日）、10月12日（星期六）上班。

国务院办公厅关于调整2019年劳动节假期安排的通知
国办发明电〔2019〕3号
经国务院批准，现将2019年劳动节假期调整如下：5月1日至4日放假调休，共4天。4月28日（星期日）、5月5日（星期日）上班。
"""

NOTICE_2023 = """国务院办公厅关于2023年部分节假日安排的通知
国办发明电〔2022〕16号
一、元旦：2022年12月31日至2023年1月2日放假调休，共3天。
二、春节：1月21日至27日放假调休，共7天。1月28日（星期六）、1月29日（星期日）上班。
三、清明节：4月5日放假，共1天。
四、劳动节：4月29日至5月3日放假调休，共5天。4月23日（星期日）、5月6日（星期六）上班。
五、端午节：6月22日至24日放假调休，共3天。6月25日（星期日）上班。
六、中秋节、国庆节：9月29日至10月6日放假调休，共8天。10月7日（星期六）、10月8日（星期日）上班。
"""

HAND_WRITTEN = {2007: NOTICE_2007, 2008: NOTICE_2008, 2010: NOTICE_2010, 2012: NOTICE_2012,
                2014: NOTICE_2014, 2015: NOTICE_2015, 2019: NOTICE_2019_AMENDED,
                2023: NOTICE_2023}


@pytest.mark.parametrize("year", sorted(HAND_WRITTEN))
def test_older_styles_match_bundled_data(year):
    p = parse_notice(HAND_WRITTEN[year])
    assert p.year == year
    assert same_as_bundled(p, year) == []


def test_2008_range_across_years_and_the_day_before_worked():
    p = parse_notice(NOTICE_2008)
    assert [D(2007, 12, 30), D(2007, 12, 31), D(2008, 1, 1)] == p.holidays[:3]
    assert D(2007, 12, 29) in p.workdays
    # explanations (其中…为法定节假日, 公休日调至…, 照常公休) add nothing; the decree's date
    # (2007年12月14日) in the preamble is not a day off
    assert D(2007, 12, 14) not in p.holidays
    assert p.names[D(2008, 9, 29)] == "国庆节" and D(2008, 9, 27) in p.workdays
    assert p.workdays == [D(2007, 12, 29), D(2008, 2, 2), D(2008, 2, 3), D(2008, 5, 4),
                          D(2008, 9, 27), D(2008, 9, 28)]


def test_2007_quoted_names_and_day_only_dates():
    p = parse_notice(NOTICE_2007)
    assert p.names[D(2007, 5, 3)] == "劳动节" and p.names[D(2007, 10, 5)] == "国庆节"
    assert D(2006, 12, 30) in p.workdays and D(2006, 12, 31) in p.workdays
    assert D(2007, 2, 25) in p.workdays


def test_buxiu_days_are_days_off():
    p = parse_notice(NOTICE_2015)
    assert D(2015, 6, 22) in p.holidays and D(2015, 4, 6) in p.holidays
    assert D(2015, 9, 4) in p.holidays and D(2015, 9, 6) in p.workdays


def test_amendment_below_its_notice_wins_and_both_are_named():
    p = parse_notice(NOTICE_2019_AMENDED)
    assert [d for d in p.holidays if d.month == 5] == [D(2019, 5, d) for d in range(1, 5)]
    assert D(2019, 5, 5) in p.workdays and D(2019, 4, 28) in p.workdays
    assert p.source == ("国务院办公厅关于2019年部分节假日安排的通知（国办发明电〔2018〕15号）；"
                        "国务院办公厅关于调整2019年劳动节假期安排的通知（国办发明电〔2019〕3号）")
    assert workcal.bundled_years()[2019].source == p.source


def test_range_into_the_next_year_without_years_written():
    text = "国务院办公厅关于2023年部分节假日安排的通知\n一、元旦：12月31日至1月2日放假调休。\n"
    assert parse_notice(text).holidays == [D(2022, 12, 31), D(2023, 1, 1), D(2023, 1, 2)]


def test_title_wrapped_over_two_lines():
    text = "国务院办公厅关于2024年\n部分节假日安排的通知\n\n" + published(2024).split("\n", 1)[1]
    p = parse_notice(text)
    assert p.year == 2024 and p.source.startswith("国务院办公厅关于2024年部分节假日安排的通知")


# -- the simple list -----------------------------------------------------------------------


def test_simple_list():
    text = """# 2027 年放假安排（按通知整理）

2027-01-01 休 元旦
2027/2/6  班   春节   # 调休上班
２０２７年２月７日　休
2027.02.08,off
2027-02-09\twork
"""
    p = parse_notice(text)
    assert p.year == 2027
    assert p.holidays == [D(2027, 1, 1), D(2027, 2, 7), D(2027, 2, 8)]
    assert p.workdays == [D(2027, 2, 6), D(2027, 2, 9)]
    assert p.names[D(2027, 1, 1)] == "元旦" and p.names[D(2027, 2, 6)] == "春节"
    assert p.names[D(2027, 2, 7)] == "节假日"


def test_simple_list_bad_line_is_named():
    with pytest.raises(InvalidInputError, match="第3行"):
        parse_notice("2027-01-01 休\n2027-01-02 休\n明天放假\n")


def test_simple_list_day_both_off_and_worked():
    with pytest.raises(InvalidInputError, match="既放假又上班"):
        parse_notice("2027-01-01 休\n2027-01-01 班\n")


def test_simple_list_impossible_date():
    with pytest.raises(InvalidInputError, match="第1行"):
        parse_notice("2027-02-30 休\n")


def test_simple_list_without_days_off():
    with pytest.raises(FileReadError, match="没有任何“休”"):
        parse_notice("2027-02-06 班\n")


# -- what is not a notice, and notices that cannot be right ---------------------------------


@pytest.mark.parametrize("text", [
    "会议纪要\n今天讨论了数据质量问题。\n",
    "",
    "国务院办公厅关于2027年部分节假日安排的通知\n各省、自治区、直辖市人民政府：\n另行通知。\n",
    "单位名称,类别\n达州市教育局,市级部门\n",
])
def test_not_a_notice(text):
    with pytest.raises(FileReadError, match="不是节假日安排通知"):
        parse_notice(text)


def test_weekday_in_brackets_is_checked():
    text = ("国务院办公厅关于2024年部分节假日安排的通知\n"
            "二、春节：2月10日至17日放假调休。2月4日（星期六）上班。\n")
    with pytest.raises(InvalidInputError, match="标注为星期六.*星期日"):
        parse_notice(text)


def test_wrong_year_is_caught_by_the_weekdays():
    wrong = published(2024).replace("2024年", "2025年")
    with pytest.raises(InvalidInputError, match="请核对通知的年份"):
        parse_notice(wrong)


@pytest.mark.parametrize("item, message", [
    ("二、春节：2月30日放假。", "日期不存在"),
    ("二、春节：5月5日至1日放假。", "日期范围不对"),
    ("二、春节：2月10日至17日放假，2月12日上班。", "既是放假日又是上班日"),
    ("二、春节：2025年2月10日放假。", "不在 2024 年"),
])
def test_impossible_arrangements(item, message):
    with pytest.raises(InvalidInputError, match=message):
        parse_notice(f"国务院办公厅关于2024年部分节假日安排的通知\n{item}\n")


# -- files ---------------------------------------------------------------------------------


def test_read_notice_utf8_gbk_utf16(tmp_path):
    text = published(2024)
    for enc in ("utf-8", "utf-8-sig", "gbk", "utf-16"):
        path = tmp_path / f"n-{enc}.txt"
        path.write_bytes(text.encode(enc))
        assert read_notice(path).as_json() == parse_notice(text).as_json()


@pytest.mark.parametrize("data, message", [
    (b"PK\x03\x04rest of a docx", "Word 或 Excel"),
    (b"%PDF-1.7 ...", "PDF"),
    (b"\x00\x01\x02\x03binary", "不是文本文件"),
    (b"\xff\xfe\xff\xfe\x00", "不是文本文件|不是节假日安排通知"),
])
def test_decode_refuses_other_files(data, message):
    with pytest.raises(FileReadError, match=message):
        parse_notice(decode(data, "x.txt"))


def test_missing_empty_folder(tmp_path):
    with pytest.raises(FileReadError, match="找不到文件"):
        read_notice(tmp_path / "nope.txt")
    with pytest.raises(FileReadError, match="文件夹"):
        read_notice(tmp_path)
    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.raises(FileReadError, match="空的"):
        read_notice(tmp_path / "empty.txt")


def test_error_names_the_file(tmp_path):
    path = tmp_path / "会议纪要.txt"
    path.write_text("会议纪要：讨论数据质量。", encoding="utf-8")
    with pytest.raises(CdoError) as e:
        read_notice(path)
    assert re.search(r"会议纪要\.txt：不是节假日安排通知", str(e.value))


def test_doc_round_trips_into_a_calendar_year():
    p = parse_notice(published(2026))
    doc = p.doc()
    assert doc["year"] == 2026 and doc["source"].endswith("（国办发明电〔2025〕7号）")
    year = workcal.parse_year_doc(doc, "loaded")
    assert year.days[D(2026, 2, 14)] == (False, "春节")
    assert year.days[D(2026, 2, 23)] == (True, "春节")


# -- styles met when a clerk copies a notice from elsewhere (review) ----------------------


def test_year_in_chinese_numerals():
    text = published(2026).replace("2026年", "二〇二六年")
    assert parse_notice(text).as_json() == parse_notice(published(2026)).as_json()
    text = published(2026).replace("2026年", "二零二六年")
    assert parse_notice(text).year == 2026


def test_items_only_need_the_year_given():
    items = "\n".join(line for line in published(2026).splitlines()
                      if re.match(r"^[一二三四五六七]、", line))
    with pytest.raises(FileReadError, match="--year"):
        parse_notice(items)
    assert parse_notice(items, 2026).as_json() == parse_notice(published(2026)).as_json()
    with pytest.raises(InvalidInputError, match="--year 2025"):
        parse_notice(published(2026), 2025)


def test_dates_separated_by_commas_share_the_keyword():
    text = published(2026).replace("2月14日（周六）、2月28日（周六）上班",
                                   "2月14日（周六），2月28日（周六）上班")
    p = parse_notice(text)
    assert D(2026, 2, 14) in p.workdays and D(2026, 2, 28) in p.workdays


EXTENSION_2020 = """
国务院办公厅关于延长2020年春节假期的通知
国办发明电〔2020〕1号

各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
经国务院批准，现就延长2020年春节假期有关事项通知如下：
一、延长2020年春节假期至2月2日（农历正月初九，星期日），2月3日（星期一）起正常上班。
二、因疫情防控不能休假的职工，应根据《中华人民共和国劳动法》规定安排补休。

国务院办公厅
2020年1月26日
"""

NOTICE_2020 = """国务院办公厅关于2020年部分节假日安排的通知
国办发明电〔2019〕16号

一、元旦：2020年1月1日放假，共1天。
二、春节：1月24日至30日放假调休，共7天。1月19日（星期日）、2月1日（星期六）上班。
三、清明节：4月4日至6日放假调休，共3天。
四、劳动节：5月1日至5日放假调休，共5天。4月26日（星期日）、5月9日（星期六）上班。
五、端午节：6月25日至27日放假调休，共3天。6月28日（星期日）上班。
六、国庆节、中秋节：10月1日至8日放假调休，共8天。9月27日（星期日）、10月10日（星期六）上班。
"""


def test_2020_extension_below_its_notice():
    p = parse_notice(NOTICE_2020 + EXTENSION_2020)
    assert {D(2020, 1, 31), D(2020, 2, 1), D(2020, 2, 2)} <= set(p.holidays)
    assert D(2020, 2, 1) not in p.workdays
    assert D(2020, 2, 3) not in p.workdays  # 起正常上班 is not an adjusted working day
    assert same_as_bundled(p, 2020) == []
    assert "延长2020年春节假期" in p.source


def test_2020_extension_alone_says_what_to_do():
    with pytest.raises(InvalidInputError, match="同一个文件"):
        parse_notice(EXTENSION_2020)


def test_simple_list_header_ranges_and_more_words():
    p = parse_notice("日期,类型,名称\n2027-02-05,休,春节\n"
                     "2027-02-06 至 2027-02-08 休 春节\n2027-02-14,补班\n2027/2/20 调休上班\n")
    assert p.holidays == [D(2027, 2, 5), D(2027, 2, 6), D(2027, 2, 7), D(2027, 2, 8)]
    assert p.workdays == [D(2027, 2, 14), D(2027, 2, 20)]
    with pytest.raises(InvalidInputError, match="第2行"):
        parse_notice("2027-02-05 休\n2027-02-08 至 2027-02-06 休\n")
