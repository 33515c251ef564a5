"""The working-day calendar, the approval log and the National Database push:

    chamdiem calendar show YEAR | set DATE --off/--work --note TEXT | unset DATE
    chamdiem calendar add DATE N | between DATE DATE
    chamdiem approve RUN [--title T] [--note N]
    chamdiem verify-approval ID
    chamdiem national export --period P [-o FOLDER]
    chamdiem national push [--all] [--id N …]
    chamdiem national status

Each is a thin call into `chamdiem.platform.services` (working_days, approvals, national), run
by `chamdiem.cli.database.dispatch` (the configured database, a user's problem in one line).
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chamdiem.cli.console import EXIT_OK, EXIT_USER, Console, add_lang_option
from chamdiem.cli.database import dispatch
from chamdiem.cli.session import UserError
from chamdiem.dsl.diagnostics import Language, Text
from chamdiem.platform.i18n import count_text, language_in_argv

if TYPE_CHECKING:
    from sqlalchemy import Engine

Target = Callable[[argparse.Namespace, Console, "Engine", str], int]


def register(subparsers: Any, language: Language | None = None) -> None:
    lang = language or language_in_argv(sys.argv[1:])
    t = Console(lang).text

    def runs(parser: Any, target: Target) -> Any:
        add_lang_option(parser, lang)
        parser.set_defaults(platform_command=target, run=_run)
        return parser

    def group(name: str, vi: str, en: str) -> Any:
        parser = subparsers.add_parser(name, help=t(vi, en), description=t(vi, en))
        add_lang_option(parser, lang)
        actions = parser.add_subparsers(dest=f"{name}_command", metavar=t("LỆNH", "COMMAND"))
        actions.required = True
        return actions

    def action(actions: Any, name: str, vi: str, en: str, target: Target) -> Any:
        return runs(actions.add_parser(name, help=t(vi, en), description=t(vi, en)), target)

    day_help = t("ngày (2026-02-12 hoặc 12/02/2026)", "a date (2026-02-12 or 12/02/2026)")
    calendar = group(
        "calendar",
        "lịch ngày làm việc: ngày lễ, ngày nghỉ và ngày làm bù của tỉnh",
        "the working-day calendar: holidays, the province's days off and make-up days",
    )
    show = action(
        calendar,
        "show",
        "liệt kê ngày nghỉ lễ, nghỉ bù và ngày làm bù của một năm",
        "list a year's holidays, days off and make-up working days",
        _calendar_show,
    )
    show.add_argument("year", type=int, metavar=t("NĂM", "YEAR"), help=t("năm", "the year"))
    set_day = action(
        calendar,
        "set",
        "đặt một ngày nghỉ hoặc ngày làm bù của tỉnh",
        "set one of the province's days off or make-up working days",
        _calendar_set,
    )
    set_day.add_argument("day", metavar=t("NGÀY", "DATE"), help=day_help)
    kind = set_day.add_mutually_exclusive_group(required=True)
    kind.add_argument("--off", action="store_true", help=t("ngày nghỉ", "a day off"))
    kind.add_argument("--work", action="store_true", help=t("ngày làm việc", "a working day"))
    set_day.add_argument(
        "--note",
        required=True,
        metavar=t("GHI_CHÚ", "NOTE"),
        help=t("lý do (số quyết định, dịp)", "why (the decision's number, the occasion)"),
    )
    unset = action(
        calendar,
        "unset",
        "bỏ ngày tỉnh đã đặt (theo lịch quốc gia)",
        "remove a day the province set (back to the national calendar)",
        _calendar_unset,
    )
    unset.add_argument("day", metavar=t("NGÀY", "DATE"), help=day_help)
    add = action(
        calendar,
        "add",
        "ngày làm việc thứ N sau một ngày (hạn trả lời kiến nghị: 7)",
        "the N-th working day after a date (an appeal's answer: 7)",
        _calendar_add,
    )
    add.add_argument("day", metavar=t("NGÀY", "DATE"), help=day_help)
    add.add_argument(
        "n", type=int, metavar="N", help=t("số ngày làm việc", "how many working days")
    )
    between = action(
        calendar,
        "between",
        "số ngày làm việc sau ngày đầu đến hết ngày sau",
        "the working days after the first date up to and including the second",
        _calendar_between,
    )
    between.add_argument("start", metavar=t("TỪ", "FROM"), help=day_help)
    between.add_argument("end", metavar=t("ĐẾN", "TO"), help=day_help)

    approve = runs(
        subparsers.add_parser(
            "approve",
            help=t(
                "phê duyệt báo cáo kết quả của một lần chạy (ghi nhật ký, mã băm SHA-256)",
                "approve a run's result report (logged with its SHA-256)",
            ),
        ),
        _approve,
    )
    approve.add_argument(
        "run_id",
        type=int,
        metavar=t("LẦN_CHẠY", "RUN"),
        help=t("số của lần chạy", "the run's number"),
    )
    approve.add_argument(
        "--title",
        metavar=t("CHỨC_VỤ", "TITLE"),
        help=t("chức vụ người phê duyệt", "the approver's position"),
    )
    approve.add_argument("--note", metavar=t("GHI_CHÚ", "NOTE"), help=t("ghi chú", "a note"))
    verify = runs(
        subparsers.add_parser(
            "verify-approval",
            help=t(
                "tính lại mã băm báo cáo đã phê duyệt và đối chiếu",
                "recompute an approved report's hash and compare",
            ),
        ),
        _verify_approval,
    )
    verify.add_argument(
        "approval_id",
        type=int,
        metavar=t("SỐ_PHÊ_DUYỆT", "APPROVAL"),
        help=t("số phê duyệt (xem `chamdiem approve`)", "the approval's number"),
    )

    national = group(
        "national",
        "gửi kết quả lên Cơ sở dữ liệu quốc gia về CBCCVC",
        "push results to the National Database of civil servants",
    )
    export = action(
        national,
        "export",
        "lập dữ liệu gửi (JSON, Excel) từ kết quả đã phê duyệt của kỳ và đưa vào hàng đợi",
        "prepare the period's approved results (JSON, Excel) and queue them",
        _national_export,
    )
    export.add_argument(
        "--period", required=True, metavar=t("KỲ", "PERIOD"), help=t("kỳ đánh giá", "the period")
    )
    export.add_argument(
        "-o",
        "--output",
        metavar=t("THƯ_MỤC", "FOLDER"),
        help=t(
            "thư mục ghi tệp (mặc định DATA_DIR/quoc_gia)",
            "the folder for the files (default DATA_DIR/quoc_gia)",
        ),
    )
    push = action(
        national,
        "push",
        "gửi các bản tin đến hạn (thử lại khi lỗi)",
        "send the messages that are due (retried on failure)",
        _national_push,
    )
    push.add_argument(
        "--all",
        action="store_true",
        help=t(
            "gửi ngay mọi bản tin chưa gửi, cả bản tin đã thất bại",
            "send every unsent message now, failed ones too",
        ),
    )
    push.add_argument(
        "--id",
        type=int,
        nargs="+",
        metavar=t("SỐ", "ID"),
        help=t("chỉ các bản tin này", "only these messages"),
    )
    action(
        national,
        "status",
        "hàng đợi gửi và hạn (5 ngày làm việc sau phê duyệt)",
        "the outbox and its deadlines (5 working days after approval)",
        _national_status,
    )


def _run(args: argparse.Namespace, _console: object) -> int:
    return dispatch(args)


def _session(engine: Engine) -> Any:
    from chamdiem.platform.db.engine import open_session

    return open_session(engine)


_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_VI = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def parse_day(text: str) -> date:
    value = text.strip()
    try:
        if match := _ISO.fullmatch(value):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := _VI.fullmatch(value):
            return date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        pass
    raise UserError(
        Text(
            f"ngày không hợp lệ: {text!r} (viết 2026-02-12 hoặc 12/02/2026)",
            f"invalid date: {text!r} (write 2026-02-12 or 12/02/2026)",
        )
    )


def _shown(day: date, language: Language) -> str:
    return f"{day:%d/%m/%Y}" if language == "vi" else day.isoformat()


WEEKDAYS = {
    "vi": ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}


# ---------------------------------------------------------------- calendar


def _calendar_show(args: argparse.Namespace, out: Console, engine: Engine, user: str) -> int:
    from chamdiem.platform.services.working_days import (
        YEARS,
        load_calendar,
        missing_years_note,
    )

    with _session(engine) as session:
        calendar = load_calendar(session)
        session.commit()
    lang = out.language
    for day, working, what in calendar.days_off(args.year):
        word = out.text("làm việc", "working") if working else out.text("nghỉ", "off")
        weekday = WEEKDAYS[lang][day.weekday()]
        out.out(f"{_shown(day, lang)}  {weekday:<9} {word:<9} {what.in_(lang)}")
    data = YEARS.get(args.year)
    if data is None:
        note = missing_years_note([args.year])
        if note is not None:
            out.err(note.in_(lang))
    elif not data.verified:
        out.err(
            out.text(
                f"lưu ý: ngày Tết, Giỗ Tổ và ngày hoán đổi năm {args.year} cần đối chiếu với "
                f"thông báo của Chính phủ ({data.source or 'theo Bộ luật Lao động'}); sửa bằng "
                "`chamdiem calendar set`",
                f"note: Tết, the Hùng Kings' day and swapped days of {args.year} are to be "
                f"checked against the Government's announcement ({data.source or 'Labour Code'}); "
                "correct them with `chamdiem calendar set`",
            )
        )
    return EXIT_OK


def _calendar_set(args: argparse.Namespace, out: Console, engine: Engine, user: str) -> int:
    from chamdiem.platform.services.working_days import set_province_day

    day = parse_day(args.day)
    with _session(engine) as session:
        set_province_day(session, day, working=bool(args.work), note=args.note, actor=user)
    shown = _shown(day, out.language)
    if args.work:
        out.out(out.text(f"{shown} là ngày làm việc của tỉnh.", f"{shown} is a working day."))
    else:
        out.out(out.text(f"{shown} là ngày nghỉ của tỉnh.", f"{shown} is a day off."))
    return EXIT_OK


def _calendar_unset(args: argparse.Namespace, out: Console, engine: Engine, user: str) -> int:
    from chamdiem.platform.services.working_days import unset_province_day

    day = parse_day(args.day)
    with _session(engine) as session:
        removed = unset_province_day(session, day, actor=user)
    shown = _shown(day, out.language)
    if removed:
        out.out(out.text(f"Đã bỏ ngày {shown} của tỉnh.", f"Removed the province's {shown}."))
    else:
        out.out(out.text(f"Tỉnh chưa đặt ngày {shown}.", f"The province had not set {shown}."))
    return EXIT_OK


def _warn_missing(out: Console, start: date, end: date) -> None:
    from chamdiem.platform.services.working_days import missing_years, missing_years_note

    note = missing_years_note(missing_years(start, end))
    if note is not None:
        out.err(note.in_(out.language))


def _calendar_add(args: argparse.Namespace, out: Console, engine: Engine, user: str) -> int:
    from chamdiem.platform.services.working_days import MAX_WORKING_DAYS, load_calendar

    start = parse_day(args.day)
    if not 0 <= args.n <= MAX_WORKING_DAYS:
        raise UserError(
            Text(f"N phải từ 0 đến {MAX_WORKING_DAYS}", f"N must be from 0 to {MAX_WORKING_DAYS}")
        )
    with _session(engine) as session:
        calendar = load_calendar(session)
        session.commit()
    end = calendar.add_working_days(start, args.n)
    lang = out.language
    out.out(f"{_shown(end, lang)} ({WEEKDAYS[lang][end.weekday()]})")
    _warn_missing(out, start, end)
    return EXIT_OK


def _calendar_between(args: argparse.Namespace, out: Console, engine: Engine, user: str) -> int:
    from chamdiem.platform.services.working_days import load_calendar

    start, end = parse_day(args.start), parse_day(args.end)
    with _session(engine) as session:
        calendar = load_calendar(session)
        session.commit()
    out.out(str(calendar.working_days_between(start, end)))
    _warn_missing(out, start, end)
    return EXIT_OK


# ---------------------------------------------------------------- approvals


def _approve(args: argparse.Namespace, out: Console, engine: Engine, user: str) -> int:
    from chamdiem.platform.services.approvals import approve_run

    with _session(engine) as session:
        done = approve_run(session, args.run_id, actor=user, title=args.title, note=args.note)
    approval = done.approval
    lang = out.language
    if done.created:
        out.out(
            out.text(
                f"Phê duyệt số {approval.id}: báo cáo lần chạy #{approval.run_id} "
                f"({count_text(approval.results, lang)} kết quả, "
                f"{count_text(approval.decisions, lang)} quyết định), người phê duyệt {user}, "
                f"SHA-256 {approval.content_sha256}.",
                f"Approval {approval.id}: run #{approval.run_id}'s report "
                f"({count_text(approval.results, lang)} result(s), "
                f"{count_text(approval.decisions, lang)} decision(s)), approved by {user}, "
                f"SHA-256 {approval.content_sha256}.",
            )
        )
    else:
        out.out(
            out.text(
                f"Báo cáo này đã được phê duyệt (số {approval.id}, {approval.approved_by}); "
                "không thay đổi gì.",
                f"This report was approved already (approval {approval.id}, "
                f"{approval.approved_by}); nothing changed.",
            )
        )
    return EXIT_OK


def _verify_approval(args: argparse.Namespace, out: Console, engine: Engine, user: str) -> int:
    from chamdiem.platform.services.approvals import verify_approval

    with _session(engine) as session:
        check = verify_approval(session, args.approval_id)
    approval = check.approval
    at = approval.approved_at.isoformat(timespec="seconds")
    if check.ok:
        out.out(
            out.text(
                f"Phê duyệt số {approval.id} khớp: báo cáo lần chạy #{approval.run_id} (kỳ "
                f"{check.period}) do {approval.approved_by} phê duyệt lúc {at}, SHA-256 "
                f"{approval.content_sha256}.",
                f"Approval {approval.id} verified: run #{approval.run_id}'s report (period "
                f"{check.period}) approved by {approval.approved_by} at {at}, SHA-256 "
                f"{approval.content_sha256}.",
            )
        )
        return EXIT_OK
    out.err(
        out.text(
            f"Phê duyệt số {approval.id} KHÔNG khớp: đã phê duyệt {approval.content_sha256}, "
            f"dữ liệu hiện nay cho {check.recomputed_sha256}; kết quả hoặc quyết định đã bị "
            "thay đổi sau khi phê duyệt.",
            f"Approval {approval.id} does NOT verify: approved {approval.content_sha256}, the "
            f"data now gives {check.recomputed_sha256}; results or decisions changed after the "
            "approval.",
        )
    )
    return EXIT_USER


# ---------------------------------------------------------------- the national push


def _national_export(args: argparse.Namespace, out: Console, engine: Engine, user: str) -> int:
    from chamdiem.platform.excel.xlsx import SheetSpec, number_text, write_xlsx
    from chamdiem.platform.services.national import FIELDS, payload_of, queue_period
    from chamdiem.platform.services.national_transport import NationalSettings

    settings = NationalSettings()
    folder = Path(args.output) if args.output else settings.data_dir / "quoc_gia"
    with _session(engine) as session:
        queued = queue_period(session, args.period, actor=user)
    folder.mkdir(parents=True, exist_ok=True)
    lang = out.language
    for item in queued:
        row = item.outbox
        payload = payload_of(row)
        stem = f"csdl_quoc_gia_{payload['ky']['ma']}_{item.ruleset}_{row.id}"
        _atomic(folder / f"{stem}.json", row.payload_json.encode("utf-8"))
        header = [label.in_(lang) for _, label in FIELDS]
        rows = [
            [
                number_text(record[name]) if name == "tong_diem" else _cell(record[name])
                for name, _ in FIELDS
            ]
            for record in payload["ban_ghi"]
        ]
        temporary = folder / f".{stem}.{secrets.token_hex(4)}.xlsx"
        write_xlsx(
            temporary,
            [SheetSpec("ket_qua", header, rows, freeze=(1, 2), autofilter=True)],
        )
        os.replace(temporary, folder / f"{stem}.xlsx")
        state = (
            out.text("mới đưa vào hàng đợi", "queued now")
            if item.created
            else out.text(f"đã có trong hàng đợi ({row.status})", f"already queued ({row.status})")
        )
        out.out(
            out.text(
                f"Bản tin #{row.id} ({item.ruleset}, kỳ {payload['ky']['ma']}): "
                f"{count_text(row.records, lang)} người, {state}, hạn gửi "
                f"{_shown(row.due_on, lang)}; {folder / stem}.json, .xlsx",
                f"Message #{row.id} ({item.ruleset}, period {payload['ky']['ma']}): "
                f"{count_text(row.records, lang)} people, {state}, due "
                f"{_shown(row.due_on, lang)}; {folder / stem}.json, .xlsx",
            )
        )
    return EXIT_OK


def _cell(value: object) -> object:
    if isinstance(value, list):
        return "; ".join(str(item) for item in value) or None
    return value


def _atomic(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def _national_push(args: argparse.Namespace, out: Console, engine: Engine, user: str) -> int:
    from chamdiem.platform.services.national import push_due
    from chamdiem.platform.services.national_transport import (
        NationalSettings,
        transport_from_settings,
    )

    settings = NationalSettings()
    transport = transport_from_settings(settings)
    with _session(engine) as session:
        outcomes = push_due(
            session,
            transport,
            actor=user,
            max_attempts=settings.national_max_attempts,
            everything=args.all,
            only=args.id or (),
        )
    if not outcomes:
        out.out(out.text("Không có bản tin nào đến hạn gửi.", "No message is due."))
        return EXIT_OK
    failed = 0
    for done in outcomes:
        if done.status == "sent":
            out.out(
                out.text(
                    f"Bản tin #{done.outbox_id} (kỳ {done.period}): đã gửi tới "
                    f"{transport.destination} (lần thử {done.attempts}).",
                    f"Message #{done.outbox_id} (period {done.period}): sent to "
                    f"{transport.destination} (attempt {done.attempts}).",
                )
            )
            continue
        failed += 1
        later = (
            done.next_attempt_at.isoformat(timespec="seconds")
            if done.next_attempt_at
            else out.text("không thử lại", "not retried")
        )
        out.err(
            out.text(
                f"Bản tin #{done.outbox_id} (kỳ {done.period}): chưa gửi được ({done.error}); "
                f"lần thử {done.attempts}, thử lại: {later}.",
                f"Message #{done.outbox_id} (period {done.period}): not sent ({done.error}); "
                f"attempt {done.attempts}, next: {later}.",
            )
        )
    return EXIT_USER if failed else EXIT_OK


STATUS_WORDS = {
    "pending": Text("chờ gửi", "pending"),
    "sent": Text("đã gửi", "sent"),
    "failed": Text("thất bại", "failed"),
}


def _national_status(args: argparse.Namespace, out: Console, engine: Engine, user: str) -> int:
    from chamdiem.platform.services.national import outbox_status

    with _session(engine) as session:
        lines = outbox_status(session)
    lang = out.language
    if not lines:
        out.out(out.text("Chưa có báo cáo nào được phê duyệt.", "No report is approved yet."))
        return EXIT_OK
    late = 0
    for line in lines:
        if line.outbox is None:
            what = out.text(
                f"phê duyệt số {line.approval.id}, chưa lập bản tin",
                f"approval {line.approval.id}, not exported",
            )
        else:
            row = line.outbox
            what = out.text(
                f"bản tin #{row.id}: {STATUS_WORDS[row.status].vi}, {row.records} người, "
                f"{row.attempts} lần thử",
                f"message #{row.id}: {STATUS_WORDS[row.status].en}, {row.records} people, "
                f"{row.attempts} attempt(s)",
            )
            if row.last_error:
                what += f" ({row.last_error})"
        due = out.text(f"hạn {_shown(line.due_on, lang)}", f"due {_shown(line.due_on, lang)}")
        text = f"{line.period} {line.ruleset}: {what}; {due}"
        warning = line.warning
        if not line.sent and line.working_days_left < 0:
            late += 1
        if warning is not None:
            out.out(f"{text}; {warning.in_(lang)}")
        else:
            out.out(text)
    return EXIT_USER if late else EXIT_OK
