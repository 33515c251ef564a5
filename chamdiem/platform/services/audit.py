"""The audit log: one entry per import, run, verification, publication, decision, change of
the organisation or of a period. Entries are only ever added (the database rejects UPDATE and
DELETE on the table); there is deliberately no function here that changes one."""

from __future__ import annotations

from sqlmodel import Session

from chamdiem.platform.db.codec import dumps
from chamdiem.platform.db.models import AuditEntry, utc_now


def record(
    session: Session,
    actor: str,
    action: str,
    entity: str,
    entity_id: object = None,
    **details: object,
) -> AuditEntry:
    """Add an entry to the session's transaction: it is committed with the change it
    describes, or not at all."""
    entry = AuditEntry(
        at=utc_now(),
        actor=actor,
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        details_json=dumps(details),
    )
    session.add(entry)
    return entry
