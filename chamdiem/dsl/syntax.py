"""The syntax tree of a rule file: our own frozen nodes, each with its source span.

The parser is the only module that knows lark; every later pass (checker, compiler,
formatter, documentation) reads these nodes. Spans point into the NFC-normalised source,
with 1-based lines and columns counted in characters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal, TypeAlias


@dataclass(frozen=True, slots=True)
class Span:
    line: int
    column: int
    end_line: int
    end_column: int  # exclusive
    start: int  # character offset in the NFC source
    end: int  # exclusive

    def to(self, other: Span) -> Span:
        """The span from the start of this one to the end of `other`."""
        return Span(self.line, self.column, other.end_line, other.end_column, self.start, other.end)


# ---------------------------------------------------------------- expressions


@dataclass(frozen=True, slots=True)
class Number:
    """A decimal literal. `25%` has value 0.25, percent=True and text '25%'."""

    value: Decimal
    text: str
    percent: bool
    span: Span


@dataclass(frozen=True, slots=True)
class Bool:
    value: bool
    span: Span


@dataclass(frozen=True, slots=True)
class String:
    value: str
    span: Span


@dataclass(frozen=True, slots=True)
class DateLit:
    value: date
    span: Span


@dataclass(frozen=True, slots=True)
class NotApplicable:
    """`not applicable` / `không áp dụng`: only in test expectations."""

    span: Span


@dataclass(frozen=True, slots=True)
class Name:
    """An identifier. The keywords `total`/`tổng điểm` and `grade`/`mức` become
    Name('total') and Name('grade')."""

    name: str
    span: Span


@dataclass(frozen=True, slots=True)
class Attribute:
    """`san_pham.he_so`, `periods(r).total`, `unit_result(r).grade`."""

    target: Expr
    name: str
    span: Span
    name_span: Span


@dataclass(frozen=True, slots=True)
class Unary:
    op: Literal["-", "not"]
    operand: Expr
    span: Span


BinaryOp: TypeAlias = Literal["+", "-", "*", "/", "==", "!=", "<", "<=", ">", ">=", "and", "or"]


@dataclass(frozen=True, slots=True)
class Binary:
    op: BinaryOp
    left: Expr
    right: Expr
    span: Span
    op_span: Span


@dataclass(frozen=True, slots=True)
class Conditional:
    """`if C then A else B`."""

    condition: Expr
    then: Expr
    otherwise: Expr
    span: Span


@dataclass(frozen=True, slots=True)
class Keyword:
    """`if_zero: 0` in a call, `he_so: 1` in a record literal."""

    name: str
    value: Expr
    span: Span


@dataclass(frozen=True, slots=True)
class Call:
    """`f(a, b, if_zero: v)`; aggregates carry `where`: `sum(x where c)`."""

    function: str
    args: tuple[Expr, ...]
    keywords: tuple[Keyword, ...]
    where: Expr | None
    span: Span
    function_span: Span


BandOp: TypeAlias = Literal[">=", ">", "<=", "<", ".."]


@dataclass(frozen=True, slots=True)
class BandRow:
    """`>= 9 -> 25`, or `5..7 -> 12` (op '..', bound 5, upper 7, both inclusive)."""

    op: BandOp
    bound: Expr
    upper: Expr | None
    value: Expr
    span: Span


@dataclass(frozen=True, slots=True)
class Band:
    """A first-hit table. `otherwise` is None when the `else` row is missing, which the
    checker reports (the parser accepts it so that every error is reported at once)."""

    subject: Expr
    rows: tuple[BandRow, ...]
    otherwise: Expr | None
    span: Span


@dataclass(frozen=True, slots=True)
class Index:
    """`san_pham[ma]`: the record of a catalogue whose key is `ma` (read with `.field`)."""

    target: Expr
    key: Expr
    span: Span


@dataclass(frozen=True, slots=True)
class ListLit:
    items: tuple[Expr, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class RecordLit:
    fields: tuple[Keyword, ...]
    span: Span


Expr: TypeAlias = (
    Number
    | Bool
    | String
    | DateLit
    | NotApplicable
    | Name
    | Attribute
    | Unary
    | Binary
    | Conditional
    | Call
    | Band
    | Index
    | ListLit
    | RecordLit
)


def walk(*nodes: Expr | None) -> list[Expr]:
    """Every expression node below `nodes` (the nodes themselves included), outermost first."""
    out: list[Expr] = []
    stack = [n for n in nodes if n is not None]
    while stack:
        node = stack.pop()
        out.append(node)
        if isinstance(node, Attribute):
            stack.append(node.target)
        elif isinstance(node, Unary):
            stack.append(node.operand)
        elif isinstance(node, Binary):
            stack.extend((node.left, node.right))
        elif isinstance(node, Conditional):
            stack.extend((node.condition, node.then, node.otherwise))
        elif isinstance(node, Call):
            stack.extend(node.args)
            stack.extend(k.value for k in node.keywords)
            if node.where is not None:
                stack.append(node.where)
        elif isinstance(node, Band):
            stack.append(node.subject)
            for row in node.rows:
                stack.extend(x for x in (row.bound, row.upper, row.value) if x is not None)
            if node.otherwise is not None:
                stack.append(node.otherwise)
        elif isinstance(node, Index):
            stack.extend((node.target, node.key))
        elif isinstance(node, ListLit):
            stack.extend(node.items)
        elif isinstance(node, RecordLit):
            stack.extend(k.value for k in node.fields)
    return out


# ---------------------------------------------------------------- declarations


HeaderKey: TypeAlias = Literal[
    "subject", "period", "effective", "until", "basis", "precision", "scale", "needs", "applies"
]


@dataclass(frozen=True, slots=True)
class HeaderClause:
    """One clause of the ruleset header. Values: subject 'person'|'unit'; period
    'month'|'quarter'|'year'; effective/until a date; basis a str; precision an int;
    scale a Decimal; needs a tuple of ruleset names; applies (`applies when COND`) the Expr
    choosing which subjects the rule set grades."""

    key: HeaderKey
    value: object
    span: Span


@dataclass(frozen=True, slots=True)
class Ruleset:
    name: str
    title: str
    clauses: tuple[HeaderClause, ...]
    span: Span
    name_span: Span

    def get(self, key: HeaderKey) -> HeaderClause | None:
        for clause in self.clauses:
            if clause.key == key:
                return clause
        return None


TypeKind: TypeAlias = Literal["number", "count", "percent", "bool", "text", "date", "enum", "key"]


@dataclass(frozen=True, slots=True)
class TypeSpec:
    kind: TypeKind
    choices: tuple[str, ...]  # for 'enum' (`one of "a", "b"`), else ()
    span: Span
    catalog: str | None = None  # for 'key' (`key of san_pham`): the catalogue's name


@dataclass(frozen=True, slots=True)
class RangeSpec:
    """`0..10` (both inclusive), `> 0`, `>= 1`, `< 5`, `<= 100`."""

    low: Expr | None
    low_strict: bool
    high: Expr | None
    high_strict: bool
    span: Span


@dataclass(frozen=True, slots=True)
class Input:
    """`input NAME : TYPE [RANGE] [= DEFAULT] ["label"]`; also a field of `items`."""

    name: str
    type: TypeSpec
    range: RangeSpec | None
    default: Expr | None
    label: str | None
    span: Span
    name_span: Span


@dataclass(frozen=True, slots=True)
class Items:
    """`items NAME ["label"] FIELD… [let NAME = EXPR]… end`: the lets are values per item,
    computed from the item's fields (read by their bare names), catalogue lookups, params
    and the subject's inputs; aggregates read them like fields."""

    name: str
    label: str | None
    fields: tuple[Input, ...]
    span: Span
    name_span: Span
    lets: tuple[Let, ...] = ()


