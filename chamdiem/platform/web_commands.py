"""The web service's commands:

    chamdiem serve [--host H] [--port P]
    chamdiem user add USERNAME --role R [--units U …] [--name "Họ tên"] [--api-only]
    chamdiem user token USERNAME [--name NAME]

`register(subparsers, language)` adds them to `chamdiem`'s parser (each sets `run(args,
console)` as cli.py's commands do). Settings come from CHAMDIEM_* variables or `.env`, as for
every command. A password is asked for twice without echo (or read from standard input with
`--password-stdin`, for scripts); it is never an argument (it would stay in the shell history).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from typing import Any

from chamdiem.dsl.diagnostics import Language, Text
from chamdiem.platform.i18n import language_in_argv, resolve_language

EXIT_OK, EXIT_USER = 0, 1
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def register(subparsers: Any, language: Language | None = None) -> None:
    lang = language or language_in_argv(sys.argv[1:])

    def t(vi: str, en: str) -> str:
        return vi if lang == "vi" else en

    serve = subparsers.add_parser(
        "serve",
        help=t("chạy dịch vụ web và API", "run the web service and API"),
        description=t(
            "Chạy dịch vụ web (trang cho người dùng và API) trên uvicorn.",
            "Run the web service (pages and API) on uvicorn.",
        ),
    )
    _lang_option(serve, t)
    serve.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=t(
            f"địa chỉ lắng nghe (mặc định {DEFAULT_HOST}; 0.0.0.0 để mở cho mạng nội bộ)",
            f"address to listen on (default {DEFAULT_HOST}; 0.0.0.0 for the local network)",
        ),
    )
    serve.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=t("cổng (mặc định 8000)", "port (8000)")
    )
    serve.add_argument(
        "--proxy-headers",
        action="store_true",
        help=t(
            "tin tiêu đề X-Forwarded-* của máy chủ chuyển tiếp (khi chạy sau nginx có TLS)",
            "trust X-Forwarded-* headers of the reverse proxy (behind nginx with TLS)",
        ),
    )
    serve.set_defaults(run=_serve)

    user = subparsers.add_parser(
        "user",
        help=t("tài khoản người dùng", "user accounts"),
        description=t("tài khoản", "accounts"),
    )
    _lang_option(user, t)
    actions = user.add_subparsers(dest="user_command", metavar="COMMAND")
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
    _lang_option(add, t)
    add.add_argument("username", metavar=t("TÊN_ĐĂNG_NHẬP", "USERNAME"))
    add.add_argument(
        "--role", required=True, choices=["admin", "policy", "hr", "auditor", "unit_head"]
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
    add.add_argument("--name", default=None, help=t("họ tên hiển thị", "display name"))
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
    _lang_option(token, t)
    token.add_argument("username", metavar=t("TÊN_ĐĂNG_NHẬP", "USERNAME"))
    token.add_argument("--name", default="api", help=t("tên hệ thống dùng mã", "system name"))
    token.set_defaults(run=_user_token)


def _lang_option(parser: argparse.ArgumentParser, t: Callable[[str, str], str]) -> None:
    parser.add_argument(
        "--lang",
        choices=["vi", "en"],
        default=argparse.SUPPRESS,
        help=t("ngôn ngữ thông báo", "language of messages"),
    )


def _language(args: argparse.Namespace) -> Language:
    from chamdiem.platform.settings import Settings

    flag = getattr(args, "lang", None)
    return resolve_language(flag) if flag else Settings().lang


def _say(language: Language, text: Text, *, error: bool = False) -> None:
    if error:
        word = "lỗi" if language == "vi" else "error"
        print(f"chamdiem: {word}: {text.in_(language)}", file=sys.stderr)
    else:
        print(text.in_(language))


def _with_session(args: argparse.Namespace, work: Callable[[Any, Language, str], int]) -> int:
    """Open the configured database (which must be up to date) and run `work` with a session,
    turning a user's problem into a message and exit code 1."""
    from sqlalchemy.exc import SQLAlchemyError

    from chamdiem.platform.db.engine import make_engine, open_session
    from chamdiem.platform.services.errors import ServiceError
    from chamdiem.platform.settings import Settings
    from chamdiem.platform.web.app import require_current_schema

    settings = Settings()
    language = _language(args)
    try:
        engine = make_engine(settings.database())
    except Exception as error:  # a malformed URL, a folder that cannot be made
        _say(
            language,
            Text(f"không mở được cơ sở dữ liệu: {error}", f"cannot open the database: {error}"),
            error=True,
        )
        return EXIT_USER
    try:
        require_current_schema(engine)
        with open_session(engine) as session:
            return work(session, language, settings.user)
    except ServiceError as error:
        _say(language, error.message, error=True)
        return EXIT_USER
    except SQLAlchemyError as error:
        detail = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        _say(
            language, Text(f"lỗi cơ sở dữ liệu: {detail}", f"database error: {detail}"), error=True
        )
        return EXIT_USER
    finally:
        engine.dispose()


