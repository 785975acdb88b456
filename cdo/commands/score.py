"""cdo score …"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cdo.commands.common import (
    AsOfOpt,
    ForceOpt,
    FormatOpt,
    OutputOpt,
    as_of,
    check_output,
    echo,
    open_database,
    warn,
)
from cdo.output import Format

if TYPE_CHECKING:
    from cdo.store.db import Database

app = typer.Typer(rich_markup_mode=None,
                  help="年度评价：cdo score --year 2023 显示排名；"
                       "子命令录入、导入、建议分、评价表、定稿",
                  no_args_is_help=True)

YearOpt = Annotated[int, typer.Option("--year", "-y", help="评价年度，如 2023")]
UnitOpt = Annotated[str, typer.Option("--unit", "-u", help="单位全称、去掉“达州市”的名称或简称")]

RANKING_KEYS = ["rank", "unit", "category", "parts", "total", "complete"]  # PRODUCT.md
# Two-line headers keep the ranking readable in an 80-column terminal.
SHORT_PART_HEADERS = {
    "daily": "日常\n履职", "coordination": "数据\n统筹", "sharing": "共享\n开放",
    "quality": "质量\n管理", "innovation": "创新\n应用", "third_party": "第三方\n评估",
}


def _ranking_columns():
    from cdo import scoring
    from cdo.output import Column
    from cdo.roster.units import CATEGORY_NAMES

    table = scoring.load_table()

    def part_col(part):
        def show(_, row):
            v = row["parts"][part.key]
            return "—" if v is None else scoring.fmt_points(v)
        return Column(part.key, SHORT_PART_HEADERS.get(part.key, part.name), show=show,
                      justify="right", wide=True)

    return [
        Column("rank", "排名", show=lambda v, r: "—" if v is None else str(v), justify="right"),
        Column("unit", "单位", overflow="fold"),
        Column("category", "类别", show=lambda v, r: CATEGORY_NAMES.get(v, v), overflow="fold"),
        *(part_col(p) for p in table.parts),
        Column("total", "总分", justify="right", style="bold",
               show=lambda v, r: scoring.fmt_points(v) if r["complete"]
               else f"({scoring.fmt_points(v)})"),
        Column("complete", "状态",
               show=lambda v, r: "已评完" if v else _missing_short(r["missing"], table),
               overflow="fold"),
    ]


def _missing_short(missing, table) -> str:
    # ", " lets the terminal table wrap a long list instead of cutting it off
    if len(missing) == len(table.items):
        return "未评分"
    entered = [n for n in table.numbers if n not in missing]
    if len(missing) <= len(entered):
        return "未评：第" + ", ".join(str(n) for n in missing) + "项"
    return "仅评：第" + ", ".join(str(n) for n in entered) + "项"


def show_ranking(db: Database, year: int, fmt: Format | str = Format.table,
                 category: str | None = None, output: Path | None = None) -> None:
    """Print the year's ranking (also used by `cdo demo` to end with it)."""
    from cdo import scoring
    from cdo.evaluation import points as evaluation
    from cdo.output import emit, plain_mode

    rows = evaluation.ranking_rows(db, year, category)
    fmt = Format(fmt)
    title = f"{year} 年度首席数据官工作评价排名"
    state = evaluation.year_state(db, year)
    done = sum(1 for r in rows if r["complete"])
    caption = (f"共 {len(rows)} 个单位，已评完 {done} 个；未评完的单位不排名，"
               "总分括号内为已评项目的小计")
    if state:
        caption += (f"。已于 {state['finalized_at'][:10]} 定稿，指纹 "
                    f"{scoring.short_fingerprint(state['fingerprint'])}")
    if output is not None:  # the annual workbook's ranking sheet, with its chart
        from cdo.evaluation.annual import ranking_sheet
        from cdo.sheets.write import write_workbook

        write_workbook(output, [ranking_sheet(db, year, category)])
    if fmt is Format.table and len(rows) > PLAIN_TABLE_ROWS and not plain_mode():
        from cdo.output import WIDE_TERMINAL, console

        width = console().width
        print_plain_table(rows, [c for c in _ranking_columns()
                                 if width >= WIDE_TERMINAL or not c.wide], title, caption,
                          max_width=width)
    else:
        emit(rows, _ranking_columns(), fmt, keys=RANKING_KEYS, title=title, caption=caption,
             empty=f"{year} 年度没有单位可排名。")
    if output is not None and fmt is Format.table:
        echo(f"已写入 {output}")


