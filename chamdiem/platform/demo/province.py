"""A synthetic Phú Thọ province: agencies, units and civil servants with a quarter's data for
rules/cong_chuc_quy.rules.

Nothing here is real: commune names are put together from common place-name syllables and
people's names from common family, middle and given names. The shape follows the province
after the 2025 merger: 148 communes and wards (133 xã, 15 phường) and 20 provincial agencies,
each split into units (phòng, chi cục, ban), with one head per unit.

The same seed always gives the same province and the same people (numpy's PCG64 streams are
stable across platforms); the province's structure does not depend on the number of people.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt

from chamdiem.dsl.data import Cohort, ItemTable
from chamdiem.platform.excel.xlsx import write_workbook

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# The inputs and the items list of rules/cong_chuc_quy.rules, in the order of the data sheet.
# tests/rules checks that they are exactly the rule file's declarations.
INPUT_NAMES = (
    "chinh_tri",
    "chuyen_mon",
    "doi_moi",
    "suy_thoai",
    "ky_luat",
    "lanh_dao",
    "tham_nhung_don_vi",
)
ITEMS_NAME = "san_pham"
ITEM_FIELDS = ("he_so", "hoan_thanh", "loi_nang", "cham_tre")
# Headers of the built-in columns, in Vietnamese (the reader also accepts code, name, unit,
# position_group, is_head).
SUBJECT_COLUMNS = ("Mã", "Họ và tên", "Chức vụ", "Đơn vị", "Nhóm vị trí", "Người đứng đầu")

# Choices of the `ky_luat` input, mildest first; "không" means not disciplined.
DISCIPLINE = ("không", "khiển trách", "cảnh cáo", "hạ bậc lương", "giáng chức", "cách chức")

COMMUNES = 148
WARDS = 15  # of the 148, phường; the rest are xã

# ---------------------------------------------------------------- the province's structure

# Provincial agencies: code, name, relative size, units other than the leadership.
# "Chi cục" units are larger (they have field staff).
_AGENCIES: tuple[tuple[str, str, float, tuple[str, ...]], ...] = (
    ("VPUB", "Văn phòng Ủy ban nhân dân tỉnh", 1.0, (
        "Phòng Tổng hợp", "Phòng Kinh tế", "Phòng Khoa giáo - Văn xã", "Phòng Nội chính",
        "Phòng Hành chính - Tổ chức", "Phòng Quản trị - Tài vụ",
        "Trung tâm Phục vụ hành chính công",
    )),
    ("SNV", "Sở Nội vụ", 1.0, (
        "Văn phòng", "Thanh tra", "Phòng Tổ chức, biên chế", "Phòng Công chức, viên chức",
        "Phòng Xây dựng chính quyền", "Phòng Cải cách hành chính", "Phòng Lao động - Việc làm",
        "Ban Thi đua - Khen thưởng", "Chi cục Văn thư - Lưu trữ",
    )),
    ("STC", "Sở Tài chính", 1.2, (
        "Văn phòng", "Thanh tra", "Phòng Quản lý ngân sách", "Phòng Tài chính đầu tư",
        "Phòng Quản lý giá và công sản", "Phòng Tài chính doanh nghiệp",
        "Phòng Đăng ký kinh doanh", "Phòng Tổng hợp, quy hoạch",
    )),
    ("STP", "Sở Tư pháp", 0.6, (
        "Văn phòng", "Phòng Xây dựng và kiểm tra văn bản", "Phòng Hành chính tư pháp",
        "Phòng Bổ trợ tư pháp", "Phòng Phổ biến, giáo dục pháp luật",
    )),
    ("SCT", "Sở Công Thương", 1.0, (
        "Văn phòng", "Phòng Quản lý công nghiệp", "Phòng Quản lý thương mại",
        "Phòng Quản lý năng lượng", "Phòng Kỹ thuật an toàn - Môi trường",
        "Chi cục Quản lý thị trường",
    )),
    ("SNNMT", "Sở Nông nghiệp và Môi trường", 2.2, (
        "Văn phòng", "Thanh tra", "Phòng Kế hoạch - Tài chính", "Phòng Quản lý đất đai",
        "Phòng Môi trường", "Phòng Tài nguyên nước, khoáng sản",
        "Chi cục Trồng trọt và Bảo vệ thực vật", "Chi cục Chăn nuôi và Thú y",
        "Chi cục Kiểm lâm", "Chi cục Thủy lợi", "Chi cục Phát triển nông thôn",
    )),
    ("SXD", "Sở Xây dựng", 1.2, (
        "Văn phòng", "Thanh tra", "Phòng Quản lý hoạt động xây dựng",
        "Phòng Quy hoạch - Kiến trúc", "Phòng Phát triển đô thị", "Phòng Quản lý giao thông",
        "Phòng Quản lý nhà và thị trường bất động sản",
    )),
    ("SKHCN", "Sở Khoa học và Công nghệ", 0.8, (
        "Văn phòng", "Phòng Quản lý khoa học", "Phòng Chuyển đổi số",
        "Phòng Bưu chính - Viễn thông", "Phòng Tiêu chuẩn đo lường chất lượng",
        "Phòng Đổi mới sáng tạo",
    )),
    ("SGDDT", "Sở Giáo dục và Đào tạo", 1.0, (
        "Văn phòng", "Phòng Giáo dục mầm non", "Phòng Giáo dục phổ thông",
        "Phòng Giáo dục thường xuyên", "Phòng Tổ chức cán bộ",
        "Phòng Khảo thí và quản lý chất lượng", "Phòng Kế hoạch - Tài chính",
    )),
    ("SYT", "Sở Y tế", 1.2, (
        "Văn phòng", "Phòng Nghiệp vụ Y", "Phòng Nghiệp vụ Dược", "Phòng Kế hoạch - Tài chính",
        "Phòng Tổ chức cán bộ", "Phòng Bảo trợ xã hội", "Chi cục Dân số",
        "Chi cục An toàn vệ sinh thực phẩm",
    )),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", 0.9, (
        "Văn phòng", "Phòng Quản lý văn hóa", "Phòng Quản lý thể dục thể thao",
        "Phòng Quản lý du lịch", "Phòng Xây dựng nếp sống văn hóa và gia đình",
        "Phòng Báo chí, xuất bản",
    )),
    ("SDTTG", "Sở Dân tộc và Tôn giáo", 0.5, (
        "Văn phòng", "Thanh tra", "Phòng Chính sách dân tộc", "Phòng Quản lý tôn giáo",
    )),
    ("SNGV", "Sở Ngoại vụ", 0.3, ("Văn phòng", "Phòng Lãnh sự", "Phòng Hợp tác quốc tế")),
    ("TTT", "Thanh tra tỉnh", 0.8, (
        "Văn phòng", "Phòng Thanh tra 1", "Phòng Thanh tra 2", "Phòng Thanh tra 3",
        "Phòng Tiếp công dân và xử lý đơn thư", "Phòng Phòng, chống tham nhũng",
    )),
    ("VPDBHD", "Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân tỉnh", 0.5, (
        "Phòng Công tác Quốc hội", "Phòng Công tác Hội đồng nhân dân",
        "Phòng Hành chính, tổ chức, quản trị",
    )),
    ("BQLKCN", "Ban Quản lý các khu công nghiệp", 0.5, (
        "Văn phòng", "Phòng Quản lý đầu tư", "Phòng Quản lý doanh nghiệp",
        "Phòng Quy hoạch - Xây dựng - Môi trường",
    )),
    ("VPTU", "Văn phòng Tỉnh ủy", 0.8, (
        "Phòng Tổng hợp", "Phòng Hành chính - Lưu trữ", "Phòng Tài chính - Quản trị",
        "Phòng Công nghệ thông tin - Cơ yếu",
    )),
    ("BTCTU", "Ban Tổ chức Tỉnh ủy", 0.5, (
        "Văn phòng", "Phòng Tổ chức đảng - đảng viên", "Phòng Tổ chức cán bộ",
        "Phòng Bảo vệ chính trị nội bộ",
    )),
    ("UBKTTU", "Ủy ban Kiểm tra Tỉnh ủy", 0.5, (
        "Văn phòng", "Phòng Kiểm tra 1", "Phòng Kiểm tra 2", "Phòng Kiểm tra 3",
    )),
    ("MTTQ", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", 0.6, (
        "Văn phòng", "Ban Phong trào", "Ban Dân chủ - Pháp luật", "Ban Tổ chức - Tuyên giáo",
        "Ban Công tác đoàn viên, hội viên",
    )),
)  # fmt: skip

_COMMUNE_UNITS_XA = (
    "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân",
    "Phòng Kinh tế",
    "Phòng Văn hóa - Xã hội",
    "Trung tâm Phục vụ hành chính công",
)
_COMMUNE_UNITS_PHUONG = (
    "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân",
    "Phòng Kinh tế, Hạ tầng và Đô thị",
    "Phòng Văn hóa - Xã hội",
    "Trung tâm Phục vụ hành chính công",
)

# Syllables of place names common in the midlands (Phú Thọ, Vĩnh Phúc, Hòa Bình).
_PLACE_FIRST = (
    "An", "Bình", "Cao", "Cẩm", "Chí", "Đại", "Đan", "Đoan", "Đông", "Đồng", "Gia", "Hạ",
    "Hiền", "Hòa", "Hoàng", "Hợp", "Hùng", "Hương", "Kim", "Lạc", "Lâm", "Lập", "Liên",
    "Long", "Mai", "Minh", "Mỹ", "Ngọc", "Nghĩa", "Nhân", "Phú", "Phù", "Phúc", "Phượng",
    "Quang", "Sơn", "Tam", "Tân", "Tây", "Thái", "Thanh", "Thạch", "Thọ", "Thượng", "Tiên",
    "Trung", "Tứ", "Văn", "Vân", "Vĩnh", "Xuân", "Yên",
)  # fmt: skip
_PLACE_SECOND = (
    "An", "Bình", "Cương", "Dương", "Đà", "Đức", "Giang", "Hà", "Hải", "Hòa", "Hưng",
    "Khê", "Lạc", "Lâm", "Lập", "Lĩnh", "Lộc", "Lương", "Minh", "Mỹ", "Nguyên", "Nông",
    "Phong", "Phú", "Quang", "Sơn", "Tân", "Thanh", "Thành", "Thao", "Thịnh", "Thủy",
    "Tiến", "Trang", "Trì", "Trung", "Tường", "Uyên", "Việt", "Vinh", "Xuyên", "Yên",
)  # fmt: skip

# ---------------------------------------------------------------- people's names

# Family names with rough shares; Mường family names (Bùi, Đinh, Quách, Xa) are common in the
# former Hòa Bình.
_SURNAMES = (
    ("Nguyễn", 30.0), ("Trần", 9.0), ("Lê", 8.0), ("Phạm", 6.5), ("Hoàng", 5.0),
    ("Phan", 3.0), ("Vũ", 4.0), ("Đặng", 2.0), ("Bùi", 4.0), ("Đỗ", 2.0), ("Hồ", 1.0),
    ("Ngô", 1.5), ("Dương", 1.2), ("Lý", 0.5), ("Đinh", 3.0), ("Hà", 2.5), ("Cao", 1.0),
    ("Trịnh", 1.0), ("Lương", 0.8), ("Mai", 0.5), ("Tạ", 0.8), ("Kiều", 0.6), ("Triệu", 0.4),
    ("Quách", 1.2), ("Xa", 0.5), ("Nông", 0.3), ("Khổng", 0.3), ("Chu", 0.4),
)  # fmt: skip
_MIDDLE_MALE = (
    "Văn", "Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Xuân", "Thanh", "Mạnh", "Tiến",
    "Ngọc", "Trung", "Công", "Duy", "Anh", "Đình", "Bá",
)  # fmt: skip
_MIDDLE_FEMALE = (
    "Thị", "Thị", "Thị", "Thị", "Thu", "Thanh", "Ngọc", "Minh", "Hồng", "Thùy", "Phương",
    "Kim", "Hải", "Bích", "Mai", "Diệu", "Khánh", "Lan",
)  # fmt: skip
_GIVEN_MALE = (
    "Hùng", "Dũng", "Tuấn", "Minh", "Hải", "Nam", "Long", "Sơn", "Thắng", "Quân", "Hiếu",
    "Trung", "Cường", "Phong", "Khánh", "Đạt", "Huy", "Hoàng", "Tùng", "Thành", "Việt",
    "Bình", "Quang", "Đức", "Toàn", "Kiên", "Vinh", "Lâm", "Tài", "Hưng", "Tiến", "Phúc",
    "Anh", "Duy", "Hậu", "Chiến", "Nghĩa", "Thái",
)  # fmt: skip
_GIVEN_FEMALE = (
    "Lan", "Hương", "Hoa", "Mai", "Linh", "Trang", "Thảo", "Hạnh", "Ngọc", "Hà", "Huyền",
    "Nga", "Phương", "Yến", "Thủy", "Dung", "Hằng", "Vân", "Nhung", "Oanh", "Loan", "Thơ",
    "Hiền", "Giang", "Anh", "Quỳnh", "Ly", "Thúy", "Tâm", "Nhàn", "Hồng", "Liên", "Thu", "Chi",
)  # fmt: skip

# Conversion coefficients of products (đơn vị sản phẩm chuẩn) and how often each occurs.
_COEFFICIENTS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0)
_COEFFICIENT_SHARES = (0.12, 0.08, 0.35, 0.08, 0.15, 0.12, 0.05, 0.05)

UnitKind = Literal["lanh_dao", "van_phong", "thanh_tra", "chi_cuc", "chuyen_mon"]


@dataclass(frozen=True)
class Agency:
    code: str
    name: str
    level: Literal["tinh", "xa", "phuong"]


@dataclass(frozen=True)
class Unit:
    """A unit people belong to. `name` is unique in the province and is what the data's
    unit column holds, e.g. "Phòng Kinh tế – Xã Thanh Sơn"."""

    name: str
    agency: Agency
    kind: UnitKind
    weight: float  # relative size among the agency's units (the leadership has a fixed size)


@dataclass(frozen=True)
class Province:
    agencies: tuple[Agency, ...]
    units: tuple[Unit, ...]

    @property
    def communes(self) -> tuple[Agency, ...]:
        return tuple(a for a in self.agencies if a.level != "tinh")

    @property
    def departments(self) -> tuple[Agency, ...]:
        return tuple(a for a in self.agencies if a.level == "tinh")


def _unit_kind(name: str) -> UnitKind:
    if name.startswith("Văn phòng"):
        return "van_phong"
    if name == "Thanh tra" or name.startswith("Phòng Thanh tra") or "Kiểm tra" in name:
        return "thanh_tra"
    if name.startswith("Chi cục"):
        return "chi_cuc"
    return "chuyen_mon"


def _commune_names(rng: np.random.Generator) -> list[str]:
    """COMMUNES distinct two-syllable names (no doubled syllable)."""
    pairs = [(a, b) for a in _PLACE_FIRST for b in _PLACE_SECOND if a != b]
    picked = rng.choice(len(pairs), size=COMMUNES, replace=False)
    return [f"{pairs[i][0]} {pairs[i][1]}" for i in picked]


def build_province(seed: int = 2026) -> Province:
    """The agencies and units of the synthetic province for `seed`."""
    rng = np.random.default_rng([seed, 0])
    agencies: list[Agency] = []
    units: list[Unit] = []
    for code, name, size, sub_units in _AGENCIES:
        agency = Agency(code, name, "tinh")
        agencies.append(agency)
        units.append(Unit(f"Lãnh đạo – {name}", agency, "lanh_dao", 0.0))
        for sub in sub_units:
            kind = _unit_kind(sub)
            weight = size * float(rng.uniform(0.6, 1.6)) * (2.5 if kind == "chi_cuc" else 1.0)
            units.append(Unit(f"{sub} – {name}", agency, kind, weight))
    for index, place in enumerate(_commune_names(rng)):
        ward = index < WARDS
        level: Literal["xa", "phuong"] = "phuong" if ward else "xa"
        name = f"{'Phường' if ward else 'Xã'} {place}"
        agency = Agency(f"{'P' if ward else 'X'}{index + 1:03d}", name, level)
        agencies.append(agency)
        size = float(rng.uniform(0.7, 1.4))
        units.append(Unit(f"Lãnh đạo Ủy ban nhân dân – {name}", agency, "lanh_dao", 0.0))
        shares = (0.32, 0.26, 0.24, 0.18)
        for sub, share in zip(
            _COMMUNE_UNITS_PHUONG if ward else _COMMUNE_UNITS_XA, shares, strict=True
        ):
            units.append(Unit(f"{sub} – {name}", agency, _unit_kind(sub), size * share))
    return Province(tuple(agencies), tuple(units))


# ---------------------------------------------------------------- people and their data


@dataclass(frozen=True)
class _People:
    """The generated people as columns (numbers in hundredths, so exact)."""

    codes: list[str]
    names: list[str]
    unit: IntArray  # index into Province.units
    position_group: list[str]
    positions: list[str]
    is_head: BoolArray
    lanh_dao: BoolArray
    general: IntArray  # (n, 3) hundredths of chinh_tri, chuyen_mon, doi_moi
    suy_thoai: BoolArray
    ky_luat: IntArray  # index into DISCIPLINE
    tham_nhung: BoolArray
    item_owner: IntArray
    he_so: IntArray  # hundredths
    hoan_thanh: BoolArray
    loi_nang: IntArray
    cham_tre: IntArray


def _unit_sizes(province: Province, people: int, rng: np.random.Generator) -> IntArray:
    """People per unit, adding up to `people`: leaderships get a head and 1–3 deputies (2 in
    communes), other units at least a head and one member, the rest shared by weight. Half of
    the staff work in communes."""
    units = province.units
    minimum = np.array(
        [
            (1 + int(rng.integers(1, 4)) if u.agency.level == "tinh" else 3)
            if u.kind == "lanh_dao"
            else 2
            for u in units
        ],
        dtype=np.int64,
    )
    if people < int(minimum.sum()):
        raise ValueError(f"people must be at least {int(minimum.sum())} for this province")
    weight = np.array([u.weight for u in units])
    commune = np.array([u.agency.level != "tinh" for u in units])
    share = np.where(commune, weight / weight[commune].sum(), weight / weight[~commune].sum())
    share = share / 2
    extra = rng.multinomial(people - int(minimum.sum()), share / share.sum())
    sizes: IntArray = minimum + extra
    return sizes


def _position_groups(
    province: Province, sizes: IntArray
) -> tuple[list[str], list[str], BoolArray, BoolArray]:
    """Position group, position (chức vụ), is_head and lanh_dao for each person, unit by
    unit (people of a unit are consecutive; the first is the head, then deputies, then
    staff)."""
    groups: list[str] = []
    titles: list[str] = []
    heads: list[bool] = []
    leaders: list[bool] = []
    for unit, size in zip(province.units, sizes.tolist(), strict=True):
        head = _head_title(unit)
        if unit.kind == "lanh_dao":
            groups += ["lanh_dao_co_quan"] * size
            titles += [head] + [f"Phó {head}"] * (size - 1)
            heads += [True] + [False] * (size - 1)
            leaders += [True] * size
            continue
        deputies = 0 if size < 5 else 1 if size < 12 else 2 if size < 30 else 3
        staff = size - 1 - deputies
        roles: list[str] = []
        if unit.kind == "van_phong" and staff >= 4:
            roles += ["van_thu", "ke_toan"]
        main = {
            "thanh_tra": "thanh_tra_vien",
            "chi_cuc": "kiem_soat_vien" if "thị trường" in unit.name else "chuyen_vien",
        }.get(unit.kind, "chuyen_vien")
        if "Kiểm lâm" in unit.name:
            main = "kiem_lam"
        roles += [main] * (staff - len(roles))
        groups += ["lanh_dao_phong"] * (1 + deputies) + roles
        titles += [head] + [f"Phó {head}"] * deputies
        titles += [_STAFF_TITLES[role] for role in roles]
        heads += [True] + [False] * (size - 1)
        leaders += [True] * (1 + deputies) + [False] * staff
    return groups, titles, np.array(heads, dtype=np.bool_), np.array(leaders, dtype=np.bool_)


_STAFF_TITLES = {
    "chuyen_vien": "Chuyên viên",
    "thanh_tra_vien": "Thanh tra viên",
    "kiem_soat_vien": "Kiểm soát viên thị trường",
    "kiem_lam": "Kiểm lâm viên",
    "van_thu": "Văn thư",
    "ke_toan": "Kế toán viên",
}


def _head_title(unit: Unit) -> str:
    """What the head of a unit is called (its deputies are "Phó …")."""
    agency = unit.agency
    if unit.kind == "lanh_dao":
        if agency.level != "tinh":
            return "Chủ tịch Ủy ban nhân dân"
        for start, title in (("Sở", "Giám đốc"), ("Văn phòng", "Chánh Văn phòng")):
            if agency.name.startswith(start):
                return title
        if agency.name.startswith("Thanh tra"):
            return "Chánh Thanh tra"
        if agency.name.startswith("Ủy ban Kiểm tra"):
            return "Chủ nhiệm"
        if agency.name.startswith("Ủy ban"):
            return "Chủ tịch"
        return "Trưởng ban" if agency.name.startswith("Ban") else "Thủ trưởng"
    if unit.kind == "van_phong":
        return "Chánh Văn phòng"
    if unit.kind == "thanh_tra":
        return "Chánh Thanh tra"
    if unit.kind == "chi_cuc":
        return "Chi cục trưởng"
    return "Trưởng ban" if unit.name.startswith("Ban") else "Trưởng phòng"


def _full_names(n: int, rng: np.random.Generator) -> list[str]:
    shares = np.array([s for _, s in _SURNAMES])
    surname = rng.choice(len(_SURNAMES), size=n, p=shares / shares.sum())
    female = rng.random(n) < 0.52
    middle = rng.integers(0, len(_MIDDLE_MALE), size=n)
    middle_f = rng.integers(0, len(_MIDDLE_FEMALE), size=n)
    given = rng.integers(0, len(_GIVEN_MALE), size=n)
    given_f = rng.integers(0, len(_GIVEN_FEMALE), size=n)
    names: list[str] = []
    for i in range(n):
        if female[i]:
            rest = f"{_MIDDLE_FEMALE[middle_f[i]]} {_GIVEN_FEMALE[given_f[i]]}"
        else:
            rest = f"{_MIDDLE_MALE[middle[i]]} {_GIVEN_MALE[given[i]]}"
        names.append(f"{_SURNAMES[surname[i]][0]} {rest}")
    return names


def _hundredths(values: npt.NDArray[np.float64], quarter: BoolArray) -> IntArray:
    """Scores 0..10 in hundredths: most managers score in quarter points, some to 0.01."""
    clipped = np.clip(values, 0, 10)
    fine = np.rint(clipped * 100)
    coarse = np.rint(clipped * 4) * 25
    return np.where(quarter, coarse, fine).astype(np.int64)


@dataclass(frozen=True)
class Roster:
    """Who works where: the people of the province as columns, people of a unit
    consecutive, the unit's head first. `ability` is the latent "how well this person
    works" that drives every score."""

    sizes: IntArray  # people per unit of Province.units
    unit: IntArray  # index into Province.units
    codes: list[str]
    names: list[str]
    position_group: list[str]
    is_head: BoolArray
    lanh_dao: BoolArray
    ability: npt.NDArray[np.float64]
    positions: list[str]  # chức vụ: Trưởng phòng, Chuyên viên, …

    def __len__(self) -> int:
        return len(self.codes)


