"""The keywords of the rules language in English and Vietnamese, and how to name tokens.

This table is the one place where keywords are spelled: grammar.lark only declares their
terminal names, parser.py turns words that spell a keyword into those terminals, and syntax
errors ("expected one of …"), the language reference and the fuzz tests read it too.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Keyword:
    terminal: str  # the lark terminal name in grammar.lark
    english: str
    vietnamese: str
    aliases: tuple[str, ...] = ()  # other accepted spellings (e.g. `kì` for `kỳ`)

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.english, self.vietnamese, *self.aliases)


# In the order of the language reference: header, declarations, tests, types, expressions.
KEYWORDS: tuple[Keyword, ...] = (
    Keyword("_RULESET", "ruleset", "bộ tiêu chí"),
    Keyword("_SUBJECT", "subject", "đối tượng"),
    Keyword("PERSON", "person", "cá nhân"),
    Keyword("UNIT", "unit", "tập thể"),
    Keyword("_PERIOD", "period", "kỳ", ("kì",)),
    Keyword("MONTH", "month", "tháng"),
    Keyword("QUARTER", "quarter", "quý"),
    Keyword("YEAR", "year", "năm"),
    Keyword("_EFFECTIVE", "effective", "hiệu lực"),
    Keyword("_UNTIL", "until", "đến"),
    Keyword("_BASIS", "basis", "căn cứ"),
    Keyword("_PRECISION", "precision", "làm tròn"),
    Keyword("_SCALE", "scale", "thang điểm"),
    Keyword("_NEEDS", "needs", "cần"),
    Keyword("_INPUT", "input", "đầu vào"),
    Keyword("_ITEMS", "items", "danh sách"),
    Keyword("_CATALOG", "catalog", "danh mục"),
    Keyword("_KEY_OF", "key of", "mã trong"),
    Keyword("_KEY", "key", "khoá", ("khóa",)),
    Keyword("_ROWS", "rows", "dữ liệu"),
    Keyword("_PARAM", "param", "tham số"),
    Keyword("_FROM", "from", "từ"),
    Keyword("_LET", "let", "đặt"),
    Keyword("GROUP", "group", "nhóm"),
    Keyword("_CRITERION", "criterion", "tiêu chí"),
    Keyword("MAX", "max", "tối đa"),
    Keyword("_APPLIES_WHEN", "applies when", "áp dụng khi"),
    Keyword("RESCALE", "rescale", "quy đổi"),
    Keyword("BONUS", "bonus", "điểm cộng"),
    Keyword("PENALTY", "penalty", "điểm trừ"),
    Keyword("TOTAL", "total", "tổng điểm"),
    Keyword("_GRADES", "grades", "xếp loại"),
    Keyword("GRADE", "grade", "mức"),
    Keyword("_WHEN", "when", "khi"),
    Keyword("_OTHERWISE", "otherwise", "còn lại"),
    Keyword("_VETO", "veto", "loại trừ"),
    Keyword("_EXCLUDE", "exclude", "không xếp loại"),
    Keyword("_AT_MOST", "at most", "tối đa là"),
    Keyword("_QUOTA", "quota", "hạn mức"),
    Keyword("_OF", "of", "trên"),
    Keyword("_PER", "per", "theo"),
    Keyword("_RANK_BY", "rank by", "xếp hạng theo"),
    Keyword("DESC", "desc", "giảm dần"),
    Keyword("ASC", "asc", "tăng dần"),
    Keyword("_DEMOTE_TO", "demote to", "hạ xuống"),
    Keyword("ROUND_DOWN", "round down", "làm tròn xuống"),
    Keyword("ROUND_NEAREST", "round nearest", "làm tròn gần nhất"),
    Keyword("_TEST", "test", "kiểm thử"),
    Keyword("_GIVEN", "given", "cho"),
    Keyword("_EXPECT", "expect", "kỳ vọng", ("kì vọng",)),
    Keyword("_FLAG", "flag", "cờ"),
    Keyword("_WITHIN", "within", "sai số"),
    Keyword("_END", "end", "hết"),
    Keyword("NUMBER_TYPE", "number", "số"),
    Keyword("COUNT_TYPE", "count", "số đếm"),
    Keyword("PERCENT_TYPE", "percent", "phần trăm"),
    Keyword("BOOL_TYPE", "bool", "đúng sai"),
    Keyword("TEXT_TYPE", "text", "chữ"),
    Keyword("DATE_TYPE", "date", "ngày"),
    Keyword("_ONE_OF", "one of", "một trong"),
    Keyword("AND", "and", "và"),
    Keyword("OR", "or", "hoặc"),
    Keyword("NOT", "not", "không phải"),
    Keyword("NOT_APPLICABLE", "not applicable", "không áp dụng"),
    Keyword("_IF", "if", "nếu"),
    Keyword("_THEN", "then", "thì"),
    Keyword("_ELSE", "else", "ngược lại"),
    Keyword("WHERE", "where", "với"),
    Keyword("TRUE", "true", "đúng"),
    Keyword("FALSE", "false", "sai"),
    Keyword("_BAND", "band", "bảng"),
)

# The keyword that writes each input type (syntax.TypeKind); the parser reads it backwards.
TYPE_TERMINALS: dict[str, str] = {
    "number": "NUMBER_TYPE",
    "count": "COUNT_TYPE",
    "percent": "PERCENT_TYPE",
    "bool": "BOOL_TYPE",
    "text": "TEXT_TYPE",
    "date": "DATE_TYPE",
    "enum": "_ONE_OF",
    "key": "_KEY_OF",
}

BY_TERMINAL: dict[str, Keyword] = {k.terminal: k for k in KEYWORDS}

# Spellings of one word -> terminal, and the multi-word spellings by their first word
# (longest first, so that `tối đa là` wins over `tối đa` and `số đếm` over `số`).
SINGLE_WORD: dict[str, str] = {}
MULTI_WORD: dict[str, list[tuple[tuple[str, ...], str]]] = {}
for _keyword in KEYWORDS:
    for _spelling in _keyword.spellings:
        _words = tuple(_spelling.split())
        if len(_words) == 1:
            SINGLE_WORD[_spelling] = _keyword.terminal
        else:
            MULTI_WORD.setdefault(_words[0], []).append((_words, _keyword.terminal))
for _candidates in MULTI_WORD.values():
    _candidates.sort(key=lambda candidate: -len(candidate[0]))

# Keywords that start a top-level item. Only these (and `total =` outside a test) can start
# a declaration, so the parser cuts the token stream at them to recover from errors.
ITEM_START_TERMINALS: frozenset[str] = frozenset(
    {
        "_RULESET",
        "_INPUT",
        "_ITEMS",
        "_CATALOG",
        "_PARAM",
        "_LET",
        "GROUP",
        "BONUS",
        "PENALTY",
        "_GRADES",
        "_VETO",
        "_EXCLUDE",
        "_QUOTA",
        "_TEST",
    }
)

# The other tokens, as named in error messages: (Vietnamese, English).
OTHER_TOKENS: dict[str, tuple[str, str]] = {
    "NAME": ("một tên", "a name"),
    "NUMBER": ("một số", "a number"),
    "STRING": ('một chuỗi "…"', 'a string "…"'),
    "DATE": ("một ngày (YYYY-MM-DD)", "a date (YYYY-MM-DD)"),
    "$END": ("khai báo tiếp theo hoặc cuối tệp", "the next declaration or the end of the file"),
    "_LPAR": ("`(`", "`(`"),
    "_RPAR": ("`)`", "`)`"),
    "_LSQB": ("`[`", "`[`"),
    "_RSQB": ("`]`", "`]`"),
    "_LBRACE": ("`{`", "`{`"),
    "_RBRACE": ("`}`", "`}`"),
    "_COMMA": ("`,`", "`,`"),
    "_COLON": ("`:`", "`:`"),
    "_DOTDOT": ("`..`", "`..`"),
    "_DOT": ("`.`", "`.`"),
    "_ARROW": ("`->`", "`->`"),
    "_EQ": ("`=`", "`=`"),
    "EQEQ": ("`==`", "`==`"),
    "NE": ("`!=`", "`!=`"),
    "LE": ("`<=`", "`<=`"),
    "LT": ("`<`", "`<`"),
    "GE": ("`>=`", "`>=`"),
    "GT": ("`>`", "`>`"),
    "PLUS": ("`+`", "`+`"),
    "MINUS": ("`-`", "`-`"),
    "STAR": ("`*`", "`*`"),
    "SLASH": ("`/`", "`/`"),
}


def describe(terminal: str) -> tuple[str, str]:
    """How an expected token is named in a message: (Vietnamese, English)."""
    keyword = BY_TERMINAL.get(terminal)
    if keyword is not None:
        return f"`{keyword.vietnamese}`", f"`{keyword.english}`"
    return OTHER_TOKENS.get(terminal, (f"`{terminal}`", f"`{terminal}`"))