def _read_password(args: argparse.Namespace, language: Language) -> str | None:
    if args.api_only:
        return None
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Mật khẩu: " if language == "vi" else "Password: ")
    second = getpass.getpass("Nhập lại mật khẩu: " if language == "vi" else "Repeat it: ")
    if first != second:
        raise _Mismatch
    return first


class _Mismatch(Exception):
    pass


def _user_add(args: argparse.Namespace, _console: object = None) -> int:
    from chamdiem.platform.services.accounts import ROLE_TEXT, add_user

    language = _language(args)
    try:
        password = _read_password(args, language)
    except _Mismatch:
        _say(language, Text("hai lần nhập mật khẩu khác nhau", "the passwords differ"), error=True)
        return EXIT_USER
    except (EOFError, KeyboardInterrupt):
        _say(language, Text("không có mật khẩu", "no password given"), error=True)
        return EXIT_USER

    def work(session: Any, lang: Language, actor: str) -> int:
        user = add_user(
            session, args.username, password, args.role, args.units, args.name, actor=actor
        )
        units = ", ".join(args.units) or Text("toàn tỉnh", "whole province").in_(lang)
        role = ROLE_TEXT[user.role]
        _say(
            lang,
            Text(
                f"Đã tạo tài khoản {user.username} ({role.vi}; {units}).",
                f"Created account {user.username} ({role.en}; {units}).",
            ),
        )
        return EXIT_OK

    return _with_session(args, work)


def _user_token(args: argparse.Namespace, _console: object = None) -> int:
    from chamdiem.platform.services.accounts import create_api_token

    def work(session: Any, lang: Language, actor: str) -> int:
        made = create_api_token(session, args.username, args.name, actor=actor)
        _say(
            lang,
            Text(
                f"Mã truy cập API của {args.username} (chỉ hiện lần này):",
                f"API token of {args.username} (shown this once):",
            ),
        )
        print(made.token)
        return EXIT_OK

    return _with_session(args, work)


def _serve(args: argparse.Namespace, _console: object = None) -> int:
    import uvicorn

    from chamdiem.platform.services.errors import ServiceError
    from chamdiem.platform.web.app import create_app

    language = _language(args)
    try:
        app = create_app()
    except ServiceError as error:
        _say(language, error.message, error=True)
        return EXIT_USER
    _say(
        language,
        Text(
            f"Dịch vụ web chạy tại http://{args.host}:{args.port}/ (Ctrl+C để dừng).",
            f"The web service runs at http://{args.host}:{args.port}/ (Ctrl+C to stop).",
        ),
    )
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        proxy_headers=args.proxy_headers,
        forwarded_allow_ips="*" if args.proxy_headers else None,
        log_level="info",
    )
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """`python -m chamdiem.platform.web_commands …` runs these commands alone."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="chamdiem")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    register(commands, language_in_argv(arguments))
    try:
        args = parser.parse_args(arguments)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 2
    code: int = args.run(args, None)
    return code


if __name__ == "__main__":
    sys.exit(main())
