"""The configured database for a command: opened (and never created on the way) or a clear
reason why not, and a user's problem (a refused service, a data file's problems, a database
that cannot be reached) said in one line with exit code 1 instead of a traceback.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from chamdiem.cli.console import EXIT_USER, Console, show_file_problems
from chamdiem.dsl.diagnostics import Text

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.engine import URL
    from sqlmodel import Session


class UserError(Exception):
    """A user's problem found by a command itself; `details` are extra lines for stderr."""

    def __init__(self, message: Text, details: Sequence[str] = ()) -> None:
        super().__init__(message.en)
        self.message = message
        self.details = list(details)


def shown_url(url: str | URL) -> str:
    """The database URL as said to the user: the password hidden."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def open_engine(url: str) -> Engine:
    """An engine for the configured URL, or a UserError saying why not."""
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    from chamdiem.platform.db.engine import make_engine

    try:
        return make_engine(url)
    except (ArgumentError, NoSuchModuleError, ValueError) as error:
        raise UserError(
            Text(
                f"CHAMDIEM_DATABASE_URL không hợp lệ ({error})",
                f"invalid CHAMDIEM_DATABASE_URL ({error})",
            )
        ) from None
    except OSError as error:
        raise UserError(
            Text(
                f"không tạo được thư mục dữ liệu: {error}",
                f"cannot create the data folder: {error}",
            )
        ) from None


def not_created(where: str) -> UserError:
    """The database is not made yet: say so, and where the data folder was looked for."""
    from chamdiem.platform.db.migrate import not_created as not_created_text

    message = not_created_text(where)
    note = data_folder_note()
    if note is None:
        return UserError(message)
    return UserError(Text(f"{message.vi}; {note.vi}", f"{message.en}; {note.en}"))


def data_folder_note() -> Text | None:
    """How the data folder (and so the default database) was found, for a database that is
    not where the user expected; None when CHAMDIEM_DATABASE_URL names the database."""
    from chamdiem.platform.settings import Settings, project_folder

    settings = Settings()
    if settings.database_url:
        return None
    folder, project = settings.data_dir, project_folder()
    return Text(
        f"thư mục dữ liệu là {folder} (CHAMDIEM_DATA_DIR; đường dẫn tương đối tính từ thư "
        f"mục dự án {project}: thư mục gần nhất, từ thư mục hiện tại trở lên, có tệp .env "
        "hoặc data/chamdiem.db); nếu cơ sở dữ liệu ở nơi khác, hãy đặt CHAMDIEM_DATA_DIR "
        "là một đường dẫn tuyệt đối, hoặc chạy lệnh trong thư mục dự án",
        f"the data folder is {folder} (CHAMDIEM_DATA_DIR; a relative path is taken from the "
        f"project folder {project}: the nearest folder, from the current one upward, holding "
        "a .env or data/chamdiem.db); if the database is elsewhere, set CHAMDIEM_DATA_DIR to "
        "an absolute path, or run the command inside the project folder",
    )


def require_current_schema(engine: Engine, where: str) -> None:
    """A UserError unless `chamdiem db upgrade` has brought the database up to date; `where`
    names the database in the message."""
    from chamdiem.platform.db.migrate import current_revision, schema_problem

    problem = schema_problem(engine, where)
    if problem is None:
        return
    if current_revision(engine) is None:
        raise not_created(where)
    raise UserError(problem)


@contextmanager
def configured_engine(url: str, *, current: bool = True) -> Iterator[Engine]:
    """The configured database's engine (up to date unless `current` is False), disposed of
    afterwards; a UserError when it cannot be used."""
    engine = open_engine(url)
    try:
        if current:
            require_current_schema(engine, shown_url(engine.url))
        yield engine
    finally:
        engine.dispose()


@dataclass
class Database:
    """The configured database, opened on first use and never created on the way (a SQLite
    file that does not exist is reported, not made)."""

    url: str
    engine: Engine | None = None

    def shown(self) -> str:
        try:
            return shown_url(self.url)
        except Exception:  # an unparsable URL is reported by `open`
            return self.url

    def exists(self) -> bool:
        """False for a SQLite file not created yet (and then nothing is created)."""
        from sqlalchemy.engine import make_url

        try:
            parsed = make_url(self.url)
        except Exception:
            return True  # let `open` report it
        if parsed.get_backend_name() != "sqlite":
            return True
        database = parsed.database
        return not database or database == ":memory:" or Path(database).exists()

    def open(self) -> Engine:
        if self.engine is not None:
            return self.engine
        if not self.exists():
            raise not_created(self.shown())
        self.engine = open_engine(self.url)
        require_current_schema(self.engine, self.shown())
        return self.engine

    def session(self) -> Session:
        from chamdiem.platform.db.engine import open_session

        return open_session(self.open())

    def dispose(self) -> None:
        if self.engine is not None:
            self.engine.dispose()


def user_problem(error: Exception, console: Console) -> int | None:
    """Print a user's problem and return its exit code; None for a bug (to be re-raised)."""
    from sqlalchemy.exc import OperationalError

    from chamdiem.platform.excel.problems import DataFileError
    from chamdiem.platform.services.errors import ServiceError

    if isinstance(error, UserError):
        console.error("chamdiem", error.message)
        for line in error.details:
            console.err(line)
        return EXIT_USER
    if isinstance(error, ServiceError):
        console.error("chamdiem", error.message)
        for text in error.details:
            console.err(text.in_(console.language))
        return EXIT_USER
    if isinstance(error, DataFileError):
        show_file_problems(
            error,
            console,
            lambda total: Text(
                f"Tệp có {total} lỗi; không lưu gì vào cơ sở dữ liệu.",
                f"The file has {total} problem(s); nothing was stored.",
            ),
        )
        return EXIT_USER
    if isinstance(error, OperationalError):
        detail = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        console.error(
            "chamdiem",
            Text(
                f"lỗi cơ sở dữ liệu (không kết nối được, bị khóa hoặc thiếu quyền?): {detail}",
                f"database error (cannot connect, locked, or no permission?): {detail}",
            ),
        )
        return EXIT_USER
    return None
