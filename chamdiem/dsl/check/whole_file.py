"""Whole-file checks, which need every declaration: cycles between lets, criteria and
groups, unused names, and the scale against the groups' maxima.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from chamdiem.dsl.check.expressions import Checker


def check_cycles(c: Checker) -> None:
    nodes = {*c.depends, "total"}
    graph = {node: sorted(ref for ref in refs if ref in nodes) for node, refs in c.depends.items()}
    if "total" not in c.depends:
        graph["total"] = [g.name for g in c.groups if g.name in c.depends]
    for component in _strongly_connected(graph):
        members = sorted(component, key=c.declared_at)
        if len(members) == 1 and members[0] not in graph[members[0]]:
            continue
        # One message per distinct cycle: the shortest cycle through each member, each
        # written from its earliest declared value.
        reported: set[tuple[str, ...]] = set()
        for member in members:
            cycle = _cycle_through(member, set(members), graph)
            start = cycle.index(min(cycle, key=c.declared_at))
            cycle = cycle[start:] + cycle[:start]
            if tuple(cycle) in reported:
                continue
            reported.add(tuple(cycle))
            shown = " → ".join(f"`{n}`" for n in [*cycle, cycle[0]])
            c.error(
                "E025",
                c.span_of(cycle[0]),
                f"vòng phụ thuộc: {shown}; một giá trị không thể được tính từ chính nó",
                f"dependency cycle: {shown}; a value cannot be computed from itself",
            )


def check_unused(c: Checker) -> None:
    if not c.complete:
        return
    used = c.used | c.suggested
    for name, decl in c.inputs.items():
        if name not in used:
            c.warning(
                "W005",
                decl.name_span,
                f"đầu vào `{name}` không được dùng trong công thức nào",
                f"the input `{name}` is not used by any formula",
            )
    for name, items_decl in c.items.items():
        if name not in used:
            c.warning(
                "W005",
                items_decl.name_span,
                f"danh sách `{name}` không được dùng trong công thức nào",
                f"the list `{name}` is not used by any formula",
            )
    for name, let in c.lets.items():
        if name not in used:
            c.warning(
                "W006",
                let.name_span,
                f"giá trị `{name}` (khai báo bằng `đặt`) không được dùng ở đâu",
                f"`let {name}` is not used anywhere",
            )


def check_scale(c: Checker) -> None:
    ruleset = c.module.ruleset
    if ruleset is None:
        return
    maxima = sum((g.max.value for g in c.groups if g.kind == "group"), Decimal(0))
    clause = c.scale_clause
    if not c.complete:
        return
    if clause is None:
        if maxima <= 0 and ruleset.get("scale") is None:
            c.error(
                "E040",
                ruleset.name_span,
                "thang điểm bằng 0: chưa có nhóm tiêu chí (`group`) nào và chưa khai báo `scale`",
                "the scale is 0: there is no `group` and no `scale` clause",
            )
        return
    scale = c.scale_value
    if c.groups and scale is not None and maxima != scale:
        c.warning(
            "W001",
            clause.span,
            f"tổng điểm tối đa của các nhóm là {maxima}, khác thang điểm {scale}",
            f"the group maxima add up to {maxima}, not to the scale {scale}",
        )


def _strongly_connected(graph: dict[str, list[str]]) -> Iterator[list[str]]:
    """Tarjan's algorithm, iterative so that long chains of lets cannot overflow the stack."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, child_i = work.pop()
            if child_i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            children = graph.get(node, [])
            descended = False
            while child_i < len(children):
                child = children[child_i]
                child_i += 1
                if child not in index:
                    work.append((node, child_i))
                    work.append((child, 0))
                    descended = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if descended:
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                yield component


def _cycle_through(start: str, members: set[str], graph: dict[str, list[str]]) -> list[str]:
    """A shortest path from `start` back to itself inside one strongly connected part."""
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for node in frontier:
            for child in graph.get(node, []):
                if child not in members:
                    continue
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return list(reversed(path))
                if child not in previous:
                    previous[child] = node
                    following.append(child)
        frontier = following
    return [start]
