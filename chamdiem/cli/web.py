"""The web service's commands:

    chamdiem serve [--host H] [--port P] [--workers N]
    chamdiem user add USERNAME --role R [--units U …] [--name "Họ tên"] [--api-only]
    chamdiem user token USERNAME [--name NAME]

`register(subparsers, language)` adds them to `chamdiem`'s parser (each sets `run(args,
console)`, as every command module does). Settings come from CHAMDIEM_* variables or `.env`, as
for every command. A password is asked for twice without echo (or read from standard input with
`--password-stdin`, for scripts); it is never an argument (it would stay in the shell history).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from typing import Any

from chamdiem.cli.console import (
    EXIT_OK,
    EXIT_USER,
    Console,
    add_lang_option,
    command_language,
    parse_or_exit_code,
    standalone_parser,
)
from chamdiem.dsl.diagnostics import Language, Text
from chamdiem.platform.i18n import language_in_argv

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def register(subparsers: Any, language: Language | None = None) -> None:
    lang = language or language_in_argv(sys.argv[1:])
    t = Console(lang).text

    serve = subparsers.add_parser(
        "serve",
        help=t("chạy dịch vụ web và API", "run the web service and API"),
        description=t(
            "Chạy dịch vụ web (trang cho người dùng và API) trên uvicorn.",
            "Run the web service (pages and API) on uvicorn.",
        ),
    )
    add_lang_option(serve, lang)
    serve.add_argument(
        "--host",
        default=DEFAULT_HOST,
        metavar=t("ĐỊA_CHỈ", "HOST"),
        help=t(
            f"địa chỉ lắng nghe (mặc định {DEFAULT_HOST}; 0.0.0.0 để mở cho mạng nội bộ)",
            f"address to listen on (default {DEFAULT_HOST}; 0.0.0.0 for the local network)",
        ),
    )
    serve.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        metavar=t("CỔNG", "PORT"),
        help=t(f"cổng (mặc định {DEFAULT_PORT})", f"port (default {DEFAULT_PORT})"),
    )
    serve.add_argument(
        "--proxy-headers",
        action="store_true",
        help=t(
            "tin tiêu đề X-Forwarded-* của máy chủ chuyển tiếp (khi chạy sau nginx có TLS)",
            "trust X-Forwarded-* headers of the reverse proxy (behind nginx with TLS)",
        ),
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar=t("SỐ", "N"),
        help=t(
            "số tiến trình phục vụ (mặc định CHAMDIEM_WEB_WORKERS, hoặc mỗi lõi CPU một, tối đa 4)",
            "processes serving requests (default CHAMDIEM_WEB_WORKERS, or one per CPU core, "
            "at most 4)",
        ),
    )
    serve.add_argument(
        "--demo",
        action="store_true",
        help=t(
            "mở cơ sở dữ liệu mẫu của `chamdiem demo` (THƯ_MỤC_DỮ_LIỆU/demo/chamdiem.db) thay "
            "cho cơ sở dữ liệu đã cấu hình",
            "open the demo database of `chamdiem demo` (DATA_DIR/demo/chamdiem.db) instead "
            "of the configured one",
        ),
    )
    serve.set_defaults(run=_serve)

    user = subparsers.add_parser(
        "user",
        help=t("tài khoản người dùng", "user accounts"),
        description=t("tài khoản", "accounts"),
    )
    add_lang_option(user, lang)
    actions = user.add_subparsers(dest="user_command", metavar=t("LỆNH", "COMMAND"))
    actions.required = True
    add = actions.add_parser(
        "add",
        help=t("tạo tài khoản", "create an account"),
        description=t(
            "Vai trò: admin (quản trị), policy (soạn, công bố quy tắc), hr (cán bộ tổ chức: "
            "nhập, chạy, quyết định cho các đơn vị của mình), auditor (chỉ xem), unit_head "
            "(thủ trưởng: xem đơn vị mình).",
            "Roles: admin, policy (write and publish rules), hr (import, run, decide for their "
            "units), auditor (read only), unit_head (read their unit).",
        ),
    )
    add_lang_option(add, lang)
    add.add_argument(
        "username",
        metavar=t("TÊN_ĐĂNG_NHẬP", "USERNAME"),
        help=t("tên đăng nhập của tài khoản mới", "the new account's user name"),
    )
    add.add_argument(
        "--role",
        required=True,
        choices=["admin", "policy", "hr", "auditor", "unit_head"],
        help=t("vai trò (xem phần mô tả ở trên)", "the role (see the description above)"),
    )
    add.add_argument(
        "--units",
        nargs="+",
        default=[],
        metavar=t("MÃ_ĐƠN_VỊ", "UNIT"),
        help=t(
            "đơn vị phụ trách (gồm đơn vị trực thuộc); bắt buộc cho hr và unit_head",
            "units answered for (with those below); required for hr and unit_head",
        ),
    )
    add.add_argument(
        "--name",
        default=None,
        metavar=t("HỌ_TÊN", "NAME"),
        help=t("họ tên hiển thị", "display name"),
    )
    add.add_argument(
        "--password-stdin",
        action="store_true",
        help=t("đọc mật khẩu từ đầu vào chuẩn", "read the password from standard input"),
    )
    add.add_argument(
        "--api-only",
        action="store_true",
        help=t(
            "không mật khẩu: chỉ dùng API bằng mã truy cập", "no password: API with a token only"
        ),
    )
    add.set_defaults(run=_user_add)
    token = actions.add_parser(
        "token",
        help=t(
            "cấp mã truy cập API cho một tài khoản (in ra một lần)",
            "issue an API token for an account (printed once)",
        ),
    )
    add_lang_option(token, lang)
    token.add_argument(
        "username",
        metavar=t("TÊN_ĐĂNG_NHẬP", "USERNAME"),
        help=t("tên đăng nhập của tài khoản", "the account's user name"),
    )
    token.add_argument(
        "--name",
        default="api",
        metavar=t("TÊN", "NAME"),
        help=t(
            "tên của hệ thống sẽ dùng mã (mặc định api)",
            "the name of the system that will use the token (default api)",
        ),
    )
    token.set_defaults(run=_user_token)
    provision = actions.add_parser(
        "provision",
        help=t(
            "tạo tài khoản cho mọi người trong dữ liệu tổ chức (lặp lại không đổi gì)",
            "make an account for every person of the organisation (repeating changes nothing)",
        ),
        description=t(
            "Mỗi người một tài khoản: tên đăng nhập là mã người viết thường; vai trò theo cây "
            "tổ chức (người đứng đầu cơ quan: leader; trưởng, phó đơn vị: manager; còn lại: "
            "civil_servant); chưa có mật khẩu (đăng nhập lần đầu bằng mã dùng một lần do cán "
            "bộ tổ chức cấp). Người đã nghỉ bị khóa tài khoản, không bị xóa.",
            "One account per person: the user name is the person's code in lower case; the "
            "role from the organisation tree (head of a body: leader; head or deputy of a "
            "unit: manager; others: civil_servant); no password yet (the first sign-in is by "
            "a one-time code the HR officer hands out). A person who left is deactivated, "
            "never deleted.",
        ),
    )
    add_lang_option(provision, lang)
    provision.set_defaults(run=_user_provision)


def _console_for(args: argparse.Namespace) -> Console:
    return Console(command_language(args))


def _with_session(args: argparse.Namespace, work: Callable[[Any, Console, str], int]) -> int:
    """Open the configured database (which must be up to date) and run `work` with a session,
    turning a user's problem into a message and exit code 1."""
    from sqlalchemy.exc import SQLAlchemyError

    from chamdiem.platform.db.engine import make_engine, open_session
    from chamdiem.platform.services.errors import ServiceError
    from chamdiem.platform.settings import Settings
    from chamdiem.platform.web.app import require_current_schema

    settings = Settings()
    console = Console(command_language(args, settings))
    try:
        engine = make_engine(settings.database())
    except Exception as error:  # a malformed URL, a folder that cannot be made
        console.error(
            "chamdiem",
            Text(f"không mở được cơ sở dữ liệu: {error}", f"cannot open the database: {error}"),
        )
        return EXIT_USER
    try:
        require_current_schema(engine)
        with open_session(engine) as session:
            return work(session, console, settings.user)
    except ServiceError as error:
        console.error("chamdiem", error.message)
        return EXIT_USER
    except SQLAlchemyError as error:
        detail = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        console.error("chamdiem", Text(f"lỗi cơ sở dữ liệu: {detail}", f"database error: {detail}"))
        return EXIT_USER
    finally:
        engine.dispose()


