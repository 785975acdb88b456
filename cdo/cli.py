"""The cdo command line: options in, one domain call per command, rows out.

Only typer and the standard library are imported here at module level, so that
`cdo --help` starts fast; heavy modules are imported inside the commands. A command
group's module is imported only when its name is typed, and a command is built into
click's only when it is named or listed (help): building all 77 commands costs about as
much as the rest of a command together, building one group's a few milliseconds.
"""

from __future__ import annotations

import sqlite3
import sys
from difflib import get_close_matches
from typing import Annotated

import typer
from typer.core import TyperGroup

from cdo.errors import CdoError, ExitCode

# The top-level commands (cdo.commands.admin) and the command groups (each the `app` of
# the module of that name in cdo.commands), in the order `cdo --help` lists them.
ADMIN = ("demo", "log", "backup", "restore", "serve")
GROUPS = ("calendar", "units", "register", "duty", "spotcheck", "rectify", "score",
          "evidence", "report")


class LazyGroup(TyperGroup):
    """A typer group whose commands and subgroups are built into click's when first
    asked for (named, or listed by help), each as typer would have built it."""

    pending: dict = {}  # name -> what builds it, in the order typer lists them (_lazy_group)

    def names(self):
        return self.pending

    def build(self, name: str):
        return self.pending[name]()

    def list_commands(self, ctx):
        names = self.names()
        return [*names, *(n for n in self.commands if n not in names)]

    def get_command(self, ctx, cmd_name):
        if cmd_name not in self.commands and cmd_name in self.names():
            command = self.build(cmd_name)
            _speak_chinese(command)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def resolve_command(self, ctx, args):
        """Typer's, with the commands not built yet among the suggestions for a typo."""
        try:
            return self._click_resolve_command(ctx, args)
        except Exception as e:  # click's UsageError
            names = self.list_commands(ctx)
            matches = get_close_matches(args[0], names) if args and hasattr(e, "message") else []
            if matches and self.suggest_commands:
                e.message = (f"{e.message.rstrip('.')}. Did you mean "
                             f"{', '.join(repr(m) for m in matches)}?")
            raise


def _lazy_group(info) -> LazyGroup:
    """typer's get_group_from_info(info) (the group add_typer(…) makes), its commands and
    subgroups built on first use."""
    from copy import copy
    from functools import partial

    from typer.main import get_command_from_info, get_command_name, get_group_from_info

    whole = info.typer_instance
    shell = copy(whole)  # the group itself: name, help, callback, settings
    shell.registered_commands, shell.registered_groups = [], []
    info = copy(info)
    info.typer_instance, info.cls = shell, LazyGroup
    group = get_group_from_info(info, **_settings(), suggest_commands=app.suggest_commands)
    assert isinstance(group, LazyGroup)
    group.pending = {}  # in get_group_from_info's order: commands, then subgroups
    for command in whole.registered_commands:
        name = command.name or get_command_name(command.callback.__name__)
        group.pending[name] = partial(get_command_from_info, command, **_settings())
    for sub in whole.registered_groups:
        group.pending[sub.name] = partial(_lazy_group, sub)
    return group


def _settings() -> dict:
    return {"pretty_exceptions_short": app.pretty_exceptions_short,
            "rich_markup_mode": app.rich_markup_mode}


class CdoGroup(LazyGroup):
    """Turns a CdoError anywhere below into one Chinese line on stderr and exit 1; builds
    a top-level command or a command group when it is first asked for."""

    def names(self):
        return (*ADMIN, *GROUPS)

    def build(self, name: str):
        from importlib import import_module

        from typer.main import TyperInfo, get_command_from_info

        if name in ADMIN:
            from cdo.commands import admin

            return get_command_from_info(admin.COMMANDS[name], **_settings())
        sub = import_module(f"cdo.commands.{name}").app
        return _lazy_group(TyperInfo(sub, name=name))  # as add_typer(sub, name=…) would

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **kw):
        from cdo import interrupts
        from cdo.store import audit

        interrupts.reset()
        if interrupts.requested:  # while still starting up
            sys.exit(say_interrupted())
        audit.current_args = list(sys.argv[1:] if args is None else args)
        if (getattr(sys.stdout, "encoding", None) or "utf-8").lower() not in ("utf-8", "utf8"):
            from cdo.output import tolerate_narrow_stdout

            tolerate_narrow_stdout()  # a GBK console: "?" for an emoji, not a failed command
        _speak_chinese(self)
        for param in self.params:  # Typer says it in English
            if param.name == "install_completion":
                param.callback = _install_completion
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **kw)
        try:
            rv = super().main(args, prog_name, complete_var, False, **kw)
        except KeyboardInterrupt:
            sys.exit(say_interrupted())
        except Exception as e:  # the library's own errors: usage (2) or abort (1)
            if not hasattr(e, "format_message"):
                if type(e).__name__ == "Abort":
                    if interrupts.requested or isinstance(e.__context__, KeyboardInterrupt):
                        sys.exit(say_interrupted())
                    typer.echo("cdo: 已取消", err=True)
                    sys.exit(ExitCode.USER_ERROR)
                raise
            _show_library_error(e)
            sys.exit(getattr(e, "exit_code", ExitCode.USAGE))
        if interrupts.requested and not interrupts.told and rv == INTERRUPTED:
            rv = say_interrupted()  # stopped while reading the arguments
        interrupts.close()  # the command is over: a Ctrl-C from now on changes nothing
        sys.exit(rv if isinstance(rv, int) else ExitCode.OK)

    def invoke(self, ctx):
        from cdo import interrupts

        _collect_garbage_again()
        try:
            return _saved_if_ok(lambda: super(CdoGroup, self).invoke(ctx))
        except KeyboardInterrupt:
            raise typer.Exit(say_interrupted()) from None
        except BrokenPipeError:  # `cdo … | head` read what it wanted and left
            _quiet_stdout()
            raise typer.Exit(ExitCode.OK) from None
        except Exception as e:
            # An interrupt that some library turned into another error (a half-read file
            # blamed as "TypeError") is an interrupt, not bad input.
            if interrupts.requested:
                raise typer.Exit(say_interrupted()) from None
            raise typer.Exit(_user_error(e)) from None