# Above this many rows the ranking is drawn without Rich: Rich measures and wraps every
# cell, which takes seconds for 2,000 units; the plain drawing looks the same but does
# not wrap long names (the terminal scrolls sideways instead).
PLAIN_TABLE_ROWS = 300


def print_plain_table(rows, columns, title: str, caption: str,
                      max_width: int | None = None) -> None:
    """Draw `rows` as Rich draws a table (heavy head box), fast, without wrapping; wider
    than `max_width`, the longest text column (the unit) is cut with …."""
    import sys

    from cdo.output import _cell_text
    from cdo.sheets.write import display_width

    memo: dict[str, int] = {}

    def width(text: str) -> int:
        if text.isascii():
            return len(text)
        w = memo.get(text)
        if w is None:
            w = memo[text] = display_width(text)
        return w

    cells = [[(t, width(t)) for t in (_cell_text(c, r) for c in columns)] for r in rows]
    heads = [c.header.split("\n") for c in columns]
    depth = max(len(h) for h in heads)
    heads = [[""] * (depth - len(h)) + h for h in heads]  # bottom-aligned, as Rich does
    widths = [max([width(x) for x in h] + [row[k][1] for row in cells])
              for k, h in enumerate(heads)]
    over = sum(widths) + 3 * len(widths) + 1 - (max_width or 10**9)
    if over > 0:  # cut the widest left-aligned column, never a number
        k = max((i for i, c in enumerate(columns) if c.justify != "right"),
                key=lambda i: widths[i])
        keep = max(6, widths[k] - over)
        widths[k] = keep
        for row in cells:
            text, w = row[k]
            if w > keep:
                cut = ""
                for ch in text:
                    if width(cut + ch) > keep - 1:
                        break
                    cut += ch
                row[k] = (cut + "…", width(cut) + 1)

    def pad(text: str, width_: int, right: bool, w: int | None = None) -> str:
        gap = " " * (width_ - (width(text) if w is None else w))
        return gap + text if right else text + gap

    def line(left: str, fill: str, mid: str, right: str) -> str:
        return left + mid.join(fill * (w + 2) for w in widths) + right

    total = sum(widths) + 3 * len(widths) + 1
    out = [pad(title, (total + display_width(title)) // 2, True)]
    out.append(line("┏", "━", "┳", "┓"))
    for d in range(depth):
        out.append("┃" + "┃".join(f" {pad(h[d], w, c.justify == 'right')} "
                                   for h, w, c in zip(heads, widths, columns, strict=True)) + "┃")
    out.append(line("┡", "━", "╇", "┩"))
    right = [c.justify == "right" for c in columns]
    for row in cells:
        out.append("│" + "│".join(f" {pad(v, w, r, vw)} "
                                   for (v, vw), w, r in zip(row, widths, right, strict=True)) + "│")
    out.append(line("└", "─", "┴", "┘"))
    out.append(pad(caption, (total + display_width(caption)) // 2, True))
    sys.stdout.write("\n".join(out) + "\n")


@app.callback(invoke_without_command=True)
def ranking(
    ctx: typer.Context,
    year: Annotated[int | None, typer.Option("--year", "-y", help="评价年度，如 2023")] = None,
    category: Annotated[str | None, typer.Option(
        "--category", "-c",
        help="只看一类单位（在该类内排名）：县市区、市级部门、国有企业、公共服务机构")] = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """年度评价排名：cdo score --year 2023；子命令录入、导入、建议、出表、定稿。"""
    if ctx.invoked_subcommand is not None:
        return
    if year is None:
        raise typer.BadParameter("请用 --year 指定评价年度，如 cdo score --year 2023",
                                 param_hint="--year")
    from cdo.roster.units import parse_category

    cat = parse_category(category) if category else None
    check_output(ctx, output, force)
    show_ranking(open_database(ctx), year, fmt, cat, output)


@app.command("set")
def set_(
    ctx: typer.Context,
    year: YearOpt,
    unit: UnitOpt,
    item: Annotated[int, typer.Option("--item", "-i", help="附件2中的项目序号（1、2、4…17）")],
    points: Annotated[str, typer.Option("--points", "-p", help="得分，如 4 或 4.5")],
    note: Annotated[str | None, typer.Option("--note", help="评分依据说明")] = None,
    reason: Annotated[str | None, typer.Option(
        "--reason", help="修改已录入分数的理由（必填）")] = None,
) -> None:
    """录入或修改一个单位某一项的得分（改动已有分数须写 --reason）。"""
    from cdo import scoring
    from cdo.errors import InvalidInputError
    from cdo.evaluation import points as evaluation

    try:
        pts = scoring.parse_points_exact(points)  # exact: 9.99999999 is not 10
    except InvalidInputError:
        raise InvalidInputError(f"--points 不是分数：{points!r}") from None
    if pts is None:
        raise InvalidInputError("--points 不能为空")
    echo(evaluation.set_point(open_database(ctx), year, unit, item, pts, note, reason))


@app.command("import")
def import_(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(
        help="评分表（.xlsx/.csv，每行一个单位、每列一个项目序号）、填好的附件2评价表，"
             "或装有评价表的文件夹（可多个）")],
    year: YearOpt,
    reason: Annotated[str | None, typer.Option(
        "--reason", help="文件改动了已录入分数时，写明理由")] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="文件名或标题写的是别的年度（如 2023年度），仍按 --year 导入")] = False,
) -> None:
    """导入一年的评分：全部无误才导入，错误逐格列出。

    表头可写项目序号（4、第4项）、项目名称（数据普查登记）或两者（4.数据普查登记）；读不出的列逐一列出。合计、平均分、分值行不读。

    文件名或标题写明别的年度（如 2023年度）而 --year 不同时不导入，除非加 --force。

    导错了可用 cdo score withdraw 撤回。
    """
    from cdo.evaluation import points as evaluation

    for path in paths:
        if not path.exists():
            from cdo.errors import FileReadError

            raise FileReadError(f"{path}：文件或文件夹不存在")
    r = evaluation.import_points(open_database(ctx), year, paths, reason, force=force)
    echo(f"已导入 {year} 年度 {r['units']} 个单位的评分：新增 {r['added']} 项，"
         f"修改 {r['changed']} 项，未变 {r['unchanged']} 项")
    if r["import_id"] is not None:
        echo(f"导入编号 {r['import_id']}（导错了可撤回：cdo score withdraw --year {year} "
             f"--import {r['import_id']} --reason 理由）")
    for w in r["warnings"]:
        warn(f"注意：{w}")


@app.command("imports")
def imports(ctx: typer.Context, year: YearOpt, fmt: FormatOpt = Format.table) -> None:
    """列出一年的评分导入（导入编号、时间、文件、是否已撤回）。"""
    from cdo.evaluation import points as evaluation
    from cdo.output import Column, emit

    rows = evaluation.list_imports(open_database(ctx), year)
    from cdo.store.audit import when_label

    cols = [Column("id", "导入编号", justify="right"),
            Column("created_at", "导入时间", show=lambda v, r: when_label(v)),
            Column("source", "文件"), Column("cells", "新增或修改", justify="right"),
            Column("withdrawn_at", "状态", show=lambda v, r: (
                f"已于 {v[:10]} 撤回：{r['withdraw_reason']}" if v else "有效"))]
    emit(rows, cols, fmt, keys=["id", "created_at", "source", "cells", "withdrawn_at",
                                "withdraw_reason"],
         title=f"{year} 年度评分导入", empty=f"{year} 年度还没有导入过评分。")


@app.command("withdraw")
def withdraw(
    ctx: typer.Context,
    year: YearOpt,
    import_id: Annotated[int, typer.Option(
        "--import", help="导入编号（导入时显示，或见 cdo score imports --year 年度）")],
    reason: Annotated[str, typer.Option("--reason", help="撤回的理由（必填，记入日志）")],
) -> None:
    """撤回一次导入错了的评分（定稿前）：新增的分数删去，改动的分数恢复原值。

    导入后又改过的分数（score set 或后来的导入）会使撤回被拒绝，并逐项列出。
    """
    from cdo.evaluation import points as evaluation

    r = evaluation.withdraw_import(open_database(ctx), year, import_id, reason)
    echo(f"已撤回 {year} 年度第 {r['import_id']} 次评分导入（{r['source']}）："
         f"删去 {r['removed']} 项，恢复原分数 {r['restored']} 项，理由已记入日志")


@app.command("suggest")
def suggest(
    ctx: typer.Context,
    year: YearOpt,
    unit: Annotated[str | None, typer.Option(
        "--unit", "-u", help="只看一个单位（并列出依据的记录）")] = None,
    apply: Annotated[bool, typer.Option(
        "--apply", help="把建议分写入尚未评分的项目（不覆盖已录入的）")] = False,
    as_of_: AsOfOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """按记录建议第1、2、11项及按评价依据建议第4、5、7、8、10、12、13、16项的得分。

    建议分仅供参考，四舍五入到一位小数；--apply 只写入尚未评分的项目，不覆盖已录入的分数。
    各项都只按 --as-of 当日及以前的记录计算（之后召开的会议、收到的计划总结、下发的问题和整改不计）。

    \b
    第1项（5分）＝ 5 × 各次得分之和 ÷ 当年召开的会议培训次数；
        每次：出席 1，代参会 0.5，请假 0.25，缺席或无记录 0；当年没有会议培训则不建议。
    第2项（5分）＝ 工作计划 2.5 ＋ 工作总结 2.5；按时收到得全分，逾期收到得一半（1.25），
        未收到 0。总结应在当年 12 月 31 日前报送（实施方案 五（三））。
        计划的截止日期：2023 年为 2023-05-30（实施方案 五（一）的首轮报送日期），
        2024 年起为当年 3 月 31 日——这是本工具的假定，政策没有规定，
        如办公室另有规定，请按实际评分（见 cdo/scoring.py 的 FIRST_PLAN_DUE、PLAN_DUE_MONTH_DAY）。
    第11项（5分）＝ 5 × 按期整改 ÷（按期整改 ＋ 逾期整改 ＋ 逾期未整改），
        按该单位当年的问题计算（含使用单位反馈的问题；按所属月份计年度：抽查问题为抽查月份，
        与月度报表、年度工作簿一致）；整改期内未整改的不计；没有需计算的问题得满分。

    \b
    按评价依据（cdo evidence 导入的目录清单、系统清单、任务清单、项目、抽查结果）：
    第4项（10分）＝ 目录清单 4（次年补报 2）＋ 信息系统清单 2（次年补报 1）
        ＋ 4 × 普查覆盖率（当年问题涉及的数据资源在现行目录中的比例）；两份清单都没有则不建议。
    第5项（5分）＝ 5 × 已接入的自建系统 ÷ 现行清单上的自建系统；没有自建系统则不建议。
    第7项（10分）＝ 10 × 任务得分之和 ÷ 当年到期任务数（共享责任清单和回流任务清单）；
        按期完成 1，当年内逾期完成 0.5，未完成 0；没有到期任务则不建议。
    第8项（5分）＝ 有开放计划任务时 5 ×（2A ＋ B ＋ 2C）÷ 5，否则 5 ×（2A ＋ B）÷ 3；
        A＝目录中标明共享和开放属性的比例，B＝标明分级的比例，C＝开放计划任务得分率。
    第10项（10分）＝ 6 × 有数据字典的目录条目比例 ＋ 4 × 标明更新频率的比例；没有目录则不建议。
    第12项（5分）＝ 2.5 ×［年末一次抽查空值率 ≤ 年初一次］＋ 2.5 ×［错值率同样］；少于两次不建议。
    第13项（10分）＝ 各应用示范项目：立项 1、建设 2、上线运行 3，典型应用示范 5；合计最高 10。
    第16项（5分）＝ 各项授权运营、数据交易等探索：立项 1、建设 2、上线运行 3；合计最高 5。
    第6、9、15项由评价组评分，第17项为第三方评估得分（cdo evidence third-party 导入）。
    全部规则：cdo evidence rules。
    """
    from cdo import scoring
    from cdo.evaluation import points as evaluation
    from cdo.output import Column, emit

    db = open_database(ctx)
    day = as_of(as_of_)
    if apply:
        evaluation.refuse_if_final(db, year)
    rows = evaluation.suggestion_rows(db, year, day, unit)
    cols = [
        Column("unit", "单位"),
        Column("item", "项目", show=lambda v, r: f"第{v}项", justify="right"),
        Column("suggested", "建议分", justify="right", style="bold",
               show=lambda v, r: "—" if v is None else scoring.fmt_points(v)),
        Column("entered", "已录入", justify="right",
               show=lambda v, r: "未评" if v is None else scoring.fmt_points(v)),
        Column("basis", "依据"),
    ]
    if unit:
        cols.append(Column("records", "记录", show=lambda v, r: "\n".join(v)))
    emit(rows, cols, fmt, keys=["unit", "item", "suggested", "entered", "basis", "records"],
         title=f"{year} 年度建议分（按记录计算，仅供参考，不会覆盖已录入的分数）")
    if apply:
        n = evaluation.apply_suggestions(db, year, rows)
        msg = f"已把 {n} 个建议分写入尚未评分的项目；已录入的分数没有改动"
        (warn if Format(fmt) is not Format.table else echo)(msg)


@app.command("sheet")
def sheet(
    ctx: typer.Context,
    year: YearOpt,
    unit: UnitOpt,
    out: Annotated[Path, typer.Argument(help="输出文件（.xlsx），按附件2排版，A4 纵向")],
    force: ForceOpt = False,
) -> None:
    """输出一个单位填好分数的附件2评价表（A4 打印）。"""
    from cdo import scoring
    from cdo.evaluation import points as evaluation
    from cdo.roster.units import resolve_unit
    from cdo.sheets.score_sheet import write_sheet

    check_output(ctx, out, force)
    db = open_database(ctx)
    evaluation.check_year(year)
    u = resolve_unit(db, unit)
    pts = {i: p for i, (p, _) in evaluation.unit_points(db, year, u.id).items()}
    state = evaluation.year_state(db, year)
    table = scoring.load_table()
    write_sheet(out, table, unit=u.name, year=year, points=pts, state=state)
    missing = scoring.missing_items(table, pts)
    echo(f"已写入 {out}：{u.name} {year} 年度评价表，" + (
        f"综合得分 {scoring.fmt_points(scoring.total(table, pts))}" if not missing
        else f"未评完（{scoring.missing_text(missing, table)}）"))
    if not state:
        warn(f"注意：{year} 年度评分尚未定稿，表上标为草稿")


@app.command("finalize")
def finalize(
    ctx: typer.Context,
    year: YearOpt,
    allow_incomplete: Annotated[bool, typer.Option(
        "--allow-incomplete", help="有单位未评完也定稿（未评完的单位不排名）")] = False,
) -> None:
    """定稿：冻结该年度评分，并显示指纹（评价表上也印有指纹，可据此核对）。"""
    from cdo import scoring
    from cdo.evaluation import points as evaluation

    db = open_database(ctx)
    state = evaluation.year_state(db, year)
    if state:  # asking again is how a printout is checked: compare fingerprints
        now = evaluation.compute_fingerprint(db, year)
        ok = now == state["fingerprint"]
        echo(f"{year} 年度评分已于 {state['finalized_at'][:10]} 定稿，指纹 "
             f"{scoring.short_fingerprint(state['fingerprint'])}"
             + ("；与当前分数一致" if ok else "；警告：当前分数与定稿时不一致！"))
        return
    r = evaluation.finalize(db, year, allow_incomplete)
    echo(f"{year} 年度评分已定稿。指纹：{scoring.short_fingerprint(r['fingerprint'])}")
    echo(f"（完整 SHA-256：{r['fingerprint']}）")
    if r["incomplete"]:
        warn(f"注意：{r['incomplete']} 个单位未评完，不参加排名")


@app.command("reopen")
def reopen(
    ctx: typer.Context,
    year: YearOpt,
    reason: Annotated[str, typer.Option("--reason", help="重新打开的理由（记入日志）")],
) -> None:
    """重新打开已定稿的年度以便修改（理由记入日志）。"""
    from cdo import scoring
    from cdo.evaluation import points as evaluation

    old = evaluation.reopen(open_database(ctx), year, reason)
    echo(f"{year} 年度评分已重新打开，可以修改；原定稿指纹 "
         f"{scoring.short_fingerprint(old['fingerprint'])} 作废，修改后请重新定稿")
