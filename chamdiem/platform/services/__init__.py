"""The use cases, as plain functions that take a Session (the CLI and the web both call them).

Each service that changes something does it in one transaction together with its audit log
entry (`chamdiem.platform.db.engine.writing`), and refuses with `ServiceError` (or
`DataFileError` for a DATA file) leaving the database as it was.

Import each service from its module (`chamdiem.platform.services.runs`, `.imports`, ...): this
package imports none of them, so that a module of it importing another never goes through a
half-initialised package.
"""