@dataclass(frozen=True)
class Quarter:
    """One quarter's scores, products and vetoes of every person of a Roster (numbers in
    hundredths, so exact)."""

    general: IntArray  # (n, 3) hundredths of chinh_tri, chuyen_mon, doi_moi
    suy_thoai: BoolArray
    ky_luat: IntArray  # index into DISCIPLINE
    tham_nhung: BoolArray
    item_owner: IntArray
    he_so: IntArray  # hundredths
    hoan_thanh: BoolArray
    loi_nang: IntArray
    cham_tre: IntArray


def make_roster(province: Province, people: int, rng: np.random.Generator) -> Roster:
    sizes = _unit_sizes(province, people, rng)
    unit = np.repeat(np.arange(len(province.units), dtype=np.int64), sizes)
    groups, positions, is_head, lanh_dao = _position_groups(province, sizes)
    n = len(unit)
    codes = [f"PT{i + 1:06d}" for i in range(n)]
    names = _full_names(n, rng)
    # About 2% work poorly.
    ability = rng.normal(0.0, 1.0, n)
    weak = rng.random(n) < 0.02
    ability = np.where(weak, ability - 3.0, ability)
    return Roster(sizes, unit, codes, names, groups, is_head, lanh_dao, ability, positions)


def make_quarter(
    roster: Roster,
    ability: npt.NDArray[np.float64],
    units: int,
    rng: np.random.Generator,
) -> Quarter:
    """A quarter of work of the roster's people, for a given ability of each."""
    n = len(roster)
    quarter = rng.random((n, 3)) < 0.7
    general = _hundredths(8.1 + 0.55 * ability[:, None] + rng.normal(0, 0.45, (n, 3)), quarter)

    per_person = rng.integers(3, 13, size=n)
    owner = np.repeat(np.arange(n, dtype=np.int64), per_person)
    rows = len(owner)
    coefficient = rng.choice(len(_COEFFICIENTS), size=rows, p=_COEFFICIENT_SHARES)
    he_so = np.rint(np.array(_COEFFICIENTS)[coefficient] * 100).astype(np.int64)
    done_p = np.clip(0.88 + 0.04 * ability, 0.15, 1.0)[owner]
    hoan_thanh = rng.random(rows) < done_p
    slack = np.exp(-0.6 * ability)[owner]
    loi_nang = rng.poisson(0.12 * slack).astype(np.int64)
    cham_tre = rng.poisson(0.25 * slack).astype(np.int64)

    # Vetoes are rare: ~0.5% disciplined (more often among the weak), a few "suy thoái"
    # conclusions, and corruption handled in ~1% of units (its head and a deputy).
    disciplined = rng.random(n) < np.where(ability < -1.5, 0.03, 0.004)
    form = rng.choice(
        np.arange(1, len(DISCIPLINE)), size=n, p=(0.55, 0.28, 0.06, 0.05, 0.06)
    ).astype(np.int64)
    ky_luat = np.where(disciplined, form, 0).astype(np.int64)
    suy_thoai = rng.random(n) < 0.0003
    bad_unit = rng.random(units) < 0.01
    first = np.concatenate(([0], np.cumsum(roster.sizes)[:-1]))
    position = np.arange(n) - first[roster.unit]
    tham_nhung = bad_unit[roster.unit] & roster.lanh_dao & (position < 2)
    return Quarter(
        general=general,
        suy_thoai=suy_thoai,
        ky_luat=ky_luat,
        tham_nhung=tham_nhung,
        item_owner=owner,
        he_so=he_so,
        hoan_thanh=hoan_thanh,
        loi_nang=loi_nang,
        cham_tre=cham_tre,
    )


