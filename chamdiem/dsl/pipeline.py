"""From source text to a checked syntax tree: parse, then check when there is a header.

`check_source` is what the loader, the CLI and the tests call; it returns every diagnostic
of both passes, in source order.
"""

from __future__ import annotations

from chamdiem.dsl.catalogs import load_catalogs
from chamdiem.dsl.check import Resolved, missing_header, resolve
from chamdiem.dsl.diagnostics import Diagnostic, sort_key
from chamdiem.dsl.parser import parse
from chamdiem.dsl.syntax import Module


def check_source(source: str, path: str) -> tuple[Module, list[Diagnostic]]:
    """Parse and check a rule file (see `resolve_source`)."""
    module, diagnostics, _resolved = resolve_source(source, path)
    return module, diagnostics


def resolve_source(source: str, path: str) -> tuple[Module, list[Diagnostic], Resolved | None]:
    """Parse and check a rule file; also the resolved program when the checker ran.

    Without a header every name would look unknown, so the checker runs only when the parse
    produced one. A header that is simply absent is reported here; one that failed to parse
    has its syntax error from the parser already, so nothing is added then. After syntax
    errors the parser has dropped the broken declarations, so the checker leaves out the
    judgments that need the whole file.
    """
    module, diagnostics = parse(source, path)
    complete = not any(d.is_error for d in diagnostics)
    resolved = None
    if module.ruleset is not None:
        catalogs, problems = load_catalogs(module)
        diagnostics = [*diagnostics, *problems]
        resolved = resolve(module, complete=complete, catalogs=catalogs)
        diagnostics = [*diagnostics, *resolved.diagnostics]
    elif complete:
        diagnostics = [*diagnostics, missing_header(module)]
    return module, sorted(diagnostics, key=sort_key), resolved
