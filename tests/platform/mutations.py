"""Random damage to valid DATA files, for fuzzing the readers: at the cell, the sheet XML and
the archive level of an .xlsx, and at the cell, row and byte level of a CSV file.

Every mutation draws its choices from a `Chooser`: hypothesis's data in the property tests
(so that a failure shrinks and replays), a seeded `random.Random` where a test needs a few
damaged files without hypothesis. References and dimensions stay within `Bounds`: a file
whose cells name row 1,048,576 of column XFD (`with_huge_reference`) is for the workbook
gate to refuse, and is only ever read in a subprocess with a memory limit.
"""

from __future__ import annotations

import io
import random
import re
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar
from xml.sax.saxutils import escape

from hypothesis import strategies as st

T = TypeVar("T")


class Chooser(Protocol):
    def integer(self, low: int, high: int) -> int: ...

    def choice(self, options: Sequence[T]) -> T: ...


class DrawChooser:
    """Choices drawn by hypothesis."""

    def __init__(self, data: st.DataObject) -> None:
        self.data = data

    def integer(self, low: int, high: int) -> int:
        return self.data.draw(st.integers(low, high))

    def choice(self, options: Sequence[T]) -> T:
        return self.data.draw(st.sampled_from(options))


class RandomChooser:
    """Choices from a seeded generator (the same file on every run)."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)

    def integer(self, low: int, high: int) -> int:
        return self.random.randint(low, high)

    def choice(self, options: Sequence[T]) -> T:
        return options[self.random.randrange(len(options))]


@dataclass(frozen=True)
class Bounds:
    """The largest row and column (1-based) a mutation may name."""

    rows: int = 3000
    columns: int = 60


SMALL = Bounds()


# ---------------------------------------------------------------- values


_WORDS = (
    "", " ", "\u00a0", "x", "X", "có", "không", "Có", "đúng", "sai", "yes", "no", "TRUE",
    "true", "1", "0", "-0", "0.0", "1e308", "-1e308", "1e-320", "1E+400", "NaN", "nan", "inf",
    "-Infinity", "12,5", "12.5", "1.234,5", "1,234.5", "12,5%", "87.5%", "150%", "%", "-",
    "+", ".", ",", "1/0", "#N/A", "#DIV/0!", "#VALUE!", "=1/0", "=SUM(A1:A3)", "=A1",
    "=HYPERLINK(\"http://x\")", "2026", "2026-Q1", "2026-Q5", "Quý I/2026", "tháng 13/2026",
    "03/2026", "2026-02-30", "31/12/9999", "0001-01-01", "code", "Mã", "subjects", "units",
    "chinh_tri", "he_so", "S1", "A1", "SNV", "Sở Nội vụ", "lanh_dao", "chuyen_vien",
    "\u0661\u0662", "\uff11\uff12", "\u2212" "5", "5\u200b", "\ufeff5", "Ma\u0303", "😀",
    "\u202e1", "0x10", "1_000", "½", "Ⅻ", "𝟗", "1e", "e1", "..", "--1", "1-", "'5",
    "\"5\"", "(5)", "5đ", "∞",
)  # fmt: skip
_ALPHABET = "aAzZ09 .,;:-+%/\\\"'<>&=#@\t\n\r\u00a0ạêđƯ€😀\u0300\u200b\ufeff"


def text(chooser: Chooser) -> str:
    """A short text, made of known tricky words, random code points or both."""
    kind = chooser.integer(0, 2)
    if kind == 0:
        return chooser.choice(_WORDS)
    length = chooser.integer(0, 12)
    if kind == 1:
        return "".join(chooser.choice(_ALPHABET) for _ in range(length))
    return "".join(_code_point(chooser) for _ in range(length))


def _code_point(chooser: Chooser) -> str:
    point = chooser.integer(0x20, 0x2FFFF)
    if 0xD800 <= point <= 0xDFFF or point in (0xFFFE, 0xFFFF):
        return "?"
    return chr(point)


def long_text(chooser: Chooser) -> str:
    """A very long text: digits (a number too long to convert), letters or spaces."""
    length = chooser.integer(300, 40_000)
    return chooser.choice(("9", "1", "a", " ", "ạ", "1,", "0.")) * (length // 2 or 1)


def number_text(chooser: Chooser) -> str:
    """A number as stored in a `<v>` or a CSV cell, from ordinary to absurd."""
    kind = chooser.integer(0, 5)
    if kind == 0:
        return str(chooser.integer(-(10**6), 10**6))
    if kind == 1:
        return f"{chooser.integer(-(10**9), 10**9)}.{chooser.integer(0, 10**6)}"
    if kind == 2:
        return f"{chooser.integer(1, 9)}E{chooser.choice(('+', '-', ''))}{chooser.integer(0, 999)}"
    if kind == 3:
        return chooser.choice(("NaN", "inf", "-inf", "1e309", "-0", "", " 1 ", "1,5", "0x1F"))
    if kind == 4:
        return str(chooser.integer(10**20, 10**40))
    return "9" * chooser.integer(25, 6000)


# ---------------------------------------------------------------- archive


Entry = tuple[zipfile.ZipInfo, bytes]


def unzip(data: bytes) -> list[Entry]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info, archive.read(info)) for info in archive.infolist()]


def rezip(entries: Sequence[Entry]) -> bytes:
    stream = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Duplicate name": a duplicated entry is the point
        with zipfile.ZipFile(stream, "w") as archive:
            for info, payload in entries:
                archive.writestr(info, payload)
    return stream.getvalue()


_TIMESTAMP = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*")


def normalised(data: bytes) -> bytes:
    """The package with its dates fixed (entries and document properties), so that the
    same mutations of it give the same bytes on every run."""
    return rezip(
        [
            (
                _info(info.filename, info.compress_type),
                _TIMESTAMP.sub(rb"\g<1>2026-01-01T00:00:00Z", payload),
            )
            for info, payload in unzip(data)
        ]
    )


def pack(path: Path) -> bytes:
    """A workbook's bytes (dates fixed), or a folder's CSV files as the entries of a zip."""
    if path.is_file():
        return normalised(path.read_bytes())
    return rezip(
        [
            (_info(str(child.relative_to(path)), zipfile.ZIP_STORED), child.read_bytes())
            for child in sorted(path.rglob("*.csv"))
        ]
    )


def unpack(packed: bytes, path: Path) -> Path:
    """A folder made of the entries `pack` made of one."""
    path.mkdir()
    for info, payload in unzip(packed):
        target = path / info.filename
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(payload)
    return path


def _info(name: str, compression: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
    info.compress_type = compression
    return info


def _renamed(info: zipfile.ZipInfo, name: str) -> zipfile.ZipInfo:
    return _info(name, info.compress_type)


_COMPRESSIONS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)


def mutate_archive(data: bytes, chooser: Chooser) -> bytes:
    """Drop, duplicate, rename or recompress entries; then maybe corrupt or cut the bytes."""
    entries = unzip(data)
    for _ in range(chooser.integer(0, 2)):
        if not entries:
            break
        index = chooser.integer(0, len(entries) - 1)
        info, payload = entries[index]
        action = chooser.integer(0, 5)
        if action == 0:
            del entries[index]
        elif action == 1:
            other = payload if chooser.integer(0, 1) else payload[: len(payload) // 2]
            entries.insert(chooser.integer(0, len(entries)), (_renamed(info, info.filename), other))
        elif action == 2:
            name = chooser.choice(
                (
                    info.filename.upper(),
                    info.filename.replace("/", "\\"),
                    "/" + info.filename,
                    info.filename + ".bak",
                    "../" + info.filename,
                    info.filename.replace("sheet1", "sheet9"),
                )
            )
            entries[index] = (_renamed(info, name), payload)
        elif action == 3:
            entries[index] = (_info(info.filename, chooser.choice(_COMPRESSIONS)), payload)
        elif action == 4:
            entries.insert(chooser.integer(0, len(entries)), (_info("xl/worksheets/", 0), b""))
        else:
            entries[index] = (_renamed(info, info.filename), b"")
    packed = rezip(entries)
    action = chooser.integer(0, 3)
    if action == 1:  # flip some bytes anywhere (headers, data, central directory)
        damaged = bytearray(packed)
        for _ in range(chooser.integer(1, 8)):
            damaged[chooser.integer(0, len(damaged) - 1)] ^= chooser.integer(1, 255)
        packed = bytes(damaged)
    elif action == 2:
        packed = packed[: chooser.integer(0, len(packed) - 1)]
    elif action == 3:  # garbage before the archive (a self-extractor's stub) or after it
        junk = bytes(chooser.integer(0, 255) for _ in range(chooser.integer(1, 64)))
        packed = junk + packed if chooser.integer(0, 1) else packed + junk
    return packed


# ---------------------------------------------------------------- sheet XML

_START_TAG = re.compile(rb"<([A-Za-z][\w:.-]*)(?=[\s/>])[^<>]*?(/?)>")
_CELL = re.compile(rb"<c(?=[\s>/])([^<>]*?)(?:/>|>(.*?)</c>)", re.DOTALL)
_REF = re.compile(rb"""\b(r|ref)=(["'])([^"']*)\2""")
_SHARED = re.compile(rb"""(t=["']s["'][^<>]*>\s*<v>)([^<]*)(</v>)""")
_TYPE = re.compile(rb"""\bt=(["'])([^"']*)\1""")
_STYLE = re.compile(rb"""\bs=(["'])([^"']*)\1""")
_ATTRIBUTE = re.compile(rb"""\s[\w:]+=(["'])[^"']*\1""")


def _pick(chooser: Chooser, matches: list[re.Match[bytes]]) -> re.Match[bytes] | None:
    return matches[chooser.integer(0, len(matches) - 1)] if matches else None


def reference(chooser: Chooser, bounds: Bounds = SMALL) -> str:
    """A cell reference within `bounds`, or a malformed one."""
    if chooser.integer(0, 3):
        column = _letters(chooser.integer(1, bounds.columns))
        return f"{column}{chooser.integer(1, bounds.rows)}"
    return chooser.choice(
        ("", "A", "1", "A0", "a1", "A-1", "$A$1", "A1:B2", "1A", "A 1", "Ạ1", "A1.5", "AAAA1",
         "A01", "A+1", "A1A1", "🙂1", " ")
    )  # fmt: skip


def _letters(column: int) -> str:
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _element_span(xml: bytes, match: re.Match[bytes]) -> tuple[int, int]:
    """Where the element that starts at `match` ends (its first closing tag, not nesting-aware:
    close enough for damage)."""
    if match.group(2):
        return match.start(), match.end()
    close = xml.find(b"</" + match.group(1) + b">", match.end())
    return match.start(), (close + len(match.group(1)) + 3 if close >= 0 else match.end())


def _cell_xml(chooser: Chooser, attributes: bytes) -> bytes:
    """A cell of a random type keeping the attributes it had (its `r`, its style)."""
    attributes = _TYPE.sub(b"", attributes)
    kind = chooser.integer(0, 10)
    if kind == 0:
        return (
            b"<c" + attributes + b' t="inlineStr"><is><t>' + _esc(text(chooser)) + b"</t></is></c>"
        )
    if kind == 1:
        return b"<c" + attributes + b' t="str"><v>' + _esc(text(chooser)) + b"</v></c>"
    if kind == 2:
        return b"<c" + attributes + b"><v>" + number_text(chooser).encode() + b"</v></c>"
    if kind == 3:
        return (
            b"<c"
            + attributes
            + b' t="b"><v>'
            + chooser.choice((b"0", b"1", b"2", b"x"))
            + b"</v></c>"
        )
    if kind == 4:
        code = chooser.choice((b"#DIV/0!", b"#N/A", b"#VALUE!", b"#REF!", b"#NAME?", b"#BOGUS"))
        return b"<c" + attributes + b' t="e"><f>1/0</f><v>' + code + b"</v></c>"
    if kind == 5:
        formula = chooser.choice((b"SUM(A1:A3)", b"A1", b"1/0", b"NOW()", b"", b"A1048576"))
        return b"<c" + attributes + b"><f>" + formula + b"</f></c>"
    if kind == 6:
        day = chooser.choice((b"2026-03-31", b"9999-12-31", b"0001-01-01", b"2026-02-30",
                              b"2026-03-31T25:00:00", b"yesterday", b""))  # fmt: skip
        return b"<c" + attributes + b' t="d"><v>' + day + b"</v></c>"
    if kind == 7:
        return b"<c" + attributes + b"/>"
    if kind == 8:
        return (
            b"<c"
            + attributes
            + b' t="inlineStr"><is><t>'
            + _esc(long_text(chooser))
            + b"</t></is></c>"
        )
    if kind == 9:
        serial = chooser.choice(
            (b"46112", b"-1", b"0", b"60", b"2958466", b"1e300", b"46112.999999")
        )
        return b"<c" + attributes + b' s="1"><v>' + serial + b"</v></c>"
    return (
        b"<c" + attributes + b' t="' + chooser.choice((b"n", b"s", b"q", b"")) + b'"><v>1</v></c>'
    )


def _esc(value: str) -> bytes:
    return escape(value).encode("utf-8", "surrogatepass")


def mutate_cells(xml: bytes, chooser: Chooser) -> bytes:
    """Give a few cells of a sheet another value of another type."""
    cells = list(_CELL.finditer(xml))
    if not cells:
        return xml
    chosen = {chooser.integer(0, len(cells) - 1) for _ in range(chooser.integer(1, 6))}
    for index in sorted(chosen, reverse=True):
        cell = cells[index]
        xml = xml[: cell.start()] + _cell_xml(chooser, cell.group(1)) + xml[cell.end() :]
    return xml


def mutate_xml(xml: bytes, chooser: Chooser, bounds: Bounds = SMALL) -> bytes:
    """Damage one XML part: elements deleted, duplicated or renamed, references and indices
    changed, attributes broken, entities declared, bytes inserted, the text cut short."""
    for _ in range(chooser.integer(1, 3)):
        xml = _one_xml_mutation(xml, chooser, bounds)
    return xml


_JUNK = (b"\xff\xfe", b"\x00", b"\x01", b"\xc3", b"\xed\xa0\x80", b"]]>", b"<", b"&", b"&#0;",
         b"&#xD800;", b"&bogus;", b"<![CDATA[x")  # fmt: skip


def _one_xml_mutation(xml: bytes, chooser: Chooser, bounds: Bounds) -> bytes:
    action = chooser.integer(0, 12)
    tags = list(_START_TAG.finditer(xml))
    if action <= 2 and tags:
        tag = _pick(chooser, tags)
        assert tag is not None
        start, end = _element_span(xml, tag)
        if action == 0:  # delete
            return xml[:start] + xml[end:]
        if action == 1:  # duplicate
            return xml[:end] + xml[start:end] + xml[end:]
        name = chooser.choice((b"x", b"c", b"row", b"v", b"is", b"t", b"f", b"sheetData", b"si",
                               b"x:c", b"sheet"))  # fmt: skip
        old = tag.group(1)
        inner = xml[start:end]
        renamed = b"<" + name + inner[1 + len(old) :]
        if renamed.endswith(b"</" + old + b">"):
            renamed = renamed[: -len(old) - 3] + b"</" + name + b">"
        return xml[:start] + renamed + xml[end:]
    if action == 3:  # another reference, in a cell, a row or the dimension
        found = _pick(chooser, list(_REF.finditer(xml)))
        if found is None:
            return xml
        if found.group(1) == b"ref":
            value = f"{reference(chooser, bounds)}:{reference(chooser, bounds)}"
        elif chooser.integer(0, 1) and b"<row" in xml[max(0, found.start() - 8) : found.start()]:
            value = str(chooser.integer(0, bounds.rows))
        else:
            value = reference(chooser, bounds)
        return xml[: found.start(3)] + value.encode() + xml[found.end(3) :]
    if action == 4:  # another shared string index
        found = _pick(chooser, list(_SHARED.finditer(xml)))
        if found is None:
            return xml
        index = chooser.choice((b"-1", b"0", b"1", b"7", b"999", b"4294967295", b"4294967296",
                                b"99999999999999999999", b"1.5", b"x", b""))  # fmt: skip
        return xml[: found.start(2)] + index + xml[found.end(2) :]
    if action == 5:  # another type or style
        found = _pick(chooser, list(_TYPE.finditer(xml)) + list(_STYLE.finditer(xml)))
        if found is None:
            return xml
        kind = chooser.choice((b"s", b"n", b"b", b"e", b"str", b"inlineStr", b"d", b"", b"0",
                               b"1", b"999", b"-1", b"4294967296", b"z"))  # fmt: skip
        return xml[: found.start(2)] + kind + xml[found.end(2) :]
    if action == 6:  # a broken attribute
        found = _pick(chooser, list(_ATTRIBUTE.finditer(xml)))
        if found is None:
            return xml
        attribute = found.group(0)
        broken = chooser.choice(
            (
                attribute[:-1],  # no closing quote
                attribute + attribute,  # twice
                attribute.replace(b"=", b" = ", 1),
                attribute.replace(b"=", b"", 1),
                b" x:" + attribute.lstrip(),  # an unbound prefix
                attribute[: len(attribute) // 2],
                b"",
            )
        )
        return xml[: found.start()] + broken + xml[found.end() :]
    if action == 7:  # a document type with entities, used in the text
        depth = chooser.integer(0, 4)
        entities = [b'<!ENTITY e0 "lol">']
        entities += [
            b'<!ENTITY e%d "%s">' % (level, b"&e%d;" % (level - 1) * 10)
            for level in range(1, depth + 1)
        ]
        declared = b"<!DOCTYPE x [" + b"".join(entities) + b"]>"
        if chooser.integer(0, 3) == 0:
            declared = b'<!DOCTYPE x [<!ENTITY ext SYSTEM "file:///etc/passwd">]>'
        head = xml.find(b"?>")
        at = head + 2 if head >= 0 else 0
        xml = xml[:at] + declared + xml[at:]
        use = b"&e%d;" % depth if b"e0" in declared else b"&ext;"
        found = _pick(chooser, [m for m in re.finditer(rb"<(?:v|t)>", xml)])
        if found is None:
            return xml
        return xml[: found.end()] + use + xml[found.end() :]
    if action == 8:  # bytes that are not UTF-8, NUL, a control character
        junk = chooser.choice(_JUNK)
        at = chooser.integer(0, len(xml))
        return xml[:at] + junk + xml[at:]
    if action == 9:  # cut short
        return xml[: chooser.integer(0, len(xml))]
    if action == 10:  # another encoding declared
        encoding = chooser.choice((b"UTF-16", b"ISO-8859-1", b"bogus", b"UTF-32"))
        return re.sub(rb'encoding="[^"]*"', b'encoding="' + encoding + b'"', xml, count=1)
    if action == 11:  # a huge `spans` or row number in range, many empty rows declared
        found = _pick(chooser, list(re.finditer(rb"<row\b", xml)))
        if found is None:
            return xml
        row = chooser.integer(1, bounds.rows)
        return (
            xml[: found.end()]
            + b' r="%d" spans="1:%d"' % (row, bounds.columns)
            + xml[found.end() :]
        )
    return mutate_cells(xml, chooser)


def is_sheet(name: str) -> bool:
    return name.startswith("xl/worksheets/") and name.endswith(".xml")


def mutate_workbook(data: bytes, chooser: Chooser, level: str, bounds: Bounds = SMALL) -> bytes:
    """`level` is 'cells' (values of a sheet's cells), 'xml' (one part's XML, mostly a
    sheet's) or 'archive' (the zip's entries and bytes)."""
    if level == "archive":
        return mutate_archive(data, chooser)
    entries = unzip(data)
    sheets = [i for i, (info, _) in enumerate(entries) if is_sheet(info.filename)]
    if level == "cells":
        for _ in range(chooser.integer(1, 3)):
            index = chooser.choice(sheets)
            info, payload = entries[index]
            entries[index] = (info, mutate_cells(payload, chooser))
        return rezip(entries)
    if chooser.integer(0, 2):
        index = chooser.choice(sheets)
    else:
        index = chooser.integer(0, len(entries) - 1)  # workbook.xml, sharedStrings, rels, …
    info, payload = entries[index]
    entries[index] = (info, mutate_xml(payload, chooser, bounds))
    return rezip(entries)


def with_huge_reference(data: bytes, ref: str, *, dimension: bool = False) -> bytes:
    """The workbook with one more cell at `ref` on its first sheet (or its dimension declared
    up to `ref`): the 14 KB file of issue 11 that makes an ungated reader allocate by
    reference."""
    entries = unzip(data)
    index = next(i for i, (info, _) in enumerate(entries) if is_sheet(info.filename))
    info, xml = entries[index]
    if dimension:
        xml = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="A1:{ref}"'.encode(), xml)
    else:
        row = re.match(r"[A-Z]*([0-9]*)", ref)
        number = row.group(1) if row else "1"
        cell = f'<row r="{number}"><c r="{ref}" t="inlineStr"><is><t>x</t></is></c></row>'
        xml = xml.replace(b"</sheetData>", cell.encode() + b"</sheetData>")
    entries[index] = (info, xml)
    return rezip(entries)


def with_blank_run(data: bytes, megabytes: int) -> bytes:
    """The workbook with `megabytes` of spaces inside its first sheet's data: a few hundred KB
    packed (issue 11, item 2: a sheet of blanks held a process for minutes)."""
    entries = unzip(data)
    index = next(i for i, (info, _) in enumerate(entries) if is_sheet(info.filename))
    info, xml = entries[index]
    blanks = b" " * (megabytes << 20)
    entries[index] = (
        _info(info.filename, zipfile.ZIP_DEFLATED),
        xml.replace(b"<sheetData>", b"<sheetData>" + blanks, 1),
    )
    return rezip(entries)


# ---------------------------------------------------------------- CSV


_ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1258", "latin-1", "utf-32")


def mutate_csv(data: bytes, chooser: Chooser) -> bytes:
    """Damage a UTF-8 CSV file: cells, rows, quoting, delimiters, then its bytes."""
    lines = data.decode("utf-8").split("\n")
    for _ in range(chooser.integer(1, 4)):
        lines = _one_csv_mutation(lines, chooser)
    body = "\n".join(lines)
    action = chooser.integer(0, 4)
    if action == 1:  # another encoding (or a BOM that lies)
        encoding = chooser.choice(_ENCODINGS)
        try:
            return body.encode(encoding)
        except UnicodeEncodeError:
            return body.encode(encoding, "replace")
    raw = body.encode("utf-8", "surrogatepass")
    if action == 2:
        junk = chooser.choice((b"\xff", b"\x00", b"\xfe\xff", b"\xef\xbb\xbf", b"\xc3", b"\r",
                               b"\x1a", b"\xed\xa0\x80"))  # fmt: skip
        at = chooser.integer(0, len(raw))
        return raw[:at] + junk + raw[at:]
    if action == 3:
        return raw[: chooser.integer(0, len(raw))]
    return raw


def _csv_field(chooser: Chooser) -> str:
    kind = chooser.integer(0, 5)
    if kind == 0:
        return text(chooser)
    if kind == 1:
        return number_text(chooser)
    if kind == 2:
        return long_text(chooser)
    if kind == 3:
        return chooser.choice(('"', '""', '"a"b', 'a"b', '"a\nb"', '"a,b"', "a;b", "\t", "\x00",
                               "\r", "\\", '"' * 3, "\u2028"))  # fmt: skip
    if kind == 4:
        return chooser.choice(("TRUE", "FALSE", "2026-03-31", "31/03/2026", "9999-12-31",
                               "00:00", "=1/0", "#N/A", ""))  # fmt: skip
    return ""


def _one_csv_mutation(lines: list[str], chooser: Chooser) -> list[str]:
    if not lines:
        return [_csv_field(chooser)]
    index = chooser.integer(0, len(lines) - 1)
    line = lines[index]
    action = chooser.integer(0, 6)
    if action <= 1:  # a field replaced (unquoted, so that quotes and delimiters bite)
        fields = line.split(",")
        at = chooser.integer(0, len(fields) - 1)
        fields[at] = _csv_field(chooser)
        return [*lines[:index], ",".join(fields), *lines[index + 1 :]]
    if action == 2:
        return lines[:index] + lines[index + 1 :]
    if action == 3:
        return [*lines[: index + 1], line, *lines[index + 1 :]]  # a row twice
    if action == 4:  # another delimiter in this row
        return [*lines[:index], line.replace(",", chooser.choice((";", "\t", "|", ""))),
                *lines[index + 1 :]]  # fmt: skip
    if action == 5:  # extra or missing fields
        extra = "," * chooser.integer(1, 300) if chooser.integer(0, 1) else ""
        return [*lines[:index], line.rsplit(",", 1)[0] + extra, *lines[index + 1 :]]
    return [*lines[:index], line + chooser.choice(("\r", "\r\n", '"', "\x00", "\n\n")),
            *lines[index + 1 :]]  # fmt: skip


def apply(levels: Sequence[str], data: bytes, chooser: Chooser) -> bytes:
    """Several workbook mutations in a row (`levels` as for `mutate_workbook`)."""
    for level in levels:
        data = mutate_workbook(data, chooser, level)
    return data