@dataclass(frozen=True, slots=True)
class CatalogFile:
    """`"danh_muc.csv" [from DATE]`: a file of rows beside the rule file."""

    path: str
    since: date | None
    span: Span


@dataclass(frozen=True, slots=True)
class CatalogRow:
    """`"A" -> {diem: 10}`: an inline row (the record is checked by the checker)."""

    key: str
    record: Expr
    span: Span
    key_span: Span


@dataclass(frozen=True, slots=True)
class Catalog:
    """`catalog NAME ["title"] key KEY FIELD… rows … end`. Exactly one of `files` (rows from
    files, each from its date) and `rows` (inline) is given; neither is reported."""

    name: str
    label: str | None
    key: str
    fields: tuple[Input, ...]
    files: tuple[CatalogFile, ...]
    rows: tuple[CatalogRow, ...] | None
    span: Span
    name_span: Span
    key_span: Span

    def field(self, name: str) -> Input | None:
        return next((f for f in self.fields if f.name == name), None)


@dataclass(frozen=True, slots=True)
class ParamValue:
    value: Expr
    since: date | None  # `VALUE from DATE`
    span: Span


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    values: tuple[ParamValue, ...]
    label: str | None
    span: Span
    name_span: Span


@dataclass(frozen=True, slots=True)
class Let:
    name: str
    expr: Expr
    span: Span
    name_span: Span


