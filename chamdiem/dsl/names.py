"""Names the language gives meaning to without a declaration: subject attributes,
functions and flags. The checker and the compiler both read this table so that they agree.
"""

from __future__ import annotations

from typing import Literal

# Subject attributes every rule set may read. Vietnamese spellings are aliases.
BUILTIN_ATTRIBUTES: dict[str, Literal["text", "bool"]] = {
    "code": "text",
    "unit": "text",
    "position_group": "text",
    "is_head": "bool",
}
BUILTIN_ALIASES: dict[str, str] = {
    "mã": "code",
    "đơn_vị": "unit",
    "nhóm_vị_trí": "position_group",
    "là_người_đứng_đầu": "is_head",
}

# Special values: `total` is the subject's total points; `grade` the grade (the grade before
# the quota in quota counts, the final grade in test expectations); `score_grade` the grade
# from points alone.
SPECIAL_NAMES = ("total", "grade", "score_grade")

# Functions on single values (numbers unless noted).
SCALAR_FUNCTIONS = {
    "min": (2, None),  # two or more arguments; with one argument it is an aggregate
    "max": (2, None),
    "clamp": (3, 3),
    "round": (2, 2),  # round(x, places) with a whole-number literal 0..10
    "floor": (1, 1),
    "ceil": (1, 1),
    "abs": (1, 1),
    "ratio": (2, 2),  # ratio(a, b, if_zero: v)
}
# Aggregates over an items list (one argument, optional `where`); min/max also here.
AGGREGATE_FUNCTIONS = ("sum", "count", "mean", "min", "max", "any", "all")
# Keyword arguments each function accepts.
FUNCTION_KEYWORDS: dict[str, tuple[str, ...]] = {
    "ratio": ("if_zero",),
    "mean": ("if_empty",),
    "min": ("if_empty",),
    "max": ("if_empty",),
}

# Reading the results of the rule sets named in `needs` (language design §5): a list link is
# an items list whose rows are results of the needed rule set (links.py builds them); a record
# link is one result per subject. Every result has RESULT_FIELDS; its other fields are the
# needed rule set's lets, criteria and groups.
LIST_LINKS = ("members", "subordinates", "periods")
RECORD_LINKS = ("unit_result", "result")
LINK_FUNCTIONS = (*LIST_LINKS, *RECORD_LINKS)
RESULT_FIELDS = ("total", "grade", "score_grade", "graded")

# Flags a result may carry.
FLAGS = ("tie_at_quota", "not_graded")

MAX_PRECISION = 6


def is_aggregate(function: str, arg_count: int) -> bool:
    """Whether a call of `function` with `arg_count` arguments is an aggregate (it folds an
    items list): `sum`, `count`, `mean`, `any` and `all` always are (a wrong number of
    arguments is reported as such), `min` and `max` only with one argument."""
    return function in AGGREGATE_FUNCTIONS and (function not in SCALAR_FUNCTIONS or arg_count == 1)


def canonical(name: str) -> str:
    """The English name of a builtin attribute, or the name itself."""
    return BUILTIN_ALIASES.get(name, name)
