"""Rule versions: publishing a rule file, finding the version in force, compiling a stored one.

A rule version is addressed by the SHA-256 of its normalised source (NFC, LF line breaks, no
BOM; `chamdiem.dsl.parser.normalise`), so the same rules always have the same address whatever
editor saved them, and the stored text is exactly what was hashed. The rows files of its
catalogues (`rows from "x.csv"`, read beside the rule file) are part of the version: their
cells are stored with it (`catalog_rows`, JSON) and hashed with the source, and a stored
version is compiled with them, never with whatever the files hold today.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from sqlmodel import Session, col, select

from chamdiem.dsl.catalogs import Rows, given_rows, read_rows_files
from chamdiem.dsl.diagnostics import Text
from chamdiem.dsl.loader import Program, RuleFileError, load_source
from chamdiem.dsl.parser import normalise, parse
from chamdiem.dsl.syntax import Catalog
from chamdiem.platform.db.engine import writing
from chamdiem.platform.db.models import Period, RuleVersion
from chamdiem.platform.excel.catalog_rows import register as register_xlsx_rows
from chamdiem.platform.services import audit
from chamdiem.platform.services.errors import NotFound, ServiceError
from chamdiem.platform.services.periods import KIND_TEXT

GIT_TIMEOUT = 10

register_xlsx_rows()  # catalogues' rows files in Excel


def source_sha256(source: str, catalog_rows: str | None = None) -> str:
    """The address of a rule version: its normalised source, and its catalogues' rows files
    (`catalog_rows`, see `rows_json`) when it has any (without them: the source alone)."""
    text = normalise(source)
    if catalog_rows:
        text += "\n\0catalog rows\n" + catalog_rows
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def version_sha256(version: RuleVersion) -> str:
    """The hash of a stored version's content (equal to `version.sha256` unless changed)."""
    return source_sha256(version.source, version.catalog_rows)


