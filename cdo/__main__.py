"""`python -m cdo` and the `cdo` command.

Ctrl-C is taken over before anything heavy is imported, so that at no moment — while
starting, working or exiting — does the clerk see a traceback; once the command is over,
a Ctrl-C changes nothing and is ignored.

The garbage collector is off while the program starts: importing typer and cdo allocates
tens of thousands of objects, next to none of them garbage, and collecting them over and over
(and once more at exit) cost a fifth of a short command. Once the command line is built
they are frozen (never examined again) and collection is back on for the command itself
(cli.CdoGroup.invoke); when no command ran (help, a usage error) they are frozen at exit."""

import gc
import sys

from cdo import interrupts


def run() -> None:
    gc.disable()
    interrupts.install()
    code: str | int | None = 0
    try:
        try:
            from cdo.cli import main

            main()
        except SystemExit as e:
            code = e.code
        except KeyboardInterrupt:  # before the command line was ready (still importing)
            interrupts.close()
            print("cdo: 已中断，本次命令没有保存任何内容", file=sys.stderr)
            code = 130
    except KeyboardInterrupt:  # in the moment between the command's end and here
        code = 130 if interrupts.requested else code
    interrupts.close()
    if not gc.isenabled():  # no command ran (help, a usage error): nothing to collect
        gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    run()
