"""An uploaded file keeps its own name on disk, made harmless: Vietnamese names longer than a
file system allows (255 bytes; a letter with its marks takes 2–3 bytes in UTF-8) are cut by
bytes and keep their suffix, so the upload is stored instead of failing."""

from __future__ import annotations

from pathlib import Path

from chamdiem.platform.web.importing import new_upload_path, safe_file_name


def test_a_long_vietnamese_name_is_cut_by_bytes_and_keeps_its_suffix(tmp_path: Path) -> None:
    name = "Bảng chấm điểm " + "Đảng ủy xã Ỷ Lãng " * 20 + ".xlsx"
    assert len(name) < 400 and len(name.encode("utf-8")) > 255
    safe = safe_file_name(name)
    assert safe.endswith(".xlsx")
    assert safe.startswith("Bảng chấm điểm")
    assert len(safe.encode("utf-8")) <= 150
    path = new_upload_path(tmp_path, name)
    path.write_bytes(b"PK")  # the file system accepts the name
    assert path.read_bytes() == b"PK"


def test_folders_and_odd_characters_are_taken_out() -> None:
    assert safe_file_name("..\\..\\etc/passwd") == "passwd"
    assert safe_file_name("quý 1 <2026>.xlsx") == "quý 1 _2026_.xlsx"
    assert safe_file_name("...") == "du_lieu.xlsx"


def test_a_short_name_is_kept_as_it_is() -> None:
    assert safe_file_name("Quý I-2026.xlsx") == "Quý I-2026.xlsx"
