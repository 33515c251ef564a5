"""Hostile DATA files, made from a valid workbook by editing its parts (nothing large is
committed): the files of issue 11 that crashed or held the reader."""

from __future__ import annotations

import re
import struct
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

SUBJECTS_PART = "xl/worksheets/sheet2.xml"  # of the demo's workbook: units, subjects, items


def rewrite(
    source: Path,
    target: Path,
    change: dict[str, Callable[[bytes], bytes | Iterator[bytes]]],
    extra: dict[str, Iterator[bytes]] | None = None,
) -> Path:
    """A copy of the workbook `source` with some parts changed (a change may stream its
    result in pieces) and `extra` parts added."""
    with zipfile.ZipFile(source) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as out:
        for name, data in parts.items():
            changed = change[name](data) if name in change else data
            with out.open(name, "w", force_zip64=True) as stream:
                for piece in [changed] if isinstance(changed, bytes) else changed:
                    stream.write(piece)
        for name, pieces in (extra or {}).items():
            with out.open(name, "w", force_zip64=True) as stream:
                for piece in pieces:
                    stream.write(piece)
    return target


def _before_sheet_data_end(xml: bytes, added: bytes) -> bytes:
    at = xml.rindex(b"</sheetData>")
    return xml[:at] + added + xml[at:]


def far_cell_xml(xml: bytes) -> bytes:
    """The sheet with one more cell, at XFD1048576."""
    return _before_sheet_data_end(xml, b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')


def far_cell(source: Path, target: Path, part: str = SUBJECTS_PART) -> Path:
    """(a) One more cell, at XFD1048576: calamine would allocate 512 GiB."""
    return rewrite(source, target, {part: far_cell_xml})


def blanks(source: Path, target: Path, megabytes: int) -> Path:
    """(b) The subjects sheet padded with `megabytes` MB of blanks between two cells (a
    2 MB file held a process for 12 minutes with 2 GB of them)."""
    block = b" " * (1 << 20)

    def pad(xml: bytes) -> Iterator[bytes]:
        at = xml.index(b"<row")
        yield xml[:at]
        for _ in range(megabytes):
            yield block
        yield xml[at:]

    return rewrite(source, target, {SUBJECTS_PART: pad})


def bomb(source: Path, target: Path, megabytes: int) -> Path:
    """(c) A part of `megabytes` MB of zeros, which deflate packs about 1,000 to 1."""
    block = b"\0" * (1 << 20)
    return rewrite(source, target, {}, {"xl/media/image1.png": iter([block] * megabytes)})


def many_rows(source: Path, target: Path, rows: int, part: str = SUBJECTS_PART) -> Path:
    """(d) The subjects sheet with `rows` more rows, one number each (a 1.3 MB file of a
    million rows took 38 s and 1.85 GB)."""

    def grow(xml: bytes) -> Iterator[bytes]:
        at = xml.rindex(b"</sheetData>")
        last = max(int(n) for n in re.findall(rb'<row r="(\d+)"', xml))
        yield xml[:at]
        for start in range(last + 1, last + rows + 1, 10_000):
            stop = min(start + 10_000, last + rows + 1)
            yield b"".join(
                b'<row r="%d"><c r="B%d"><v>%d</v></c></row>' % (n, n, n)
                for n in range(start, stop)
            )
        yield xml[at:]

    return rewrite(source, target, {part: grow})


def lying_size(source: Path, target: Path) -> Path:
    """A part that declares 1,000 bytes and unpacks to 4 MB (zipfile stops at the declared
    size; a reader that trusts the stream would not)."""
    name = b"xl/media/image1.png"
    with zipfile.ZipFile(source) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for part, data in parts.items():
            out.writestr(part, data)
        out.writestr(name.decode(), b"\0" * (4 << 20))
    packed = bytearray(target.read_bytes())
    local = packed.index(name, 0) - 30
    assert packed[local : local + 4] == b"PK\x03\x04"
    struct.pack_into("<I", packed, local + 22, 1000)
    central = packed.index(name, local + 31) - 46
    assert packed[central : central + 4] == b"PK\x01\x02"
    struct.pack_into("<I", packed, central + 24, 1000)
    target.write_bytes(bytes(packed))
    return target
