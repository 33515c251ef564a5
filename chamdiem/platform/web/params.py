"""Parameter types shared by the handlers: ids are bounded so that no number too large for
the database's integers ever reaches it (a 404 or 400 instead of a database error)."""

from __future__ import annotations

from typing import Annotated

from litestar.params import PathParameter, QueryParameter

MAX_ID = 2_147_483_647

IdPath = Annotated[int, PathParameter(ge=1, le=MAX_ID)]
IdQuery = Annotated[int, QueryParameter(ge=1, le=MAX_ID)]
PageQuery = Annotated[int, QueryParameter(ge=1, le=MAX_ID)]