def _generate_people(province: Province, people: int, seed: int) -> _People:
    rng = np.random.default_rng([seed, 1])
    roster = make_roster(province, people, rng)
    q = make_quarter(roster, roster.ability, len(province.units), rng)
    return _People(
        codes=roster.codes,
        names=roster.names,
        unit=roster.unit,
        position_group=roster.position_group,
        positions=roster.positions,
        is_head=roster.is_head,
        lanh_dao=roster.lanh_dao,
        general=q.general,
        suy_thoai=q.suy_thoai,
        ky_luat=q.ky_luat,
        tham_nhung=q.tham_nhung,
        item_owner=q.item_owner,
        he_so=q.he_so,
        hoan_thanh=q.hoan_thanh,
        loi_nang=q.loi_nang,
        cham_tre=q.cham_tre,
    )


def decimals(hundredths: IntArray) -> list[Decimal]:
    """Exact decimals for values in hundredths; equal values share one Decimal object, which
    keeps a large cohort small in memory."""
    low, high = int(hundredths.min(initial=0)), int(hundredths.max(initial=0))
    table = [Decimal(k) / 100 for k in range(low, high + 1)]  # exact: 825 -> 8.25, 800 -> 8
    return [table[k - low] for k in hundredths.tolist()]


def _to_cohort(province: Province, p: _People) -> Cohort:
    unit_names = [u.name for u in province.units]
    general = [decimals(p.general[:, k]) for k in range(3)]
    inputs: dict[str, Sequence[object]] = {
        "chinh_tri": general[0],
        "chuyen_mon": general[1],
        "doi_moi": general[2],
        "suy_thoai": p.suy_thoai.tolist(),
        "ky_luat": [DISCIPLINE[k] for k in p.ky_luat.tolist()],
        "lanh_dao": p.lanh_dao.tolist(),
        "tham_nhung_don_vi": p.tham_nhung.tolist(),
    }
    items = ItemTable(
        owner=p.item_owner.tolist(),
        fields={
            "he_so": decimals(p.he_so),
            "hoan_thanh": p.hoan_thanh.tolist(),
            "loi_nang": p.loi_nang.tolist(),
            "cham_tre": p.cham_tre.tolist(),
        },
    )
    return Cohort(
        codes=p.codes,
        inputs=inputs,
        items={ITEMS_NAME: items},
        units=[unit_names[k] for k in p.unit.tolist()],
        position_groups=p.position_group,
        is_head=p.is_head.tolist(),
        names=p.names,
    )


