"""Settings from CHAMDIEM_* variables or a .env file, with defaults that work from a clone."""

from __future__ import annotations

from pathlib import Path

import pytest

from chamdiem.platform.settings import Settings, os_user

VARIABLES = ("CHAMDIEM_DATA_DIR", "CHAMDIEM_DATABASE_URL", "CHAMDIEM_LANG", "CHAMDIEM_USER")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults_put_a_sqlite_file_in_the_data_folder() -> None:
    # No .env and no data/chamdiem.db above: the project is the current folder.
    settings = Settings()
    assert settings.data_dir == Path.cwd() / "data"
    assert settings.database() == f"sqlite:///{Path.cwd().as_posix()}/data/chamdiem.db"
    assert settings.lang == "vi"
    assert settings.user == os_user()


def test_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHAMDIEM_DATA_DIR", "/srv/chamdiem")
    monkeypatch.setenv("CHAMDIEM_LANG", "en_US")
    monkeypatch.setenv("CHAMDIEM_USER", "  to_chuc_can_bo ")
    settings = Settings()
    assert settings.database() == "sqlite:////srv/chamdiem/chamdiem.db"
    assert settings.lang == "en"
    assert settings.user == "to_chuc_can_bo"
    monkeypatch.setenv("CHAMDIEM_DATABASE_URL", "postgresql+psycopg://db.tinh/chamdiem")
    assert Settings().database() == "postgresql+psycopg://db.tinh/chamdiem"


def test_a_dotenv_file_is_read_and_the_environment_wins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text(
        "CHAMDIEM_DATABASE_URL=sqlite:///khac.db\nCHAMDIEM_USER=nguoi_trong_env\n",
        encoding="utf-8",
    )
    settings = Settings()
    assert settings.database() == "sqlite:///khac.db"
    assert settings.user == "nguoi_trong_env"
    monkeypatch.setenv("CHAMDIEM_USER", "nguoi_trong_moi_truong")
    assert Settings().user == "nguoi_trong_moi_truong"


def test_blank_values_mean_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHAMDIEM_DATABASE_URL", " ")
    monkeypatch.setenv("CHAMDIEM_USER", "")
    settings = Settings()
    assert settings.database() == f"sqlite:///{Path.cwd().as_posix()}/data/chamdiem.db"
    assert settings.user == os_user()
