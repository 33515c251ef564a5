"""Settings shared by every command (and later the web app): environment variables prefixed
`CHAMDIEM_`, or the same names in a `.env` file.

Where they are read from does not depend on the folder a command is run from, inside the
project: the project folder is the nearest folder, from the current one upward, that holds a
`.env` file, else the nearest that holds the default database `data/chamdiem.db`, else the
current folder (`project_folder`). The `.env` read is the project folder's; a relative
CHAMDIEM_DATA_DIR (and the default `data`) is taken from the project folder, an absolute one
as it is. So `chamdiem run …` from `rules/` uses the database `chamdiem demo` or `db upgrade`
made from the project's top.

    CHAMDIEM_DATA_DIR       where the SQLite database and generated files live (data, in the
                            project folder)
    CHAMDIEM_DATABASE_URL   sqlite:///… or postgresql+psycopg://… (default: DATA_DIR/chamdiem.db)
    CHAMDIEM_LANG           vi or en, the language of messages (vi)
    CHAMDIEM_USER           who is running the commands, written to the audit log (the OS user)
    CHAMDIEM_MAX_IMPORT_MB  the largest DATA file an import reads (512)

Limits on an untrusted DATA file, checked before any parser reads it (excel/workbook_gate.py;
docs/data-format.md explains them):

    CHAMDIEM_MAX_PEOPLE             people a file may list when the organisation is not known,
                                    as in `chamdiem eval` and an organisation load (100000);
                                    a reader given the organisation's count uses that
    CHAMDIEM_ROWS_PER_PERSON        rows a person may take in a sheet of people: one per
                                    period, a year and its quarters (5)
    CHAMDIEM_ITEMS_PER_PERSON       rows a person may take in a sheet of items (50)
    CHAMDIEM_MAX_COLUMNS            columns of a sheet (500; at least the template's + 100)
    CHAMDIEM_MAX_SHEET_CELLS        rows x columns of one sheet, what a reader holds (10000000)
    CHAMDIEM_MAX_UNPACKED_MB        what a workbook unpacks to, or a CSV file holds (1024)
    CHAMDIEM_MAX_ZIP_ENTRIES        parts of a workbook package (1000)
    CHAMDIEM_MAX_ZIP_RATIO          unpacked / packed size of a part over 1 MB (100)

Limits of the web service's background work (web/reading.py, web/jobs.py):

    CHAMDIEM_PARSE_MEMORY_MB        address space of the process that reads an uploaded
                                    file (1536); a file that needs more is refused
    CHAMDIEM_PARSE_CPU_SECONDS      processor time that process may use (60)
    CHAMDIEM_JOB_TIME_LIMIT_SECONDS how long a job may run before it is stopped (1800)
    CHAMDIEM_JOBS_PER_ACCOUNT       unfinished jobs one account may have at once across the
                                    service's processes (default: CHAMDIEM_JOB_WORKERS − 1,
                                    at least 1); one more is refused with a message
"""

from __future__ import annotations

import getpass
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SQLITE_FILE = "chamdiem.db"
ENV_FILE = ".env"
DEFAULT_DATA_DIR = Path("data")


def project_folder(start: Path | None = None) -> Path:
    """The folder settings are read from and a relative data folder is taken from: the
    nearest folder from `start` (the current folder) upward holding a `.env`, else the
    nearest holding `data/chamdiem.db`, else `start` itself."""
    here = (start or Path.cwd()).resolve()
    folders = (here, *here.parents)
    for folder in folders:
        if (folder / ENV_FILE).is_file():
            return folder
    for folder in folders:
        if (folder / DEFAULT_DATA_DIR / SQLITE_FILE).is_file():
            return folder
    return here


def os_user() -> str:
    """The login name of whoever runs the process; 'unknown' when the system cannot tell
    (a container without a passwd entry and no USER variable)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return os.environ.get("USERNAME") or "unknown"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CHAMDIEM_", env_file=ENV_FILE, env_file_encoding="utf-8", extra="ignore"
    )

    def __init__(self, **values: Any) -> None:
        if "_env_file" not in values:  # the project's .env, found from any folder inside it
            values["_env_file"] = project_folder() / ENV_FILE
        super().__init__(**values)

    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str | None = None
    lang: Literal["vi", "en"] = "vi"
    user: str = Field(default_factory=os_user)
    max_import_mb: int = Field(default=512, gt=0)
    # Limits on an untrusted DATA file (excel/workbook_gate.py).
    max_people: int = Field(default=100_000, gt=0)
    rows_per_person: int = Field(default=5, gt=0)
    items_per_person: int = Field(default=50, gt=0)
    max_columns: int = Field(default=500, gt=0)
    max_sheet_cells: int = Field(default=10_000_000, gt=0)
    max_unpacked_mb: int = Field(default=1024, gt=0)
    max_zip_entries: int = Field(default=1000, gt=0)
    max_zip_ratio: int = Field(default=100, gt=0)
    # Limits of the web service's background work (the module's docstring).
    parse_memory_mb: int = Field(default=1536, gt=0)
    parse_cpu_seconds: int = Field(default=60, gt=0)
    job_time_limit_seconds: float = Field(default=1800, gt=0)
    jobs_per_account: int | None = Field(default=None, gt=0)

    @field_validator("lang", mode="before")
    @classmethod
    def _language(cls, value: object) -> object:
        """'en', 'EN', 'en_US' all mean English; anything else Vietnamese."""
        if isinstance(value, str):
            return "en" if value.strip().lower().startswith("en") else "vi"
        return value

    @field_validator("database_url", mode="before")
    @classmethod
    def _blank_url_is_unset(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("user", mode="before")
    @classmethod
    def _blank_user_is_os_user(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return os_user()
        return value.strip() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _data_dir_in_project(self) -> Settings:
        """A relative data folder is the project folder's, whichever folder we run from."""
        if not self.data_dir.is_absolute():
            self.data_dir = project_folder() / self.data_dir
        return self

    def database(self) -> str:
        """The database URL: the one configured, else a SQLite file in the data folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / SQLITE_FILE).as_posix()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once (tests build `Settings(...)` directly instead)."""
    return Settings()