def _collect_garbage_again() -> None:
    """Back to collecting garbage, for the command itself (cdo/__main__.py turns it off
    while starting): what the start made is kept to the end, so it is frozen, not examined
    by every collection and at exit."""
    import gc

    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def _user_error(e: Exception) -> int:
    """Say what went wrong in one Chinese line and return the exit code; re-raise the
    exceptions that are not the clerk's (the library's own usage errors, bugs)."""
    if isinstance(e, CdoError):
        from cdo.output import clean  # a cell's escape sequences never reach the terminal

        typer.echo(f"cdo: {clean(e)}", err=True)
        return e.exit_code
    if isinstance(e, sqlite3.OperationalError):
        from cdo.store.db import explain_error

        message = explain_error(e)  # busy, disk full, read-only file
        if message is None:
            raise e
        typer.echo(f"cdo: {message}", err=True)
        return ExitCode.USER_ERROR
    if isinstance(e, UnicodeEncodeError):
        # bytes that are not UTF-8 on the command line (a GBK terminal): Python keeps
        # them as lone surrogates, which neither SQLite nor a file can take; or a
        # character an output that tolerate_narrow_stdout could not adjust cannot write
        typer.echo(f"cdo: {_undecodable_message(e)}", err=True)
        return ExitCode.USER_ERROR
    if isinstance(e, sqlite3.IntegrityError):
        # a record that clashes with one saved meanwhile (a check made before the write
        # lock); its transaction has been rolled back
        from cdo import interrupts

        kept = ("这一项没有保存（此前已保存的可用 cdo log 查看）" if interrupts.saved
                else "本次没有保存任何内容")
        typer.echo(f"cdo: 要保存的记录与数据库中已有的记录冲突（可能同事刚刚保存了相同的内容），"
                   f"{kept}；请用相应的 list 命令核对后再试", err=True)
        return ExitCode.USER_ERROR
    if isinstance(e, sqlite3.DatabaseError) and not isinstance(e, sqlite3.OperationalError):
        typer.echo(f"cdo: 数据库文件无法读取：{e}", err=True)
        return ExitCode.USER_ERROR
    if isinstance(e, OverflowError):
        # a number too big for SQLite or a date past year 9999 that no check caught;
        # any transaction it was in has been rolled back
        typer.echo("cdo: 输入的数字或日期超出可处理的范围，请检查命令或文件中的数字和日期，"
                   "本次没有保存任何内容", err=True)
        return ExitCode.USER_ERROR
    raise e


INTERRUPTED = 130


def say_interrupted() -> int:
    """After Ctrl-C: tell the clerk exactly what this command had saved; return 130."""
    from cdo import interrupts

    interrupts.close()  # a second Ctrl-C must not cut the message short
    interrupts.told = True
    try:
        from cdo.store.audit import saved_summary

        lines = saved_summary(interrupts.saved)
    except Exception:  # the database cannot be read back: say only that something was saved
        lines = ["（详情可用 cdo log 查看）"] if interrupts.saved else []
    if not interrupts.saved:
        typer.echo("cdo: 已中断，本次命令没有保存任何内容", err=True)
    else:
        typer.echo("cdo: 已中断。中断前已保存（已写入数据库，用 cdo log 可查）：", err=True)
        for line in lines:
            typer.echo(f"  {line}", err=True)
        typer.echo("  其余没有保存。", err=True)
    return INTERRUPTED