def _read_password(args: argparse.Namespace, console: Console) -> str | None:
    if args.api_only:
        return None
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(console.text("Mật khẩu: ", "Password: "))
    second = getpass.getpass(console.text("Nhập lại mật khẩu: ", "Repeat it: "))
    if first != second:
        raise _Mismatch
    return first


class _Mismatch(Exception):
    pass


def _user_add(args: argparse.Namespace, _console: object = None) -> int:
    from chamdiem.platform.services.accounts import ROLE_TEXT, add_user

    console = _console_for(args)
    try:
        password = _read_password(args, console)
    except _Mismatch:
        console.error("chamdiem", Text("hai lần nhập mật khẩu khác nhau", "the passwords differ"))
        return EXIT_USER
    except (EOFError, KeyboardInterrupt):
        console.error("chamdiem", Text("không có mật khẩu", "no password given"))
        return EXIT_USER

    def work(session: Any, console: Console, actor: str) -> int:
        user = add_user(
            session, args.username, password, args.role, args.units, args.name, actor=actor
        )
        units = ", ".join(args.units) or console.text("toàn tỉnh", "whole province")
        role = ROLE_TEXT[user.role]
        console.say(
            Text(
                f"Đã tạo tài khoản {user.username} ({role.vi}; {units}).",
                f"Created account {user.username} ({role.en}; {units}).",
            )
        )
        return EXIT_OK

    return _with_session(args, work)