def generate_cohort(people: int = 30000, seed: int = 2026) -> Cohort:
    """The synthetic province's civil servants and their quarter, in memory."""
    province = build_province(seed)
    return _to_cohort(province, _generate_people(province, people, seed))


# ---------------------------------------------------------------- writing the data files


def _subject_rows(cohort: Cohort, positions: Sequence[str]) -> Iterator[list[object]]:
    yield [*SUBJECT_COLUMNS, *INPUT_NAMES]
    assert cohort.units is not None and cohort.position_groups is not None
    assert cohort.is_head is not None and cohort.names is not None
    columns = [
        cohort.codes,
        cohort.names,
        positions,
        cohort.units,
        cohort.position_groups,
        cohort.is_head,
        *(cohort.inputs[name] for name in INPUT_NAMES),
    ]
    for row in zip(*columns, strict=True):
        yield list(row)


def _item_rows(cohort: Cohort) -> Iterator[list[object]]:
    yield ["Mã", *ITEM_FIELDS]
    table = cohort.items[ITEMS_NAME]
    codes = cohort.codes
    owners = [codes[k] for k in table.owner]
    for row in zip(owners, *(table.fields[f] for f in ITEM_FIELDS), strict=True):
        yield list(row)


def _unit_rows(province: Province, cohort: Cohort) -> Iterator[list[object]]:
    """The `units` sheet: each agency, with its head (the head of its leadership, who leads
    the body), and its units under it. A unit's code is its name (the subjects sheet's unit
    column), so that the tree only adds the agencies above them."""
    assert cohort.units is not None and cohort.is_head is not None
    heads = {
        unit: code
        for code, unit, head in zip(cohort.codes, cohort.units, cohort.is_head, strict=True)
        if head
    }
    leadership = {u.agency.code: u.name for u in province.units if u.kind == "lanh_dao"}
    yield ["Mã", "Tên đơn vị", "Đơn vị cấp trên", "Người đứng đầu"]
    for agency in province.agencies:
        yield [agency.code, agency.name, None, heads.get(leadership.get(agency.code, ""))]
    for unit in province.units:
        yield [unit.name, unit.name, unit.agency.code, None]