@dataclass(frozen=True, slots=True)
class Criterion:
    name: str
    label: str | None
    max: Number
    applies_when: Expr | None
    expr: Expr
    span: Span
    name_span: Span


GroupKind: TypeAlias = Literal["group", "bonus", "penalty"]


@dataclass(frozen=True, slots=True)
class Group:
    kind: GroupKind
    name: str
    label: str | None
    max: Number
    rescale: bool
    criteria: tuple[Criterion, ...]
    span: Span
    name_span: Span


@dataclass(frozen=True, slots=True)
class Total:
    expr: Expr
    span: Span


@dataclass(frozen=True, slots=True)
class Grade:
    name: str
    label: str | None
    when: Expr | None  # None for `otherwise`
    span: Span
    name_span: Span


@dataclass(frozen=True, slots=True)
class Grades:
    grades: tuple[Grade, ...]  # best first
    span: Span


@dataclass(frozen=True, slots=True)
class Veto:
    """`veto "reason" when COND: grade at most CAP`; CAP is a grade Name or, in
    multi-level rule sets, `unit_result(R).grade`."""

    reason: str
    when: Expr
    cap: Expr
    span: Span


@dataclass(frozen=True, slots=True)
class Exclusion:
    """`exclude "reason" when COND`: subjects for whom COND holds are not graded (no total
    counted, no grade; e.g. fewer than six months worked in the year)."""

    reason: str
    when: Expr
    span: Span


@dataclass(frozen=True, slots=True)
class RankKey:
    expr: Expr
    descending: bool
    span: Span


@dataclass(frozen=True, slots=True)
class Quota:
    """`quota G at most P% of COUNT per KEY, … rank by … demote to G2 [round nearest] end`."""

    grade: Name
    share: Expr
    count: Expr
    per: tuple[Name, ...]
    rank: tuple[RankKey, ...]
    demote_to: Name
    rounding: Literal["down", "nearest"]
    span: Span


@dataclass(frozen=True, slots=True)
class Given:
    """`given NAME = VALUE` (an input, an items list, or a subject attribute such as
    unit, position_group, is_head)."""

    name: str
    value: Expr
    span: Span
    name_span: Span


@dataclass(frozen=True, slots=True)
class TestSubject:
    """A member of a cohort test: `subject NAME given …`."""

    name: str
    givens: tuple[Given, ...]
    span: Span
    name_span: Span


@dataclass(frozen=True, slots=True)
class Expectation:
    """`expect [SUBJECT:] NAME = VALUE [within E]`, `expect [SUBJECT:] round(NAME, N) =
    VALUE` or `expect [SUBJECT:] flag FLAG`. Without `within` the value must equal exactly;
    with it, |actual - VALUE| <= E. `round_places` is N of `round(NAME, N)`: the actual value
    is rounded (half away from zero) before it is compared."""

    subject: str | None
    name: str  # for a flag expectation, the flag's name
    value: Expr | None  # None for a flag expectation
    is_flag: bool
    span: Span
    name_span: Span
    within: Expr | None = None
    round_places: int | None = None


@dataclass(frozen=True, slots=True)
class Test:
    """A test case. Without `subject` lines it evaluates one subject from the givens;
    with them it evaluates a cohort (givens before the first subject are shared). `period`
    is the period it evaluates, as written (`2026-07`, `2026-Q3`, `2026`), or None for the
    default (the first period of the rule set's kind on or after `effective`)."""

    name: str
    givens: tuple[Given, ...]
    subjects: tuple[TestSubject, ...]
    expects: tuple[Expectation, ...]
    span: Span
    period: str | None = None
    period_span: Span | None = None


Declaration: TypeAlias = (
    Input | Items | Catalog | Param | Let | Group | Total | Grades | Veto | Exclusion | Quota | Test
)


@dataclass(frozen=True, slots=True)
class Comment:
    text: str  # without the leading '#'
    span: Span


@dataclass(frozen=True, slots=True)
class Module:
    """A parsed rule file. `ruleset` is None only when the header is missing, which the
    checker reports."""

    path: str
    source: str  # NFC-normalised
    ruleset: Ruleset | None
    declarations: tuple[Declaration, ...]
    comments: tuple[Comment, ...]
