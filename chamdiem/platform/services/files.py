"""The identity of a DATA file: SHA-256 of its bytes (a folder of CSV files: of each file's
name and bytes, in name order), so the same file imported twice is recognised."""

from __future__ import annotations

import hashlib
from pathlib import Path

from chamdiem.dsl.diagnostics import Text
from chamdiem.platform.excel.problems import DataFileError, DataProblem

_BLOCK = 1 << 20


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        if path.is_dir():
            for child in sorted(path.iterdir()):
                if child.is_file() and child.suffix.lower() == ".csv":
                    digest.update(child.name.encode("utf-8") + b"\0")
                    _feed(digest, child)
                    digest.update(b"\0")
        else:
            _feed(digest, path)
    except FileNotFoundError:
        raise _unreadable(
            path, "không tìm thấy tệp hoặc thư mục", "file or folder not found"
        ) from None
    except OSError as exc:
        raise _unreadable(
            path, f"không đọc được: {exc.strerror}", f"cannot read it: {exc.strerror}"
        ) from None
    return digest.hexdigest()


def _feed(digest: hashlib._Hash, path: Path) -> None:
    with path.open("rb") as stream:
        while block := stream.read(_BLOCK):
            digest.update(block)


def _unreadable(path: Path, vi: str, en: str) -> DataFileError:
    return DataFileError([DataProblem(str(path), None, None, None, None, Text(vi, en))])


def data_size(path: Path) -> int:
    """The bytes of a DATA file (a folder of CSV files: of its .csv files); 0 when missing
    (reading it says so)."""
    try:
        if path.is_dir():
            return sum(
                child.stat().st_size
                for child in path.iterdir()
                if child.is_file() and child.suffix.lower() == ".csv"
            )
        return path.stat().st_size
    except OSError:
        return 0