def _write_xlsx(cohort: Cohort, positions: Sequence[str], province: Province, path: Path) -> None:
    write_workbook(
        path,
        [
            ("units", _unit_rows(province, cohort)),
            ("subjects", _subject_rows(cohort, positions)),
            (ITEMS_NAME, _item_rows(cohort)),
        ],
    )


def _write_csv(cohort: Cohort, positions: Sequence[str], folder: Path) -> None:
    subjects = _subject_rows(cohort, positions)
    for name, rows in (("subjects", subjects), (ITEMS_NAME, _item_rows(cohort))):
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            for row in rows:
                writer.writerow(
                    ["TRUE" if v is True else "FALSE" if v is False else v for v in row]
                )


def generate_province(out: Path, people: int = 30000, seed: int = 2026, fmt: str = "xlsx") -> Path:
    """Write the synthetic province's quarter in the data format of `chamdiem eval`.

    fmt="xlsx": one workbook with `units` (agencies and their units), `subjects` and
    `san_pham` sheets; `out` is the workbook's path, or a folder to put `phu_tho_<seed>.xlsx`
    in. fmt="csv": `out` is a folder
    that receives subjects.csv and san_pham.csv. Returns the path written.
    """
    if fmt not in ("xlsx", "csv"):
        raise ValueError(f"unknown format {fmt!r} (xlsx or csv)")
    province = build_province(seed)
    generated = _generate_people(province, people, seed)
    cohort = _to_cohort(province, generated)
    if fmt == "csv":
        out.mkdir(parents=True, exist_ok=True)
        _write_csv(cohort, generated.positions, out)
        return out
    if out.suffix.lower() != ".xlsx":
        out.mkdir(parents=True, exist_ok=True)
        out = out / f"phu_tho_{seed}.xlsx"
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
    _write_xlsx(cohort, generated.positions, province, out)
    return out
