"""Chinese for the words the command-line library itself prints: help headings and
usage errors. Typer/Click print these in English; the clerk reads Chinese."""

from __future__ import annotations

import re
import unicodedata

_HELP_WORDS = [
    ("Usage: ", "用法："),
    ("Usage:", "用法："),
    ("\nOptions:\n", "\n选项：\n"),
    ("\nArguments:\n", "\n参数：\n"),
    ("\nCommands:\n", "\n命令：\n"),
    ("Show this message and exit.", "显示本帮助并退出。"),
    ("[required]", "[必填]"),
    ("<file>", "<文件>"),
    (" [OPTIONS]", " [选项]"),
    (" COMMAND [ARGS]...", " 命令 [参数]..."),
    ("<str>", "<文字>"),
    ("<int>", "<整数>"),
    ("<float>", "<数>"),
    ("<path>", "<路径>"),
    (" <list[Path]>", ""),  # an optional list of files (cdo serve)
    ("<bool>", ""),
    ("Install completion for the current shell.", "为当前 shell 安装命令补全（Tab 键补全命令和选项）"),
    ("Show completion for the current shell, to copy it or\n"
     "                        customize the installation.", "显示当前 shell 的补全脚本，可复制后自行安装"),
]

_ERRORS = [
    (r"Missing option '([^']+)' / '([^']+)'\.?", r"缺少选项 \1/\2"),
    (r"Missing option '(.+?)'\.?", r"缺少选项 \1"),
    (r"Missing argument '(.+?)'\.?", r"缺少参数 \1"),
    (r"Missing parameter: (.+)", r"缺少参数 \1"),
    (r"No such command ''\.?", r"命令是空的（引号里什么也没写）"),
    (r"No such command '(.+?)'\. Did you mean (.+?)\?", r"没有这个命令：\1（是不是 \2？）"),
    (r"No such command '(.+?)'\.?", r"没有这个命令：\1"),
    (r"No such option: --db\b.*", r"没有这个选项：--db（--db 要写在命令前面，如 cdo --db 文件.db units list）"),
    (r"No such option: (\S+?) Did you mean (.+?)\?", r"没有这个选项：\1（是不是 \2？）"),
    (r"No such option: (\S+) \(Possible options: (.+?)\)", r"没有这个选项：\1（可用：\2）"),
    (r"No such option: (\S+?)\.?$", r"没有这个选项：\1"),
    (r"Option '(.+?)' requires an argument\.?", r"选项 \1 后面要写一个值"),
    (r"Option '(.+?)' does not take a value\.?", r"选项 \1 后面不用写值"),
    (r"Got unexpected extra argument(?:s|\(s\))? \((--?[A-Za-z][^ )]*)\)", r"没有这个选项：\1"),
    (r"Got unexpected extra argument(?:s|\(s\))? \(([^ )]+\.db)\)",
     r"多余的参数：\1（数据库文件用 --db 指定，写在命令前面：cdo --db \1 命令 …）"),
    (r"Got unexpected extra argument(?:s|\(s\))? \((.+)\)", r"多余的参数：\1"),
    (r"Invalid value for '([^']+)'(?: / '[^']+')*: (?:Value error, )?(.+)", r"\1 的值不对：\2"),
    (r"Input should be a valid integer.*", r"须为整数"),
    (r"Input should be a valid number.*", r"须为数字"),
    (r"Input should be a valid boolean.*", r"须为是或否"),
    (r"Input should be (.+?)\.?$", r"须为 \1"),
    (r"'(.+?)' is not a valid int(?:eger)?\.?$", r"须为整数（收到“\1”）"),
    (r"'(.+?)' is not a valid integer range\.?", r"“\1”不是整数"),
    (r"'(.+?)' is not a valid float( range)?\.?", r"“\1”不是数字"),
    (r"'(.+?)' is not one of (.+?)\.?$", r"“\1”不在可选范围内：\2"),
    (r"'(.+?)' is not (.+?)\.?$", r"“\1”不是 \2"),
    (r"File '(.+?)' does not exist\.?", r"文件不存在：\1"),
    (r"(File|Directory|Path) '(.+?)' is a directory\.?", r"\2 是一个文件夹"),
]


