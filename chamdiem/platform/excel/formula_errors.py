"""Cells of an .xlsx sheet that show a formula error (#DIV/0!, #VALUE!, #N/A, #REF!, …).

python-calamine reads such a cell as an empty string, the same as a blank cell
(dimastbk/python-calamine#105). A blank means "the column's default" to the reader, so a
`=B5/C5` that failed would silently become 0 penalties, or "không" for a yes/no. The readers
therefore look the error cells up in the sheet's XML (`Table.formula_errors`) and refuse each
one that falls in a column they read (`tables.report_formula_errors`).

The scan streams the decompressed XML and only parses around the bytes `t="e"` (the cell type
of an error), so a sheet without errors costs one pass of zlib: about 0.2 s for the 60 MB of XML
of a 30,000-person workbook. Other formats (.xls, .xlsb, .ods) are not scanned. What is kept
from one chunk for the next is at most `_KEEP` bytes, so the work is linear in the XML however
it is laid out (a sheet of gigabytes of blanks included).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

from chamdiem.platform.excel.problems import column_index
from chamdiem.platform.excel.xlsx_parts import DAMAGED, sheet_part

_CHUNK = 1 << 22
_KEEP = 1 << 20  # the most kept for the next chunk: a cell's start, or its unfinished rest
# A literal start lets the regex engine skip ahead fast; the byte before `t` is checked after.
_ERROR_TYPE = re.compile(rb"""t=(?:"e"|'e')""")
_CELL_REF = re.compile(rb"""\sr\s*=\s*["']([A-Z]{1,3})([0-9]{1,7})["']""")
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_TAG_NAME = re.compile(rb"([\w:]+)")  # `c`, or `x:c` where the writer names a prefix


def formula_errors(path: Path, sheet: str) -> list[tuple[int, int, str]]:
    """(0-based row, 0-based column, error) of each error cell of `sheet`; none when the file
    is not an .xlsx package or the sheet cannot be found (calamine reported that already)."""
    try:
        with zipfile.ZipFile(path) as archive:
            part = sheet_part(archive, sheet)
            if part is None:
                return []
            with archive.open(part) as stream:
                return _scan(stream.read)
    except DAMAGED:  # calamine says what is wrong with the file
        return []


def _scan(read: Callable[[int], bytes]) -> list[tuple[int, int, str]]:
    found: list[tuple[int, int, str]] = []
    buffer = b""
    while True:
        chunk = read(_CHUNK)
        buffer += chunk
        done = 0  # buffer[:done] holds no unread error cell
        for match in _ERROR_TYPE.finditer(buffer):
            if not buffer[match.start() - 1 : match.start()].isspace():
                continue  # `xt="e"`: some other attribute
            start = buffer.rfind(b"<", done, match.start())  # attribute values hold no `<`
            name = _TAG_NAME.match(buffer, start + 1) if start >= 0 else None
            if name is None or name.group(1).split(b":")[-1] != b"c":
                continue  # not a cell (or opened before what is kept)
            end = buffer.find(b"</" + name.group(1) + b">", match.end())
            if end < 0:
                if chunk and len(buffer) - start <= _KEEP:
                    done = start  # the rest of this cell is in the next chunk
                    break
                end = len(buffer)  # the file ends, or the cell is too long to be one
            cell = buffer[start:end]
            ref, value = _CELL_REF.search(cell), _VALUE.search(cell)
            if ref is not None and value is not None:
                letters, digits = ref.groups()
                code = value.group(1).decode("utf-8", "replace")
                found.append((int(digits) - 1, column_index(letters.decode()), code))
            done = end
        else:
            # Keep what may be the start of a cell whose type comes with the next chunk.
            last_open = buffer.rfind(b"<", max(done, len(buffer) - _KEEP))
            done = last_open if last_open >= 0 else max(done, len(buffer) - 16)
        if not chunk:
            return found
        buffer = buffer[done:]
