"""The rule-version commands: `fmt`, `diff` and `doc` (and the arguments of `impact` and
`history`, run by chamdiem.cli.impact).

    chamdiem fmt FILE|DIR… [--check]   canonical layout, rewritten in place (atomically);
                                       --check lists the files that would change, exit 1
    chamdiem diff OLD NEW [--exit-code] what changed in meaning; OLD and NEW are files or
                                       REV:path, read with `git show` from the repository
                                       that holds the current directory
    chamdiem doc RULES… -o DIR          static HTML documentation

`register(subparsers)` adds the commands to the `chamdiem` parser and `dispatch(args)` runs
the one chosen; `main(argv)` runs them on their own. Everything said goes through
Text(vi, en) (`--lang`, else CHAMDIEM_LANG, else Vietnamese). Exit codes as for every command:
0 ok, 1 a user's problem (a syntax error, a file to reformat, a missing revision), 2 usage.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from chamdiem.cli.argparse_vi import install as install_argparse_words
from chamdiem.cli.console import (
    EXIT_OK,
    EXIT_USAGE,
    EXIT_USER,
    LANG_HELP_DEFAULT,
    Console,
    Unreadable,
    add_lang_option,
    add_progress_option,
    decode_text,
    parse_or_exit_code,
    read_text,
    rule_files,
    silence_stdout,
)
from chamdiem.dsl.diagnostics import Language, Text, has_errors
from chamdiem.platform.i18n import language_in_argv, resolve_language

if TYPE_CHECKING:
    from chamdiem.dsl.syntax import Module

__all__ = ["dispatch", "main", "register"]

COMMANDS = ("fmt", "diff", "doc")
VERSION_HELP = (
    (
        "phiên bản cũ: tệp hoặc PHIÊN_BẢN:đường_dẫn trong git",
        "the old version: a file or REV:path in git",
    ),
    (
        "phiên bản mới: tệp hoặc PHIÊN_BẢN:đường_dẫn trong git",
        "the new version: a file or REV:path in git",
    ),
)


# ---------------------------------------------------------------- argument parsing


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: Sequence[argparse.ArgumentParser] = (),
    language: Language | None = None,
) -> None:
    """Add `fmt`, `diff`, `doc`, `impact` and `history` to a `chamdiem` subparsers object.
    `parents` are passed to each command's parser (a common `--lang`); without them each gets
    its own `--lang`. Each command sets `rule_command` (for `dispatch`) and `run(args,
    console)` (the entry point's convention), so either way of wiring works."""
    lang = language or resolve_language(None)
    t = Console(lang).text

    def command(name: str, help_text: str, description: str) -> argparse.ArgumentParser:
        parser = subparsers.add_parser(
            name, parents=list(parents), help=help_text, description=description
        )
        if not parents:
            add_lang_option(parser, lang, LANG_HELP_DEFAULT)
        parser.set_defaults(rule_command=name, run=_run_from_cli)
        return parser

    fmt = command(
        "fmt",
        t("định dạng tệp quy tắc theo mẫu chuẩn", "format rule files in the canonical layout"),
        t(
            "Viết lại tệp quy tắc (thư mục: mọi tệp *.rules bên trong) theo cách trình bày "
            "chuẩn, giữ nguyên chú thích và ý nghĩa. Với --check chỉ liệt kê các tệp cần định "
            "dạng lại (mã thoát 1 nếu có), không ghi gì.",
            "Rewrite rule files (a folder: every *.rules below it) in the canonical layout, "
            "keeping comments and meaning. With --check only list the files that would change "
            "(exit 1 if any), writing nothing.",
        ),
    )
    fmt.add_argument(
        "files",
        nargs="+",
        metavar=t("TỆP", "FILE"),
        help=t("tệp quy tắc hoặc thư mục chứa chúng", "rule files, or folders holding them"),
    )
    fmt.add_argument(
        "--check",
        action="store_true",
        help=t("chỉ kiểm tra, không ghi (cho CI)", "check only, write nothing (for CI)"),
    )

    diff = command(
        "diff",
        t("so sánh nội dung hai phiên bản tệp quy tắc", "compare two versions of a rule file"),
        t(
            "Liệt kê các thay đổi về nội dung từ CŨ sang MỚI (bỏ qua thay đổi cách trình bày). "
            "CŨ, MỚI là đường dẫn tệp hoặc PHIÊN_BẢN:đường_dẫn trong git (ví dụ "
            "HEAD~1:rules/cong_chuc_quy.rules).",
            "List the changes of meaning from OLD to NEW (layout changes are ignored). OLD and "
            "NEW are file paths or REV:path in git (e.g. HEAD~1:rules/cong_chuc_quy.rules).",
        ),
    )
    diff.add_argument("old", metavar=t("CŨ", "OLD"), help=t(*VERSION_HELP[0]))
    diff.add_argument("new", metavar=t("MỚI", "NEW"), help=t(*VERSION_HELP[1]))
    diff.add_argument(
        "--exit-code",
        action="store_true",
        help=t("mã thoát 1 khi có thay đổi", "exit 1 when there are changes"),
    )

    doc = command(
        "doc",
        t("tạo trang tài liệu HTML từ tệp quy tắc", "generate HTML documentation"),
        t(
            "Tạo các trang HTML tĩnh mô tả cách chấm điểm, xếp loại của từng bộ tiêu chí, cho "
            "người được đánh giá đọc.",
            "Generate static HTML pages describing how each rule set scores and grades, for "
            "the people being scored.",
        ),
    )
    doc.add_argument(
        "rules",
        nargs="+",
        metavar=t("QUY_TẮC", "RULES"),
        help=t("tệp quy tắc hoặc thư mục chứa chúng", "rule files, or folders holding them"),
    )
    doc.add_argument(
        "-o",
        "--out",
        required=True,
        metavar=t("THƯ_MỤC", "DIR"),
        help=t("thư mục ghi các trang", "folder to write the pages to"),
    )

    impact = command(
        "impact",
        t(
            "ảnh hưởng của thay đổi quy tắc trên dữ liệu đã lưu",
            "what a rule change does on stored data",
        ),
        t(
            "Đánh giá cả hai phiên bản CŨ, MỚI trên cùng dữ liệu đã lưu của kỳ: ma trận chuyển "
            "mức xếp loại chung và theo đơn vị, những người đổi mức cùng các tiêu chí làm họ "
            "đổi mức. Với -o ghi thêm sổ tính Excel.",
            "Evaluate both versions on the period's stored data: the grade-transition matrix "
            "overall and per unit, and the people whose grade changes with the criteria that "
            "moved them. With -o also write an Excel workbook.",
        ),
    )
    impact.add_argument("old", metavar=t("CŨ", "OLD"), help=t(*VERSION_HELP[0]))
    impact.add_argument("new", metavar=t("MỚI", "NEW"), help=t(*VERSION_HELP[1]))
    impact.add_argument(
        "--period",
        required=True,
        metavar=t("KỲ", "PERIOD"),
        help=t(
            "kỳ có dữ liệu đã nhập (2026, 2026-Q1, 2026-03)",
            "a period with imported data (2026, 2026-Q1, 2026-03)",
        ),
    )
    impact.add_argument(
        "--units",
        nargs="+",
        metavar=t("ĐƠN_VỊ", "UNIT"),
        default=None,
        help=t("chỉ các đơn vị này và cấp dưới", "only these units and those below them"),
    )
    impact.add_argument(
        "-o",
        "--out",
        metavar=t("TỆP", "FILE"),
        default=None,
        help=t("ghi thêm sổ tính .xlsx này", "also write this .xlsx workbook"),
    )
    add_progress_option(impact, lang)

    history = command(
        "history",
        t(
            "kết quả xếp loại của một người qua các kỳ, kèm phiên bản quy tắc",
            "a person's grades across periods with the rule version of each",
        ),
        t(
            "Liệt kê tổng điểm, mức xếp loại (và quyết định của cấp có thẩm quyền nếu có) của "
            "một người qua các kỳ, mỗi kỳ kèm phiên bản quy tắc (SHA-256, commit git) đã tính ra.",
            "List a person's totals and grades (and the competent authority's decision, if "
            "any) across periods, each with the rule version (SHA-256, git commit) used.",
        ),
    )
    history.add_argument(
        "person", metavar=t("MÃ_NGƯỜI", "PERSON"), help=t("mã của người", "the person's code")
    )


def dispatch(args: argparse.Namespace) -> int:
    """Run the command chosen by `register`'s parsers."""
    out = Console(resolve_language(getattr(args, "lang", None)))
    command = getattr(args, "rule_command", None)
    if command == "fmt":
        return run_fmt(args.files, args.check, out)
    if command == "diff":
        return run_diff(args.old, args.new, args.exit_code, out)
    if command == "doc":
        return run_doc(args.rules, Path(args.out), out)
    if command == "impact":
        from chamdiem.cli.impact import run_impact

        return run_impact(args, out)
    if command == "history":
        from chamdiem.cli.impact import run_history

        return run_history(args.person, out)
    out.error("chamdiem", Text("lệnh không rõ", "unknown command"))
    return EXIT_USAGE


def _run_from_cli(args: argparse.Namespace, _console: object) -> int:
    return dispatch(args)


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m chamdiem.cli.versions fmt|diff|doc …`."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    language = language_in_argv(arguments)
    install_argparse_words(language)
    parser = argparse.ArgumentParser(prog="chamdiem")
    register(parser.add_subparsers(dest="command", required=True), language=language)
    args = parse_or_exit_code(parser, arguments)
    if isinstance(args, int):
        return args
    try:
        return dispatch(args)
    except BrokenPipeError:  # the reader went away (`| head`)
        silence_stdout()
        return EXIT_USER


# ---------------------------------------------------------------- writing files


def write_atomically(path: Path, text: str) -> None:
    """Replace the file's content in one step: a reader sees the old or the new file, never
    half of one. The file keeps its permissions."""
    mode = path.stat().st_mode & 0o7777 if path.exists() else None
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(text.encode("utf-8"))
            stream.flush()
            os.fsync(stream.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------- fmt


def run_fmt(arguments: Sequence[str], check: bool, out: Console) -> int:
    from chamdiem.dsl.format import FormatError, format_source

    files, missing = rule_files(arguments, out)
    changed = unchanged = failed = 0
    for path in files:
        try:
            source = read_text(path)
            formatted = format_source(source, str(path))
        except Unreadable as exc:
            out.error(str(path), exc.message)
            failed += 1
            continue
        except FormatError as exc:
            out.err(out.rule_errors(exc))
            out.error(
                str(path),
                Text(
                    "tệp có lỗi cú pháp nên chưa được định dạng",
                    "the file has syntax errors, so it was not formatted",
                ),
            )
            failed += 1
            continue
        if formatted == source:
            unchanged += 1
            continue
        changed += 1
        if check:
            out.say(Text(f"cần định dạng lại: {path}", f"would reformat: {path}"))
            continue
        try:
            write_atomically(path, formatted)
        except OSError as exc:
            out.error(str(path), Text(f"không ghi được: {exc}", f"cannot write: {exc}"))
            failed += 1
            continue
        out.say(Text(f"đã định dạng lại: {path}", f"reformatted: {path}"))
    if check:
        out.say(
            Text(
                f"{changed} tệp cần định dạng lại, {unchanged} tệp đã đúng mẫu, {failed} tệp lỗi.",
                f"{changed} file(s) would be reformatted, {unchanged} already formatted, "
                f"{failed} with errors.",
            )
        )
        return EXIT_USER if changed or failed or missing else EXIT_OK
    out.say(
        Text(
            f"{changed} tệp đã định dạng lại, {unchanged} tệp không đổi, {failed} tệp lỗi.",
            f"{changed} file(s) reformatted, {unchanged} unchanged, {failed} with errors.",
        )
    )
    return EXIT_USER if failed or missing else EXIT_OK


# ---------------------------------------------------------------- diff


def read_version(spec: str) -> tuple[str, str]:
    """The text of OLD or NEW, and the name to show for it. A path that exists is read as a
    file; otherwise `REV:path` is read with `git show REV:path` in the current directory
    (a path starting with `./` is relative to it, else to the repository's top)."""
    path = Path(spec)
    if path.is_file():
        return read_text(path), spec
    revision, colon, inside = spec.partition(":")
    if not colon or not revision or not inside:
        raise Unreadable(
            Text(
                "không tìm thấy tệp; để đọc từ git hãy viết PHIÊN_BẢN:đường_dẫn",
                "no such file; to read from git write REV:path",
            )
        )
    try:
        shown = subprocess.run(
            ["git", "show", f"{revision}:{inside}"],
            capture_output=True,
            check=False,
        )
    except OSError as exc:
        raise Unreadable(Text(f"không chạy được git: {exc}", f"cannot run git: {exc}")) from exc
    if shown.returncode != 0:
        reason = shown.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = reason[0] if reason else f"git show: {shown.returncode}"
        raise Unreadable(
            Text(f"không đọc được từ git: {detail}", f"cannot read from git: {detail}")
        )
    return decode_text(shown.stdout), spec


def _parsed(spec: str, out: Console) -> Module | None:
    from chamdiem.dsl.parser import parse

    try:
        source, name = read_version(spec)
    except Unreadable as exc:
        out.error(spec, exc.message)
        return None
    module, diagnostics = parse(source, name)
    if has_errors(diagnostics):
        out.err(out.diagnostics(diagnostics, module.source, name))
        out.error(
            name,
            Text(
                "tệp có lỗi cú pháp nên không so sánh được",
                "the file has syntax errors and cannot be compared",
            ),
        )
        return None
    return module


def run_diff(old_spec: str, new_spec: str, exit_code: bool, out: Console) -> int:
    from chamdiem.dsl.semantic_diff import diff_modules, render_changes

    old = _parsed(old_spec, out)
    new = _parsed(new_spec, out)
    if old is None or new is None:
        return EXIT_USER
    changes = diff_modules(old, new)
    out.out(f"{old_spec} → {new_spec}")
    out.out(render_changes(changes, out.language))
    return EXIT_USER if exit_code and changes else EXIT_OK


# ---------------------------------------------------------------- doc


def run_doc(arguments: Sequence[str], out_dir: Path, out: Console) -> int:
    from chamdiem.dsl.pipeline import check_source
    from chamdiem.platform.docs_site import build_site

    files, missing = rule_files(arguments, out)
    modules: list[Module] = []
    failed = 0
    for path in files:
        try:
            source = read_text(path)
        except Unreadable as exc:
            out.error(str(path), exc.message)
            failed += 1
            continue
        module, diagnostics = check_source(source, str(path))
        if has_errors(diagnostics):
            out.err(out.diagnostics(diagnostics, module.source, str(path)))
            failed += 1
            continue
        modules.append(module)
    if failed or missing or not modules:
        out.error(
            "doc",
            Text(
                "có tệp lỗi; chưa tạo trang tài liệu nào",
                "some files have errors; no page was written",
            ),
        )
        return EXIT_USER
    try:
        written = build_site(modules, out_dir)
    except OSError as exc:
        out.error(str(out_dir), Text(f"không ghi được: {exc}", f"cannot write: {exc}"))
        return EXIT_USER
    out.say(
        Text(
            f"Đã tạo {len(written)} trang trong {out_dir} (mở {written[0]}).",
            f"Wrote {len(written)} page(s) to {out_dir} (open {written[0]}).",
        )
    )
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