def _undecodable_message(e: UnicodeEncodeError) -> str:
    bad = e.object[e.start:e.end] if isinstance(e.object, str) else ""
    if bad and not any("\udc80" <= ch <= "\udcff" for ch in bad):
        # not bytes from the command line: a character the output's encoding cannot write
        from cdo.output import unencodable_note

        return f"{unencodable_note(e.encoding, bad[0])}；本次没有保存任何内容"
    from cdo.store import audit

    args = audit.current_args or []
    for i, arg in enumerate(args):
        if any("\udc80" <= ch <= "\udcff" for ch in arg):
            shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            option = args[i - 1] if i and args[i - 1].startswith("-") else None
            where = f" {option} 的值“{shown}”" if option else f"“{shown}”"
            return (f"命令中{where}含有无法识别的字节（不是 UTF-8 编码的文字），"
                    "本次没有保存任何内容；请把这段文字重新输入一遍")
    return "遇到无法识别的字节（不是 UTF-8 编码的文字），本次没有保存任何内容"


def _saved_if_ok(run):
    """Run the command; keep what it wrote only if it succeeded (or saved part on purpose)."""
    from cdo.errors import PartlySavedError
    from cdo.store.db import end_command

    try:
        rv = run()
    except (PartlySavedError, BrokenPipeError):  # `cdo … | head`: the work itself is done
        end_command(ok=True)
        raise
    except BaseException as e:
        end_command(ok=getattr(e, "exit_code", None) == 0)  # typer.Exit(0) is success
        raise
    end_command(ok=True)
    return rv


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so the final flush of a closed pipe raises nothing."""
    import os

    try:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, sys.stdout.fileno())
        os.close(fd)
    except (OSError, ValueError):  # no real file descriptor (tests)
        pass


def _speak_chinese(group) -> None:
    """Give every command a context whose help text has Chinese headings."""
    from cdo.clitext import cjk_formatter, help_text

    def chinese(base):
        class ChineseContext(base):
            formatter_class = cjk_formatter(base.formatter_class)

            def get_help(self):
                return help_text(super().get_help())

            def get_usage(self):
                return help_text(super().get_usage())

        return ChineseContext

    stack, made = [group], _CHINESE
    while stack:
        cmd = stack.pop()
        base = cmd.context_class
        if getattr(base, "get_help", None) is not getattr(made.get(base), "get_help", 0):
            made.setdefault(base, chinese(base))
            made.setdefault(made[base], made[base])  # already Chinese
            cmd.context_class = made[base]
        stack.extend(getattr(cmd, "commands", {}).values())


_CHINESE: dict[type, type] = {}  # a click context class -> its Chinese one (_speak_chinese)


def _install_completion(ctx, param, value):
    """--install-completion, saying in Chinese what it did."""
    if not value or ctx.resilient_parsing:
        return value
    from typer.completion import install

    shell, path = install(shell=value) if isinstance(value, str) else install()
    typer.echo(f"已为 {shell} 安装命令补全（写入 {path}），重新打开终端后生效")
    sys.exit(0)


def _show_library_error(e) -> None:
    """A usage error as the clerk reads it: what is wrong, the usage line, where help is."""
    from cdo.clitext import error_text, help_text

    ctx = getattr(e, "ctx", None)
    if type(e).__name__ == "NoArgsIsHelpError" and ctx is not None:
        typer.echo(ctx.get_help(), err=True)
        return
    if ctx is not None and getattr(e, "exit_code", 2) == ExitCode.USAGE:
        typer.echo(help_text(ctx.get_usage()), err=True)
        typer.echo(f"运行 “{ctx.command_path} -h” 查看帮助。", err=True)
    message = error_text(e.format_message())
    what = getattr(getattr(e, "param", None), "help", None)  # what to write there
    if type(e).__name__ == "MissingParameter" and what:
        message += f"（{what}）"
    typer.echo(f"cdo: {message}", err=True)


app = typer.Typer(
    cls=CdoGroup,
    name="cdo",
    help="首席数据官办公室工具：名册、数据抽查与整改期限、年度评价。",
    no_args_is_help=True,
    rich_markup_mode=None,
    add_completion=True,  # cdo --install-completion (bash, zsh, fish, PowerShell)
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="CDO_DB",
            help="数据库文件（默认：环境变量 CDO_DB，否则当前目录下的 cdo.db）",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool | None,
        typer.Option("--version", help="显示版本号并退出", is_eager=True,
                     callback=lambda v: _show_version(v)),
    ] = None,
) -> None:
    """首席数据官办公室工具。"""
    ctx.obj = {"db": db}


# demo, log, backup, restore, serve and the groups come on use (CdoGroup)


def _show_version(value: bool | None) -> None:
    if not value:
        return
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        v = dist_version("cdo")
    except PackageNotFoundError:
        v = "未安装（源代码）"
    typer.echo(f"cdo {v}")
    raise typer.Exit()


def main() -> None:
    from cdo import interrupts

    interrupts.install()
    try:
        app(prog_name="cdo")
    except BrokenPipeError:  # `cdo ... | head`
        _quiet_stdout()
        sys.exit(0)
    except KeyboardInterrupt:
        sys.exit(say_interrupted())
    except SystemExit as done:
        try:
            sys.stdout.flush()  # what is still buffered goes now, while we can catch it
        except BrokenPipeError:
            _quiet_stdout()
            sys.exit(0)
        raise done
