"""The resolved program: what the checker found, read by the passes after it (issue 16)."""

from __future__ import annotations

from chamdiem.dsl import syntax as s
from chamdiem.dsl.check import Type, resolve
from chamdiem.dsl.loader import load_source
from chamdiem.dsl.names import is_aggregate
from chamdiem.dsl.parser import parse

SOURCE = """ruleset t "Thử nghiệm"
  subject person
  period year
  effective 2026-01-01
end

items san_pham "Sản phẩm"
  he_so : number 0..10
  dat : bool
end
input a : number 0..10
let tong = sum(san_pham.he_so where san_pham.dat)
let lon = max(a, 2)
group g "G" max 10
  criterion c "C" max 10 = min(round(lon, 1), tong)
end
grades
  tot "Tốt" when total >= 5
  khong "Không" otherwise
end
"""


def calls(module: s.Module) -> dict[str, s.Call]:
    found: dict[str, s.Call] = {}
    for decl in module.declarations:
        exprs = [decl.expr] if isinstance(decl, s.Let) else []
        if isinstance(decl, s.Group):
            exprs = [c.expr for c in decl.criteria]
        for node in s.walk(*exprs):
            if isinstance(node, s.Call):
                found.setdefault(node.function, node)
    return found


def test_the_checker_records_each_calls_kind_the_list_it_folds_and_types() -> None:
    module, diagnostics = parse(SOURCE, "t.rules")
    assert diagnostics == []
    resolved = resolve(module)
    assert resolved.diagnostics == []
    assert set(resolved.symbols) >= {"san_pham", "a", "tong", "lon", "g", "c"}
    found = calls(module)
    assert resolved.call_kind(found["sum"]) == "aggregate"
    assert resolved.folded_list(found["sum"]) == "san_pham"
    for scalar in ("max", "min", "round"):
        assert resolved.call_kind(found[scalar]) == "scalar"
        assert resolved.folded_list(found[scalar]) is None
    assert resolved.type_of(found["sum"]) == Type("number")
    where = found["sum"].where
    assert where is not None and resolved.type_of(where) == Type("bool")


def test_the_compiler_reads_the_resolved_program() -> None:
    program = load_source(SOURCE, "t.rules")
    assert program.resolved.module is program.module
    assert program.compiled().grade_names == ["tot", "khong"]


def test_an_aggregate_is_sum_count_mean_any_all_always_and_min_max_with_one_argument() -> None:
    for function in ("sum", "count", "mean", "any", "all"):
        assert all(is_aggregate(function, n) for n in (0, 1, 2))
    for function in ("min", "max"):
        assert is_aggregate(function, 1)
        assert not is_aggregate(function, 2)
    assert not is_aggregate("round", 1)
