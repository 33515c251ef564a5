"""Where lark's parser for grammar.lark is cached between processes.

Building the LALR tables from the grammar takes 0.15–0.2 s, most of a `chamdiem check` of one
file; loading them back from lark's cache takes about 0.02 s. So parser/lexer.py builds its parser
with lark's `cache=` option, pointed at the file this module names (it does not import lark
itself: the parser package stays the only one that does):

- the directory is CHAMDIEM_CACHE_DIR when set, else $XDG_CACHE_HOME/chamdiem, else
  ~/.cache/chamdiem (made private to the user: the file is a pickle, and a cache anyone may
  write to, such as the shared temporary directory, would let them run code in our process);
- the file's name is a hash of everything the tables are made from: the grammar text, the
  build options, lark's version and Python's. A changed grammar has another name, so it is
  never served tables built from an older text (lark also compares the same kind of hash stored
  in the file before it uses it);
- when the directory cannot be made or written (a read-only service, no home directory), the
  parser is built at every start as before; a cache file that cannot be read is rebuilt.

docs/decisions.md says why the cache and not lark's standalone generator.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Mapping
from pathlib import Path

CACHE_ENV = "CHAMDIEM_CACHE_DIR"


def cache_key(grammar: str, options: Mapping[str, object], lark_version: str) -> str:
    """The hash that names the cache file: grammar text, options, lark and Python versions."""
    digest = hashlib.sha256()
    for part in (
        grammar,
        repr(sorted((name, repr(value)) for name, value in options.items())),
        lark_version,
        "{}.{}".format(*sys.version_info[:2]),
    ):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def cache_dir() -> Path | None:
    """The directory for cache files, made if needed; None when there is none to be had."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        directory = Path(configured)
    else:
        base = os.environ.get("XDG_CACHE_HOME")
        try:
            root = Path(base) if base else Path.home() / ".cache"
        except RuntimeError:  # no home directory to be found
            return None
        directory = root / "chamdiem"
    if directory.is_dir():  # perhaps read-only, holding a cache made beforehand
        return directory
    try:
        directory.mkdir(mode=0o700, parents=True)
    except OSError:
        return None
    return directory


def cache_file(grammar: str, options: Mapping[str, object], lark_version: str) -> Path | None:
    """Where lark caches the parser for this grammar and these options (`options` are those
    the tables are built from, not the lexer callbacks); None when there is no cache."""
    directory = cache_dir()
    if directory is None:
        return None
    return directory / f"grammar-{cache_key(grammar, options, lark_version)[:32]}.lark-cache"
