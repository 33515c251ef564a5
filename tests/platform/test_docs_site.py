"""`chamdiem doc`: static pages that the people being scored can read."""

from __future__ import annotations

import html
import re
from pathlib import Path

from chamdiem.dsl.loader import load_source
from chamdiem.dsl.parser import parse
from chamdiem.dsl.syntax import Let, Module
from chamdiem.platform.docs_site import build_site
from chamdiem.platform.expr_words import Glossary, Words

ROOT = Path(__file__).resolve().parents[2]
DESIGN = (ROOT / "tests" / "dsl" / "examples" / "design_example.rules").read_text("utf-8")

BANDED = """\
ruleset dv "Xếp loại <đơn vị> & tập thể"
  subject unit
  period year
  effective 2026-01-01
  until 2026-12-31
  basis "Quyết định 12/2026 <b>không in đậm</b>"
end

input diem_cl : number 0..10 "Điểm chất lượng <script>alert(1)</script>"
input ty_le : percent 0..100% = 0% "Tỷ lệ hoàn thành"

group chung "Kết quả & chất lượng" max 25
  criterion chat_luong "Chất lượng" max 25 = band diem_cl
    >= 9 -> 25
    >= 7 -> 20
    5..7 -> 12
    else -> 0
  end
end

grades
  tot "Tốt" when total >= 20
  dat "Đạt" otherwise
end

exclude "Đơn vị mới thành lập <dưới 6 tháng>" when ty_le < 10%
"""


def module(source: str, path: str = "x.rules") -> Module:
    parsed, problems = parse(source, path)
    assert not problems
    return parsed


def words_of_let(source: str) -> str:
    parsed = module(source)
    let = next(d for d in parsed.declarations if isinstance(d, Let))
    return Words(Glossary.of(parsed))(let.expr)


