"""Chinese for the words the command-line library itself prints: help headings and
usage errors. Typer/Click print these in English; the clerk reads Chinese."""

from __future__ import annotations

import re

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


def error_text(message: str) -> str:
    """A usage-error message in Chinese where the pattern is known, else as it was."""
    for pattern, repl in _ERRORS:
        message = re.sub(pattern, repl, message)
    return message
