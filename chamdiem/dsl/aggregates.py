"""Which lists an aggregate reads. Whether a call is an aggregate at all is
`names.is_aggregate`; the checker decides with both and records, for each aggregate, the list it
folds in the resolved program (check/resolved.py), which the compiler reads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from chamdiem.dsl import syntax as s
from chamdiem.dsl.names import LIST_LINKS


def item_refs(
    arg: s.Expr,
    where: s.Expr | None,
    items: Mapping[str, s.Items],
    list_links: Sequence[str] = LIST_LINKS,
) -> list[str]:
    """The lists an aggregate's argument reads, in the order written: the argument itself
    when it is a list (`count(san_pham)`), a list's fields anywhere inside, or a list of a
    needed rule set's results (`members(R)`, keyed "members(R)")."""
    found: dict[str, None] = {}
    if isinstance(arg, s.Name) and arg.name in items:
        found[arg.name] = None
    for node in s.walk(arg, where):
        if (
            isinstance(node, s.Attribute)
            and isinstance(node.target, s.Name)
            and node.target.name in items
        ):
            found[node.target.name] = None
        elif (
            isinstance(node, s.Call)
            and node.function in list_links
            and len(node.args) == 1
            and isinstance(node.args[0], s.Name)
        ):
            found[f"{node.function}({node.args[0].name})"] = None
    return list(found)