def text_of(page: str) -> str:
    """The page as a reader sees it: tags out, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_the_site_has_an_index_and_a_page_per_rule_set(tmp_path: Path) -> None:
    program = load_source(DESIGN, "design.rules")
    written = build_site([program, module(BANDED)], tmp_path / "site")
    assert [p.name for p in written] == ["index.html", "cong_chuc_quy.html", "dv.html"]
    index = written[0].read_text("utf-8")
    assert 'href="cong_chuc_quy.html"' in index and 'href="dv.html"' in index
    assert "Đánh giá, xếp loại chất lượng công chức hằng quý" in index


def test_pages_are_self_contained_vietnamese_utf8(tmp_path: Path) -> None:
    for path in build_site([module(DESIGN), module(BANDED)], tmp_path):
        page = path.read_text("utf-8")
        assert page.startswith('<!DOCTYPE html>\n<html lang="vi">')
        assert '<meta charset="utf-8">' in page and "<style>" in page
        assert "<script" not in page and "http://" not in page and "https://" not in page
        assert "<link" not in page and "<img" not in page


def test_the_rule_set_page_explains_the_scoring_with_labels(tmp_path: Path) -> None:
    page = build_site([module(DESIGN)], tmp_path)[1].read_text("utf-8")
    text = text_of(page)
    assert "Nghị định 335/2025/NĐ-CP" in text
    assert "Hiệu lực từ ngày 01/01/2026" in text
    assert "Kỳ đánh giá hằng quý" in text
    assert "Nhóm tiêu chí: Kết quả thực hiện nhiệm vụ — tối đa 70 điểm" in text
    assert "Số lượng, chất lượng, tiến độ ket_qua 70" in text  # criterion, code, maximum
    assert "tỷ lệ xong / giao (bằng 0 nếu giao bằng 0)" in text
    assert (
        "tổng «Hệ số quy đổi sản phẩm chuẩn» của các «Sản phẩm, công việc được giao» "
        "có hoan_thanh" in text
    )
    assert "Hoàn thành xuất sắc nhiệm vụ xuat_sac tổng điểm từ 90 trở lên" in text
    assert (
        "Bị kỷ luật trong năm đánh giá (Điều 20 khoản 4 điểm c) : khi «Bị kỷ luật từ khiển "
        "trách trở lên trong năm», mức xếp loại không cao hơn «Không hoàn thành nhiệm vụ»"
    ) in text
    assert (
        "Số người được xếp loại «Hoàn thành xuất sắc nhiệm vụ» không vượt quá 20% của số "
        "người có mức xếp loại từ «Hoàn thành tốt nhiệm vụ» trở lên (làm tròn xuống), tính "
        "riêng cho từng nhóm người có cùng đơn vị, nhóm vị trí việc làm"
    ) in text
    assert "tổng điểm từ cao xuống thấp, rồi «Số lượng, chất lượng, tiến độ» từ cao" in text
    assert "Chính trị, đạo đức, văn hoá công vụ, kỷ luật chinh_tri số từ 0 đến 10" in text


def test_exclusions_are_explained(tmp_path: Path) -> None:
    text = text_of(build_site([module(BANDED)], tmp_path)[1].read_text("utf-8"))
    assert "Trường hợp không xếp loại" in text
    assert "Đơn vị mới thành lập <dưới 6 tháng> : khi «Tỷ lệ hoàn thành» dưới 10%." in text


def test_bands_are_tables(tmp_path: Path) -> None:
    page = build_site([module(BANDED)], tmp_path)[1].read_text("utf-8")
    assert "giá trị theo bảng 1" in page
    band = page[page.index('<table class="band">') :]
    band = band[: band.index("</table>")]
    rows = re.findall(r"<tr><td>(.*?)</td><td class=\"num\">(.*?)</td></tr>", band)
    assert rows == [
        ("từ 9 trở lên", "25"),
        ("từ 7 trở lên", "20"),
        ("từ 5 đến 7", "12"),
        ("các trường hợp còn lại", "0"),
    ]


def test_everything_from_the_rule_file_is_escaped(tmp_path: Path) -> None:
    written = build_site([module(BANDED)], tmp_path)
    index, page = (p.read_text("utf-8") for p in written)
    for text in (index, page):
        assert "<script>" not in text and "<b>không" not in text and "<đơn vị>" not in text
        assert "<dưới" not in text
    assert "Xếp loại &lt;đơn vị&gt; &amp; tập thể" in index
    assert "Điểm chất lượng &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Quyết định 12/2026 &lt;b&gt;không in đậm&lt;/b&gt;" in page
    assert "Kết quả &amp; chất lượng" in page


def test_formulas_in_words() -> None:
    header = 'ruleset r "t"\n  subject person\n  period quarter\n  effective 2026-01-01\nend\n'
    items = 'items sp "Sản phẩm"\n  he_so : number\n  hoan_thanh : bool\nend\n'
    assert words_of_let(header + "let x = ratio(a, b, if_zero: 0)\n") == (
        "tỷ lệ a / b (bằng 0 nếu b bằng 0)"
    )
    assert words_of_let(header + items + "let x = sum(sp.he_so where sp.hoan_thanh)\n") == (
        "tổng he_so của các «Sản phẩm» có hoan_thanh"
    )
    assert words_of_let(header + "let x = if a >= 0.5 and not b then 1 else 2\n") == (
        "nếu a từ 0,5 trở lên và không phải b thì 1, ngược lại 2"
    )
    assert words_of_let(header + "let x = (a + b) * max(0, a - 1)\n") == (
        "(a + b) × (giá trị lớn nhất của 0 và a - 1)"
    )


def test_a_catalogue_record_is_said_in_words() -> None:
    """`san_pham[ma_chinh].he_so`: the catalogue's record by its key, then its field."""
    source = (
        'ruleset r "R"\n  subject person\n  period quarter\n  effective 2026-01-01\nend\n'
        "input ma_chinh : text\nlet x = san_pham[ma_chinh].he_so\n"
    )
    assert "san_pham[ma_chinh]" in words_of_let(source)
