"""A workbook sent to the browser as a download."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from litestar import Response

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_download(write: Callable[[Path], object], name: str) -> Response[bytes]:
    """The workbook `write` makes (in a scratch folder, removed after), as `name`.xlsx."""
    with tempfile.TemporaryDirectory(prefix="chamdiem-download-") as folder:
        path = Path(folder) / "so_tinh.xlsx"
        write(path)
        content = path.read_bytes()
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{_ascii(name)}.xlsx"'},
    )


def _ascii(text: str) -> str:
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in text)
