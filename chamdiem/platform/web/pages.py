"""Rendering pages: the Jinja environment (templates and filters shipped in the package) and
`page()`, which gives every template the signed-in user, what they may do and the menu."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from litestar.response import Template
from markupsafe import Markup

from chamdiem.dsl import display
from chamdiem.platform.services import audit_words
from chamdiem.platform.services.accounts import ROLE_TEXT
from chamdiem.platform.web.access import Action, Principal, can

# Phú Thọ keeps Indochina time all year (no daylight saving).
LOCAL = timezone(timedelta(hours=7), "ICT")

MENU: tuple[tuple[str, str, Action | None], ...] = (
    ("Tổng quan", "/tong-quan", None),
    ("Đơn vị và người", "/don-vi", Action.READ_ORG),
    ("Nhập dữ liệu", "/nhap-du-lieu", Action.IMPORT),
    ("Lần đánh giá", "/lan-chay", Action.READ_ORG),
    ("Quy tắc", "/quy-tac", Action.READ_RULES),
    ("Cách chấm điểm", "/tai-lieu", None),
    ("Kỳ đánh giá", "/ky", None),
    ("Nhật ký", "/nhat-ky", Action.READ_AUDIT),
    ("Tài khoản", "/nguoi-dung", Action.PERSON_ACCOUNTS),  # an HR officer: their people's
)
MESSAGES: dict[str, str] = {
    "dang-xuat": "Bạn đã đăng xuất.",
    "da-quyet-dinh": "Đã ghi quyết định của hội đồng.",
    "da-tao-ky": "Đã tạo kỳ đánh giá.",
    "da-khoa-ky": "Đã khóa kỳ đánh giá.",
    "da-tao-nguoi-dung": "Đã tạo tài khoản.",
    "da-cong-bo": "Đã công bố phiên bản quy tắc.",
    "da-cong-bo-truoc": "Nội dung này đã được công bố từ trước; không thay đổi gì.",
    "da-thu-hoi": "Đã thu hồi mã truy cập.",
    "da-doi-mat-khau": "Đã đặt mật khẩu mới.",
    "da-khoa-tai-khoan": "Đã khóa tài khoản.",
    "da-mo-tai-khoan": "Đã mở lại tài khoản.",
}


def local_time(value: datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:  # SQLite gives UTC back without its zone
        value = value.replace(tzinfo=UTC)
    return display.datetime_text(value.astimezone(LOCAL))


def local_date(value: date | None) -> str:
    """31/03/2026."""
    return display.date_text(value)


def thousands(value: int | None) -> str:
    """12345 -> '12.345' (Vietnamese groups thousands with a dot)."""
    return display.count_text(value)


def percent(value: float | None) -> str:
    """18.25 -> '18,3%' (one decimal, a decimal comma, as Vietnamese writes it)."""
    return display.percent_text(value)


def number(value: object, dash: str = "—") -> str:
    """A score or a value as stored ('76.78', a Decimal) -> '76,78'; none -> a dash; text
    that is not a number (a grade, yes/no) is shown as it is."""
    if value is None or value == "":
        return dash
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, (int, float, str, Decimal)):
        return display.number_text(value)
    return str(value)


def period(code: object) -> str:
    """'2026-Q1' -> 'Quý I/2026', '2026-07' -> 'Tháng 7/2026', '2026' -> 'Năm 2026'."""
    return display.period_name(code)


def ruleset_html(row: object) -> Markup:
    """A rule set as a person reads it: its title, its code small beside it (a run or a
    history row: anything with `ruleset` and `ruleset_title`)."""
    name = str(getattr(row, "ruleset", ""))
    title = str(getattr(row, "ruleset_title", "") or name)
    if title == name:
        return Markup("{}").format(name)
    return Markup('{} <span class="muted small code">{}</span>').format(title, name)


def audit_details(details: object) -> list[str]:
    """An audit entry's details as 'khóa: giá trị' lines (a mapping), or as they are."""
    if isinstance(details, Mapping):
        return audit_words.detail_lines(details)
    return [str(details)] if details else []


_NOT_GRADED = Markup('<span class="muted">không xếp loại</span>')


def grade_html(name: str | None, labels: Mapping[str, str]) -> Markup:
    """A grade as the tables show it (a filter, not a macro: it is called for every row)."""
    if not name:
        return _NOT_GRADED
    return _grade_span(name, labels.get(name, name))


@lru_cache(maxsize=4096)
def _grade_span(name: str, label: str) -> Markup:  # a few grades, repeated on every row
    return Markup('<span class="grade" title="{}">{}</span>').format(name, label)


def url_part(value: object) -> str:
    """A code as a path segment or query value."""
    return _quoted(value if isinstance(value, str) else str(value))


@lru_cache(maxsize=65536)
def _quoted(text: str) -> str:  # codes repeat on every page: remembered
    return quote(text, safe="")


def make_environment() -> Environment:
    env = Environment(
        loader=PackageLoader("chamdiem.platform.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # The templates ship with the package and do not change while it runs: no stat()
        # of every template file on every page.
        auto_reload=False,
    )
    env.filters["local_time"] = local_time
    env.filters["local_date"] = local_date
    env.filters["thousands"] = thousands
    env.filters["percent"] = percent
    env.filters["number"] = number
    env.filters["period"] = period
    env.filters["ruleset"] = ruleset_html
    env.filters["audit_action"] = audit_words.action_text
    env.filters["audit_details"] = audit_details
    env.filters["audit_entity"] = audit_words.entity_text
    env.filters["grade"] = grade_html
    env.filters["urlencode"] = url_part
    env.globals["ROLE_TEXT"] = {role: text.vi for role, text in ROLE_TEXT.items()}
    env.globals["Action"] = Action
    return env


def menu_for(principal: Principal) -> list[tuple[str, str]]:
    return [(label, url) for label, url, action in MENU if action is None or can(principal, action)]


def page(
    template: str,
    principal: Principal | None,
    *,
    title: str,
    status_code: int = 200,
    message: str | None = None,
    **context: Any,
) -> Template:
    """A page for a signed-in user (or the sign-in page, without one)."""
    return Template(
        template_name=template,
        context={
            "me": principal,
            "can": (lambda action: principal is not None and can(principal, action)),
            "menu": menu_for(principal) if principal is not None else [],
            "title": title,
            "notice": MESSAGES.get(message or ""),
            **context,
        },
        status_code=status_code,
    )