def _user_token(args: argparse.Namespace, _console: object = None) -> int:
    from chamdiem.platform.services.accounts import create_api_token

    def work(session: Any, console: Console, actor: str) -> int:
        made = create_api_token(session, args.username, args.name, actor=actor)
        console.say(
            Text(
                f"Mã truy cập API của {args.username} (chỉ hiện lần này):",
                f"API token of {args.username} (shown this once):",
            )
        )
        console.out(made.token)
        return EXIT_OK

    return _with_session(args, work)


def _user_provision(args: argparse.Namespace, _console: object = None) -> int:
    from chamdiem.platform.services.accounts import provision_accounts

    def work(session: Any, console: Console, actor: str) -> int:
        done = provision_accounts(session, actor=actor)
        console.say(
            Text(
                f"Tài khoản: {done.created} tạo mới, {done.updated} cập nhật, "
                f"{done.deactivated} khóa (người đã nghỉ), {done.unchanged} không đổi, "
                f"{len(done.skipped)} bỏ qua.",
                f"Accounts: {done.created} created, {done.updated} updated, "
                f"{done.deactivated} deactivated (people who left), {done.unchanged} "
                f"unchanged, {len(done.skipped)} skipped.",
            )
        )
        if done.skipped:
            shown = ", ".join(done.skipped[:20])
            console.say(
                Text(
                    f"Bỏ qua (mã không dùng được làm tên đăng nhập, hoặc tên đã có): {shown}",
                    f"Skipped (code unusable as a user name, or the name is taken): {shown}",
                )
            )
        return EXIT_OK

    return _with_session(args, work)


def _serve(args: argparse.Namespace, _console: object = None) -> int:
    import uvicorn

    from chamdiem.platform.services.errors import ServiceError
    from chamdiem.platform.web.app import prepare_service
    from chamdiem.platform.web.config import WebSettings, default_workers

    console = _console_for(args)
    if args.demo and not _use_demo_database(console):
        return EXIT_USER
    web = WebSettings()
    workers = args.workers if args.workers is not None else web.web_workers or default_workers()
    if workers < 1:
        console.error(
            "chamdiem", Text("--workers phải từ 1 trở lên", "--workers must be 1 or more")
        )
        return EXIT_USER
    try:
        prepare_service(web=web)
    except ServiceError as error:
        console.error("chamdiem", error.message)
        return EXIT_USER
    console.say(
        Text(
            f"Dịch vụ web chạy tại http://{args.host}:{args.port}/ với {workers} tiến trình "
            "(Ctrl+C để dừng).",
            f"The web service runs at http://{args.host}:{args.port}/ with {workers} "
            "processes (Ctrl+C to stop).",
        )
    )
    # Each process builds the app from the same settings (CHAMDIEM_* variables, .env).
    uvicorn.run(
        "chamdiem.platform.web.app:create_app",
        factory=True,
        workers=workers,
        host=args.host,
        port=args.port,
        proxy_headers=args.proxy_headers,
        forwarded_allow_ips="*" if args.proxy_headers else None,
        log_level="info",
    )
    return EXIT_OK


def _use_demo_database(console: Console) -> bool:
    """Point this process and the workers it starts at the demo's database; False (after
    saying why) when `chamdiem demo` has not made it."""
    from chamdiem.platform.demo.walkthrough import demo_database

    path = demo_database()
    if not path.exists():
        console.error(
            "--demo",
            Text(
                f"chưa có cơ sở dữ liệu mẫu {path}: chạy `chamdiem demo` trước",
                f"there is no demo database {path}: run `chamdiem demo` first",
            ),
        )
        return False
    os.environ["CHAMDIEM_DATABASE_URL"] = f"sqlite:///{path.resolve().as_posix()}"
    return True


def main(argv: list[str] | None = None) -> int:
    """`python -m chamdiem.cli.web …` runs these commands alone."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = standalone_parser(register, language_in_argv(arguments), lang_option=False)
    args = parse_or_exit_code(parser, arguments)
    if isinstance(args, int):
        return args
    code: int = args.run(args, None)
    return code


if __name__ == "__main__":
    sys.exit(main())
