"""The `chamdiem` command: a thin face over `chamdiem.dsl` and `chamdiem.platform.services`,
one module per command group.

    entry      the parser, `main`, exit codes and the last-resort error line
    console    output in the user's language, `--lang`, reading rule files
    session    the configured database opened, a user's problem said in one line
    rules      check, test
    evaluate   eval (one rule set, or linked rule sets for a period)
    versions   fmt, diff, doc (and the parsers of impact, history)
    impact     impact, history
    database   db, org, period, rules publish, import, run, verify
    national   calendar, approve, verify-approval, national (export, push, status)
    reports    template, report, form
    web        serve, user
    demo       demo (its data and choices live in chamdiem.platform.demo)

Modules register their arguments without importing SQLAlchemy, NumPy, openpyxl or the
compiler: `chamdiem check` starts quickly (tests/cli/test_startup.py).
"""

from chamdiem.cli.entry import main

__all__ = ["main"]