_HELP_PATTERNS = [
    # the formatter may wrap these across lines
    (re.compile(r"\[default:\s+"), "[默认："),
    (re.compile(r"\[env\s+var:\s+"), "[环境变量："),
]


def help_text(text: str) -> str:
    """Help output with the library's English headings in Chinese."""
    for en, zh in _HELP_WORDS:
        text = text.replace(en, zh)
    for pattern, zh in _HELP_PATTERNS:
        text = pattern.sub(zh, text)
    return text


def wrap(text: str, width: int) -> list[str]:
    """`text` (one paragraph) in lines of at most `width` terminal cells, a Chinese
    character counting two; broken between words and characters, never inside a date."""
    from cdo.output import wrap_offsets

    text = " ".join(text.split()) if text.isascii() else _joined(text)
    cuts = [0, *wrap_offsets(text, width), len(text)]
    return [text[a:b].strip() for a, b in zip(cuts, cuts[1:], strict=False) if text[a:b].strip()]


def _joined(text: str) -> str:
    """The lines of a paragraph as one: a space between two words, none where Chinese
    meets Chinese (a docstring's line break is not a space)."""
    out = ""
    for line in (ln.strip() for ln in text.splitlines()):
        if out and line and _spaced(out[-1], line[0]):
            out += " "
        out += line
    return out


def _spaced(before: str, after: str) -> bool:
    if before.isascii() and after.isascii():
        return True
    # Chinese punctuation takes no space; a word beside a Chinese character one
    return not any(not c.isascii() and unicodedata.category(c).startswith("P")
                   for c in (before, after)) and (before.isascii() or after.isascii())


def _items(lines: list[str]) -> list[str]:
    """A kept block's lines as items: an unindented line starts one, an indented line
    goes on with it (a list of rules, each wrapped under its own first line)."""
    items: list[str] = []
    for line in lines:
        if items and line.startswith(" "):
            items[-1] = _joined(f"{items[-1]}\n{line}")
        elif line.strip():
            items.append(line.strip())
    return items


def cjk_formatter(base: type) -> type:
    """The help formatter `base` laid out by terminal cells, not characters: click counts
    a Chinese character as one column, so Chinese help overran 80 columns and option
    help no longer lined up. The library's English words are put in Chinese first, so
    what is measured is what is shown."""

    class CjkHelpFormatter(base):  # type: ignore[valid-type, misc]
        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            super().write_usage(prog, help_text(args), prefix)

        def write_text(self, text: str) -> None:
            indent = " " * self.current_indent
            width = max(self.width - self.current_indent, 11)
            paragraphs = [p for p in re.split(r"\n\s*\n", help_text(text)) if p.strip()]
            for i, paragraph in enumerate(paragraphs):
                if i:
                    self.write("\n")
                if paragraph.lstrip(" ").startswith("\b"):  # click's "keep these lines"
                    for item in _items(paragraph.lstrip(" ").splitlines()[1:]):
                        first = wrap(item, width)[0]
                        rest = item[item.index(first) + len(first):]
                        self.write(f"{indent}{first}\n")
                        for piece in wrap(rest, width - 4):
                            self.write(f"{indent}    {piece}\n")
                    continue
                for line in wrap(paragraph, width):
                    self.write(f"{indent}{line}\n")

        def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
            from cdo.output import cell_width

            rows = [(help_text(term), help_text(text or "")) for term, text in rows]
            first = min(max((cell_width(t) for t, _ in rows), default=0), col_max) + col_spacing
            hang = " " * (first + self.current_indent)
            for term, text in rows:
                self.write(f"{'':>{self.current_indent}}{term}")
                if not text:
                    self.write("\n")
                    continue
                if cell_width(term) <= first - col_spacing:
                    self.write(" " * (first - cell_width(term)))
                else:
                    self.write("\n" + hang)
                lines = wrap(text, max(self.width - first - 2, 10)) or [""]
                self.write(lines[0] + "\n")
                for line in lines[1:]:
                    self.write(hang + line + "\n")

    return CjkHelpFormatter


def error_text(message: str) -> str:
    """A usage-error message in Chinese where the pattern is known, else as it was."""
    for pattern, repl in _ERRORS:
        message = re.sub(pattern, repl, message)
    return message