def rows_json(files: Mapping[str, Rows]) -> str | None:
    """The catalogues' rows files as stored and hashed (canonical JSON); None without any."""
    if not files:
        return None
    return json.dumps(files, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class RuleContent:
    """What a rule version is made of: the normalised source and its rows files."""

    source: str
    catalog_rows: str | None  # rows_json of the rows files; None when there are none
    complete: bool  # every rows file the source names could be read

    @property
    def sha256(self) -> str:
        return source_sha256(self.source, self.catalog_rows)


def read_rule_content(path: Path) -> RuleContent:
    """The rule file at `path` and the rows files its catalogues name, beside it."""
    source = normalise(read_rule_file(path))
    module, _ = parse(source, str(path))
    named = {
        file.path
        for decl in module.declarations
        if isinstance(decl, Catalog)
        for file in decl.files
    }
    files = read_rows_files(module)
    return RuleContent(source, rows_json(files), named <= files.keys())


def read_rule_file(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ServiceError(
            Text(
                f"{path}: không đọc được tệp quy tắc: {exc.strerror}",
                f"{path}: cannot read the rule file: {exc.strerror}",
            )
        ) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ServiceError(
            Text(
                f"{path}: tệp quy tắc không phải mã UTF-8",
                f"{path}: the rule file is not UTF-8",
            )
        ) from None


# ---------------------------------------------------------------- git


@dataclass(frozen=True)
class GitPlace:
    commit: str | None  # HEAD, when the file there has exactly this content
    path: str | None  # the file's path inside the repository
    author: str | None = None  # of the last commit that changed the file ("Name <email>")
    committed_at: datetime | None = None  # that commit's (author) date


def git_place(path: Path, source: str) -> GitPlace:
    """Where the file lives in a git repository, if it does. The commit is recorded only when
    the committed file is the one being published (an edited, uncommitted file gets none).
    No git, no repository or any git failure: nothing is recorded."""
    folder = path.resolve().parent

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(folder), *args],
                capture_output=True,
                timeout=GIT_TIMEOUT,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        if done.returncode != 0:
            return None
        return done.stdout.decode("utf-8", "replace")

    top = git("rev-parse", "--show-toplevel")
    if top is None:
        return GitPlace(None, None)
    try:
        inside = path.resolve().relative_to(Path(top.strip()).resolve()).as_posix()
    except ValueError:
        return GitPlace(None, None)
    head = git("rev-parse", "--verify", "-q", "HEAD")
    if head is None:
        return GitPlace(None, inside)
    commit = head.strip()
    committed = git("show", f"{commit}:{inside}")
    if committed is None or normalise(committed) != normalise(source):
        return GitPlace(None, inside)
    last = git("log", "-1", "--format=%an <%ae>%x00%aI", commit, "--", f":(top){inside}")
    author, _, date_text = (last or "").strip().partition("\x00")
    try:
        when = datetime.fromisoformat(date_text) if date_text else None
    except ValueError:
        when = None
    return GitPlace(commit, inside, author or None, when)


# ---------------------------------------------------------------- publishing


@dataclass(frozen=True)
class Published:
    version: RuleVersion
    created: bool  # False: the same content was published before (nothing changed)
    tests: int  # rule tests run and passed


def publish_rule_version(session: Session, path: Path, *, actor: str) -> Published:
    """Publish the rule file at `path`. Refused when the checker reports an error or a test
    block of the file fails; the same content published again changes nothing."""
    content = read_rule_content(path)
    source = content.source
    display = str(path)
    try:
        if content.complete:
            program = _load(source, display, content.catalog_rows)
        else:  # a rows file that cannot be read: the loader says why
            program = load_source(source, display)
    except RuleFileError as exc:
        raise ServiceError(
            Text(
                f"{display}: tệp quy tắc có lỗi, không công bố",
                f"{display}: the rule file has errors; not published",
            ),
            [_rendered(exc)],
        ) from None
    outcomes = program.run_tests()
    failed = [outcome for outcome in outcomes if not outcome.passed]
    if failed:
        details = [
            Text(
                f"KHÔNG ĐẠT {o.path}:{o.line}: {o.name}: " + "; ".join(f.vi for f in o.failures),
                f"FAIL {o.path}:{o.line}: {o.name}: " + "; ".join(f.en for f in o.failures),
            )
            for o in failed
        ]
        raise ServiceError(
            Text(
                f"{display}: {len(failed)}/{len(outcomes)} kiểm thử không đạt, không công bố",
                f"{display}: {len(failed)} of {len(outcomes)} test(s) failed; not published",
            ),
            details,
        )
    digest = content.sha256
    with writing(session):
        existing = session.exec(select(RuleVersion).where(RuleVersion.sha256 == digest)).first()
        if existing is not None:
            return Published(existing, False, len(outcomes))
        place = git_place(path, source)
        header = program.header
        version = RuleVersion(
            sha256=digest,
            name=header.name,
            title=header.title,
            subject=header.subject,
            period_kind=header.period,
            effective_from=header.effective,
            effective_until=header.until,
            precision=header.precision,
            source=source,
            catalog_rows=content.catalog_rows,
            file_path=display,
            git_commit=place.commit,
            git_path=place.path,
            git_author=place.author,
            git_committed_at=place.committed_at,
            published_by=actor,
        )
        session.add(version)
        session.flush()
        audit.record(
            session,
            actor,
            "publish",
            "rule_versions",
            version.id,
            name=version.name,
            sha256=digest,
            file=display,
            git_commit=place.commit,
            git_path=place.path,
            git_author=place.author,
            tests=len(outcomes),
        )
    return Published(version, True, len(outcomes))


def _rendered(error: RuleFileError) -> Text:
    return Text(error.render("vi"), error.render("en"))


# ---------------------------------------------------------------- finding and compiling


def program_for(version: RuleVersion) -> Program:
    """The compiled program of a stored rule version (compiled once per process)."""
    return _compile(version.sha256, version.source, version.file_path, version.catalog_rows)


@lru_cache(maxsize=16)
def _load(source: str, path: str, catalog_rows: str | None = None) -> Program:
    """Compile once per process (checking a province's rule file takes a while), with the
    catalogues' rows files as given (`rows_json`), never read from disk."""
    files: dict[str, Rows] = json.loads(catalog_rows) if catalog_rows else {}
    with given_rows(files):
        return load_source(source, path)


def _compile(sha256: str, source: str, path: str, catalog_rows: str | None = None) -> Program:
    if source_sha256(source, catalog_rows) != sha256:
        raise ServiceError(
            Text(
                f"mã băm của phiên bản quy tắc {sha256[:12]} không khớp với nội dung đã lưu "
                "(dữ liệu bị sửa ngoài hệ thống?)",
                f"rule version {sha256[:12]}: the stored text does not match its hash "
                "(changed outside the system?)",
            )
        )
    try:
        return _load(source, path, catalog_rows)
    except RuleFileError as error:
        import chamdiem

        raise ServiceError(
            Text(
                f"phiên bản quy tắc {sha256[:12]} ({path}) không còn dịch được bằng chamdiem "
                f"{chamdiem.__version__}",
                f"rule version {sha256[:12]} ({path}) no longer compiles with chamdiem "
                f"{chamdiem.__version__}",
            ),
            [_rendered(error)],
        ) from None


def in_force(version: RuleVersion, period: Period) -> bool:
    """In force on the period's first day."""
    start = period.start_date
    return version.effective_from <= start and (
        version.effective_until is None or version.effective_until >= start
    )


def resolve_rule_version(session: Session, reference: str | None, period: Period) -> RuleVersion:
    """The rule version to use for `period`: by rule set name (the version in force on the
    period's first day, the latest published if several), by SHA-256 prefix (at least 6 hex
    digits), or by the path of a published rule file. Without a reference: the only rule set
    published for periods of this kind."""
    if reference is None:
        versions = session.exec(
            select(RuleVersion).where(RuleVersion.period_kind == period.kind)
        ).all()
        names = sorted({v.name for v in versions if in_force(v, period)})
        if len(names) != 1:
            kind = KIND_TEXT[period.kind]
            listed = ", ".join(names) or "—"
            raise ServiceError(
                Text(
                    f"hãy chọn bộ tiêu chí bằng --rules: có {len(names)} bộ tiêu chí theo "
                    f"{kind.vi} đang hiệu lực cho kỳ {period.code} ({listed})",
                    f"choose the rule set with --rules: {len(names)} rule set(s) for a "
                    f"{kind.en} are in force for period {period.code} ({listed})",
                )
            )
        reference = names[0]
    version = _find(session, reference, period)
    _check_fits(version, period)
    return version


def _find(session: Session, reference: str, period: Period) -> RuleVersion:
    by_name = session.exec(
        select(RuleVersion)
        .where(RuleVersion.name == reference)
        .order_by(col(RuleVersion.effective_from).desc(), col(RuleVersion.id).desc())
    ).all()
    if by_name:
        for version in by_name:
            if in_force(version, period):
                return version
        return by_name[0]  # reported as not in force by _check_fits
    path = Path(reference)
    if path.suffix == ".rules" and path.is_file():
        digest = read_rule_content(path).sha256
        published = session.exec(select(RuleVersion).where(RuleVersion.sha256 == digest)).first()
        if published is None:
            raise NotFound(
                Text(
                    f"{reference}: nội dung tệp này chưa được công bố; "
                    f"chạy `chamdiem rules publish {reference}` trước",
                    f"{reference}: this content has not been published; "
                    f"run `chamdiem rules publish {reference}` first",
                )
            )
        return published
    lowered = reference.lower()
    if len(lowered) >= 6 and all(ch in "0123456789abcdef" for ch in lowered):
        found = session.exec(
            select(RuleVersion).where(col(RuleVersion.sha256).startswith(lowered))
        ).all()
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise ServiceError(
                Text(
                    f"'{reference}' khớp với {len(found)} phiên bản quy tắc; hãy viết dài hơn",
                    f"'{reference}' matches {len(found)} rule versions; give more digits",
                )
            )
    raise NotFound(
        Text(
            f"không có bộ tiêu chí hay phiên bản quy tắc '{reference}' đã công bố",
            f"no published rule set or rule version '{reference}'",
        )
    )


def wrong_period_kind(
    ruleset: str, rules_kind: str, period_code: str, period_kind: str
) -> ServiceError:
    """A quarterly rule set asked for a year, and so on (runs, templates)."""
    rules_text, period_text = KIND_TEXT[rules_kind], KIND_TEXT[period_kind]
    return ServiceError(
        Text(
            f"bộ tiêu chí {ruleset} đánh giá theo {rules_text.vi}, còn kỳ {period_code} "
            f"là một {period_text.vi}",
            f"rule set {ruleset} is for {rules_text.en} periods, but {period_code} is "
            f"a {period_text.en}",
        )
    )


def _check_fits(version: RuleVersion, period: Period) -> None:
    if version.period_kind != period.kind:
        raise wrong_period_kind(version.name, version.period_kind, period.code, period.kind)
    if not in_force(version, period):
        until = version.effective_until.isoformat() if version.effective_until else "…"
        raise ServiceError(
            Text(
                f"bộ tiêu chí {version.name} ({version.sha256[:12]}) có hiệu lực "
                f"{version.effective_from.isoformat()} – {until}, không áp dụng cho kỳ "
                f"{period.code} (từ {period.start_date.isoformat()})",
                f"rule set {version.name} ({version.sha256[:12]}) is in force "
                f"{version.effective_from.isoformat()} – {until}, not for period {period.code} "
                f"(from {period.start_date.isoformat()})",
            )
        )
