"""The declarations pass: each declaration in file order, by kind (inputs, items,
params, lets, groups and criteria, total, vetoes, exclusions, quotas, grades).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from chamdiem.dsl import syntax as s
from chamdiem.dsl.check.expressions import Checker
from chamdiem.dsl.check.scope import Ctx, first_declared
from chamdiem.dsl.check.tests import check_test
from chamdiem.dsl.check.types import (
    NUMBER,
    NUMBER_KINDS,
    literal_number,
)
from chamdiem.dsl.diagnostics import Text
from chamdiem.dsl.intervals import format_number
from chamdiem.dsl.names import (
    BUILTIN_ALIASES,
    BUILTIN_ATTRIBUTES,
    canonical,
)


def check_declaration(c: Checker, decl: s.Declaration) -> None:
    if isinstance(decl, s.Input):
        check_input(c, decl)
    elif isinstance(decl, s.Items):
        check_items(c, decl)
    elif isinstance(decl, s.Catalog):
        check_catalog(c, decl)
    elif isinstance(decl, s.Param):
        c.param_type(decl)
    elif isinstance(decl, s.Let):
        if c.lets.get(decl.name) is decl:
            c.let_type(decl.name)
        else:  # a duplicate: still report what is wrong inside it
            c.value(decl.expr, Ctx(set()))
    elif isinstance(decl, s.Group):
        check_group(c, decl)
    elif isinstance(decl, s.Total):
        refs: set[str] = set()
        if decl is c.total:
            c.depends["total"] = refs
        c.need(c.value(decl.expr, Ctx(refs)), decl.expr, NUMBER, "E012")
    elif isinstance(decl, s.Veto):
        check_veto(c, decl)
    elif isinstance(decl, s.Exclusion):
        c.condition(decl.when, Ctx(set()), "when")
    elif isinstance(decl, s.Quota):
        check_quota(c, decl)
    elif isinstance(decl, s.Test):
        check_test(c, decl)


def check_input(c: Checker, decl: s.Input) -> None:
    spec = decl.type
    if spec.kind == "key" and spec.catalog not in c.catalogs:
        c.error(
            "E061",
            spec.span,
            f"`{spec.catalog}` không phải một danh mục (catalog) đã khai báo",
            f"`{spec.catalog}` is not a declared catalogue",
            *c.suggest(spec.catalog or "", c.catalogs),
        )
    elif spec.kind == "key":
        c.used.add(spec.catalog or "")
    if spec.kind == "enum":
        if not spec.choices:
            c.error(
                "E038",
                spec.span,
                "`one of` cần ít nhất một lựa chọn",
                "`one of` needs at least one choice",
            )
        seen: set[str] = set()
        for choice in spec.choices:
            if choice in seen:
                c.error(
                    "E038",
                    spec.span,
                    f'lựa chọn "{choice}" được liệt kê hai lần',
                    f'the choice "{choice}" is listed twice',
                )
            seen.add(choice)
    rng = decl.range
    if rng is not None:
        check_range(c, decl, rng)
    if decl.default is not None:
        problem = c.literal_problem(decl.default, decl)
        if problem is not None:
            c.error(
                "E039",
                decl.default.span,
                f"giá trị mặc định của `{decl.name}` không hợp lệ: {problem.vi}",
                f"the default of `{decl.name}` is not valid: {problem.en}",
            )


def check_range(c: Checker, decl: s.Input, rng: s.RangeSpec) -> None:
    if decl.type.kind not in NUMBER_KINDS:
        c.error(
            "E038",
            rng.span,
            "chỉ đầu vào kiểu số (number, count, percent) mới có khoảng giá trị",
            "only number, count and percent inputs can have a range",
        )
        return
    bounds: list[Fraction] = []
    for bound in (rng.low, rng.high):
        if bound is None:
            continue
        value = literal_number(bound)
        if value is None:
            c.error(
                "E038",
                bound.span,
                "giới hạn của khoảng giá trị phải là một số viết trực tiếp",
                "a range bound must be a number written out",
            )
            return
        bounds.append(value)
    if rng.low is not None and rng.high is not None and len(bounds) == 2:
        low, high = bounds
        strict = rng.low_strict or rng.high_strict
        if low > high or (low == high and strict):
            c.error(
                "E038",
                rng.span,
                f"khoảng giá trị rỗng: cận dưới {format_number(low)} lớn hơn cận trên "
                f"{format_number(high)}",
                f"the range is empty: the low bound {format_number(low)} is above the "
                f"high bound {format_number(high)}",
            )


def check_items(c: Checker, decl: s.Items) -> None:
    seen: dict[str, s.Input] = {}
    for item_field in decl.fields:
        first = seen.get(item_field.name)
        if first is not None:
            c.error(
                "E004",
                item_field.name_span,
                f"danh sách `{decl.name}` đã có trường `{item_field.name}`",
                f"the list `{decl.name}` already has a field `{item_field.name}`",
                first_declared(first.name_span),
            )
        else:
            seen[item_field.name] = item_field
        check_input(c, item_field)
    names = {name: f.name_span for name, f in seen.items()}
    for let in decl.lets:
        if let.name in names:
            c.error(
                "E004",
                let.name_span,
                f"danh sách `{decl.name}` đã có trường `{let.name}`",
                f"the list `{decl.name}` already has a field `{let.name}`",
                first_declared(names[let.name]),
            )
            continue
        names[let.name] = let.name_span
        c.item_let_type(decl, let)


def check_catalog(c: Checker, decl: s.Catalog) -> None:
    names: dict[str, s.Span] = {decl.key: decl.key_span}
    for catalog_field in decl.fields:
        first = names.get(catalog_field.name)
        if first is not None:
            c.error(
                "E060",
                catalog_field.name_span,
                f"danh mục `{decl.name}` đã có trường `{catalog_field.name}`",
                f"the catalogue `{decl.name}` already has a field `{catalog_field.name}`",
                first_declared(first),
            )
        names[catalog_field.name] = catalog_field.name_span
        if catalog_field.type.kind == "key":
            c.error(
                "E060",
                catalog_field.type.span,
                "trường của danh mục không là mã của danh mục khác",
                "a catalogue's field cannot be a key of another catalogue",
            )
            continue
        check_input(c, catalog_field)
    if decl.rows is None and not decl.files:
        c.error(
            "E060",
            decl.name_span,
            f'danh mục `{decl.name}` chưa có dữ liệu: thêm `dữ liệu từ "tệp.csv"` hoặc '
            "`dữ liệu … hết`",
            f'the catalogue `{decl.name}` has no rows: add `rows from "file.csv"` or `rows … end`',
        )


def check_group(c: Checker, decl: s.Group) -> None:
    words = {
        "group": ("nhóm", "group"),
        "bonus": ("điểm cộng", "bonus"),
        "penalty": ("điểm trừ", "penalty"),
    }[decl.kind]
    if decl.max.value <= 0:
        c.error(
            "E040",
            decl.max.span,
            f"điểm tối đa của {words[0]} `{decl.name}` phải lớn hơn 0",
            f"the maximum of the {words[1]} `{decl.name}` must be greater than 0",
        )
    if not decl.criteria:
        c.error(
            "E040",
            decl.name_span,
            f"{words[0]} `{decl.name}` chưa có tiêu chí nào",
            f"the {words[1]} `{decl.name}` has no criteria",
        )
    if c.symbols.get(decl.name, None) is not None and c.symbols[decl.name].node is decl:
        c.depends[decl.name] = {c.name for c in decl.criteria}
    for criterion in decl.criteria:
        check_criterion(c, criterion)
    maxima = sum((c.max.value for c in decl.criteria), Decimal(0))
    rescaled = decl.rescale and any(c.applies_when is not None for c in decl.criteria)
    if decl.criteria and not rescaled and 0 < maxima < decl.max.value:
        c.warning(
            "W008",
            decl.max.span,
            f"các tiêu chí của {words[0]} `{decl.name}` cộng lại tối đa {maxima}, không đạt "
            f"được điểm tối đa {decl.max.value} của {words[0]}",
            f"the criteria of the {words[1]} `{decl.name}` add up to at most {maxima}, so "
            f"the {words[1]} never reaches its maximum {decl.max.value}",
        )


def check_criterion(c: Checker, decl: s.Criterion) -> None:
    if decl.max.value <= 0:
        c.error(
            "E040",
            decl.max.span,
            f"điểm tối đa của tiêu chí `{decl.name}` phải lớn hơn 0",
            f"the maximum of the criterion `{decl.name}` must be greater than 0",
        )
    refs: set[str] = set()
    owner = c.symbols.get(decl.name)
    if owner is not None and owner.node is decl:
        c.depends[decl.name] = refs
    if decl.applies_when is not None:
        c.condition(decl.applies_when, Ctx(refs), "applies when")
    c.need(c.value(decl.expr, Ctx(refs)), decl.expr, NUMBER, "E012")


def check_grades(c: Checker) -> None:
    grades = c.grades
    if grades is None:
        if c.module.ruleset is not None and c.complete:
            c.error(
                "E028",
                c.module.ruleset.name_span,
                "tệp chưa có khối `grades … end` (xếp loại)",
                "the file has no `grades … end` block",
            )
        return
    if len(grades.grades) < 2:
        c.error(
            "E028",
            grades.span,
            "khối `grades` cần ít nhất hai mức xếp loại",
            "the `grades` block needs at least two grades",
        )
    last = len(grades.grades) - 1
    for i, grade in enumerate(grades.grades):
        if grade.when is None and i < last:
            c.error(
                "E029",
                grade.span,
                f"mức `{grade.name}` dùng `otherwise` (còn lại) nhưng không phải mức cuối; "
                "chỉ mức cuối cùng được dùng `otherwise`",
                f"the grade `{grade.name}` uses `otherwise` but is not the last; only the "
                "last grade may",
            )
        elif grade.when is not None and i == last:
            c.error(
                "E029",
                grade.span,
                f"mức cuối `{grade.name}` phải là `otherwise` (còn lại), để mọi đối tượng "
                "đều có mức",
                f"the last grade `{grade.name}` must be `otherwise`, so that every subject "
                "gets a grade",
            )
        if grade.when is not None:
            c.condition(grade.when, Ctx(set()), "when")


def check_veto(c: Checker, decl: s.Veto) -> None:
    c.condition(decl.when, Ctx(set(), allow_score_grade=True), "when")
    cap = decl.cap
    if isinstance(cap, s.Name):
        c.grade_name(cap, Text("mức trần của `veto`", "the cap of a `veto`"))
        return
    # `unit_result(R).grade`: the grade of a needed rule set's result.
    found = c.value(cap, Ctx(set()))
    if not found.is_("grade"):
        c.error(
            "E030",
            cap.span,
            f"mức trần của `veto` phải là một mức xếp loại, nhưng `{c.text(cap)}` là "
            f"{found.describe().vi}",
            f"the cap of a `veto` must be a grade, but `{c.text(cap)}` is {found.describe().en}",
        )


def check_quota(c: Checker, decl: s.Quota) -> None:
    kept = c.grade_name(decl.grade, Text("mức của hạn mức (quota)", "the quota's grade"))
    demoted = c.grade_name(decl.demote_to, Text("mức hạ xuống", "the demotion grade"))
    if kept is not None and demoted is not None and c.grade_index(demoted) <= c.grade_index(kept):
        c.error(
            "E031",
            decl.demote_to.span,
            f"mức hạ xuống `{demoted}` phải thấp hơn mức `{kept}`",
            f"the demotion grade `{demoted}` must be worse than `{kept}`",
        )
    check_share(c, decl.share)
    count_ctx = Ctx(set(), allow_grade=True, cohort=True)
    c.need(c.value(decl.count, count_ctx), decl.count, NUMBER, "E012")
    seen: set[str] = set()
    for key in decl.per:
        check_per_key(c, key, seen)
    for rank in decl.rank:
        found = c.value(rank.expr, Ctx(set(), allow_grade=True))
        if not found.is_("number", "grade"):
            c.error(
                "E034",
                rank.expr.span,
                f"khóa xếp hạng phải là số hoặc mức xếp loại, nhưng `{c.text(rank.expr)}` "
                f"là {found.describe().vi}",
                f"a rank key must be a number or a grade, but `{c.text(rank.expr)}` is "
                f"{found.describe().en}",
            )


def check_share(c: Checker, share: s.Expr) -> None:
    values: list[Fraction] = []
    if isinstance(share, s.Name) and share.name in c.params:
        c.used.add(share.name)
        values = [
            v
            for v in (literal_number(p.value) for p in c.params[share.name].values)
            if v is not None
        ]
        if len(values) != len(c.params[share.name].values):
            values = []
    else:
        single = literal_number(share)
        values = [single] if single is not None else []
    if not values:
        c.error(
            "E032",
            share.span,
            "tỷ lệ của hạn mức phải là một phần trăm viết trực tiếp (ví dụ 20%) hoặc một tham số",
            "a quota's share must be a percentage written out (e.g. 20%) or a param",
        )
        return
    for value in values:
        if not 0 <= value <= 1:
            shown = format_number(value * 100)
            c.error(
                "E032",
                share.span,
                f"tỷ lệ của hạn mức phải từ 0% đến 100%, không phải {shown}%",
                f"a quota's share must be from 0% to 100%, not {shown}%",
            )
            return


def check_per_key(c: Checker, key: s.Name, seen: set[str]) -> None:
    name = canonical(key.name)
    if name in seen:
        c.error(
            "E033",
            key.span,
            f"`{key.name}` đã có trong `per` (theo)",
            f"`{key.name}` is already listed in `per`",
        )
        return
    seen.add(name)
    if name in BUILTIN_ATTRIBUTES:
        return
    decl = c.inputs.get(key.name)
    if decl is not None and c.symbols[key.name].node is decl:
        c.used.add(key.name)
        if decl.type.kind in ("text", "enum", "key"):
            return
    text_inputs = [n for n, d in c.inputs.items() if d.type.kind in ("text", "enum", "key")]
    candidates = [*BUILTIN_ATTRIBUTES, *BUILTIN_ALIASES, *text_inputs]
    if key.name not in c.symbols:
        c.error(
            "E006",
            key.span,
            f"tên `{key.name}` chưa được khai báo",
            f"`{key.name}` is not declared",
            *c.suggest(key.name, candidates),
        )
        return
    c.error(
        "E033",
        key.span,
        f"`per` (theo) chỉ nhận thuộc tính của đối tượng ({', '.join(BUILTIN_ATTRIBUTES)}) "
        f"hoặc đầu vào kiểu văn bản/lựa chọn; `{key.name}` không phải",
        f"`per` takes subject attributes ({', '.join(BUILTIN_ATTRIBUTES)}) or text/enum "
        f"inputs; `{key.name}` is neither",
    )


def check_declarations(c: Checker) -> None:
    """Every declaration, in the order of the file."""
    for decl in c.module.declarations:
        check_declaration(c, decl)
