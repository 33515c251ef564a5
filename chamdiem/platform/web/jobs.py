"""Long work (imports, runs) in the background, so that no request waits for it.

A job runs on a small thread pool of the process that started it; its state (waiting,
running with a stage and a count, done with what it produced, or failed with a message for
the user) is a row of `web_jobs`, so the page asking after it may be served by any of the
service's processes. A job belongs to the user who started it: anyone else is told it does
not exist (an administrator may look at any). Jobs are forgotten a week after they end.

Limits, so that no job and no account holds the service: a job runs at most
CHAMDIEM_JOB_TIME_LIMIT_SECONDS; its owner or an administrator may cancel it from any process
(the request is a column of its row, which the process running it reads while it waits for a
file to be read and between stages); and one account has at most CHAMDIEM_JOBS_PER_ACCOUNT
unfinished jobs at once (counted in the table, under a lock, so that two requests at once
cannot both pass): one more is refused with a link to the one under way
(docs/decisions.md says why refused rather than queued). A job that is stopped ends failed
with a message; what its finished steps stored stays stored, the step under way stores
nothing (every service call is one transaction).

A process that stops while its jobs run cannot say so. So `chamdiem serve`, before it starts
its processes, marks failed every unfinished job of its machine, and each process, when it
starts (uvicorn restarts a worker that died), those of processes there that no longer run.
What such a job stored is in the database or was never stored: every service call is one
transaction.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, is_dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from litestar.exceptions import HTTPException
from litestar.status_codes import HTTP_409_CONFLICT
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from chamdiem.dsl.diagnostics import Text
from chamdiem.platform.db.engine import write_transaction
from chamdiem.platform.db.models import JobKind, JobStatus, utc_now
from chamdiem.platform.db.tables import web_jobs_t

KEEP = timedelta(days=7)
LOG = logging.getLogger("chamdiem.web.jobs")
UNEXPECTED = (
    "Có lỗi không lường trước khi xử lý; không có gì được lưu. "
    "Hãy báo quản trị hệ thống (xem nhật ký máy chủ)."
)
ABANDONED = (
    "Dịch vụ đã dừng khi công việc này đang chạy; phần chưa xong không được lưu. Hãy làm lại."
)
CANCELLED = "Đã hủy theo yêu cầu của {by}; phần đang làm dở không được lưu."
TIMED_OUT = (
    "Công việc chạy quá thời gian cho phép ({seconds} giây) nên đã bị dừng; phần đang làm dở "
    "không được lưu. Quản trị hệ thống có thể đặt CHAMDIEM_JOB_TIME_LIMIT_SECONDS để nâng giới hạn."
)
CANCEL_CHECK_SECONDS = 0.5  # how often a running job reads whether it was asked to stop
ACTIVE = ("waiting", "running")
_users_t = sa.table("users", sa.column("id"))


_identity: tuple[int, str] = (0, "")


def this_worker() -> str:
    """`host:pid:token` of this process, as written in the jobs it runs. The token, fresh
    in each process, tells this process from an earlier one that had the same pid (a
    container's service often gets the same pid at every start)."""
    global _identity
    pid = os.getpid()
    if _identity[0] != pid:
        _identity = (pid, secrets.token_hex(4))
    return f"{socket.gethostname()}:{pid}:{_identity[1]}"


@dataclass
class JobProblem:
    """A problem for the user: where (file, sheet, row, column or a path in the JSON sent)
    and what."""

    where: str
    message: str
    field: str | None = None


@dataclass
class Job:
    """A job as read from its row: a snapshot that does not change while a page shows it."""

    id: str
    kind: JobKind
    owner_id: int
    title: str
    status: JobStatus = "waiting"
    stage: str = "Đang chờ đến lượt"
    done_steps: int = 0
    total_steps: int = 1
    message: str | None = None  # what went wrong, in Vietnamese
    problems: list[JobProblem] = field(default_factory=list)
    problems_total: int = 0
    result: dict[str, Any] = field(default_factory=dict)
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, url) when done
    created: datetime | None = None
    finished: datetime | None = None
    cancel_requested_by: str | None = None  # someone asked to stop it (it stops soon)

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def percent(self) -> int:
        if self.status == "done":
            return 100
        return int(100 * self.done_steps / max(1, self.total_steps))


class JobFailed(Exception):
    """Raised by a job's work to end it with a message (and problems) for the user."""

    def __init__(
        self, message: Text | str, problems: list[JobProblem] | None = None, total: int = 0
    ) -> None:
        from chamdiem.platform.web.errors import web_words

        text = web_words(message.vi if isinstance(message, Text) else message)
        super().__init__(text)
        self.message = text
        self.problems = [JobProblem(p.where, web_words(p.message), p.field) for p in problems or []]
        self.total = total or len(self.problems)


class JobStopped(JobFailed):
    """Raised by `Progress` when the job was cancelled or ran out of time."""


class TooManyJobs(HTTPException):
    """One more job than an account may have at once."""

    status_code = HTTP_409_CONFLICT

    def __init__(self, limit: int, active: list[tuple[str, str]]) -> None:
        shown = "; ".join(f"“{title}” (/cong-viec/{job_id})" for job_id, title in active[:3])
        super().__init__(
            detail=f"Bạn đang có {len(active)} công việc chưa xong: {shown}. Mỗi tài khoản chỉ "
            f"chạy được {limit} công việc cùng lúc, để các công việc của người khác không phải "
            "chờ. Hãy đợi công việc đó xong hoặc hủy nó trên trang của nó, rồi thử lại."
        )
        self.active = active


def _jsonable(value: object) -> object:
    """What a job's result holds beyond JSON's own types: the services' dataclasses,
    decimals, paths."""
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, (Decimal, Path)):
        return str(value)
    raise TypeError(f"a job result cannot hold {type(value).__name__}")


def _dump(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=_jsonable)


def _job(row: sa.Row[Any]) -> Job:
    return Job(
        id=row.id,
        kind=row.kind,
        owner_id=row.owner_id,
        title=row.title,
        status=row.status,
        stage=row.stage,
        done_steps=row.done_steps,
        total_steps=row.total_steps,
        message=row.message,
        problems=[JobProblem(**p) for p in json.loads(row.problems_json)],
        problems_total=row.problems_total,
        result=json.loads(row.result_json),
        links=[(label, url) for label, url in json.loads(row.links_json)],
        created=row.created_at,
        finished=row.finished_at,
        cancel_requested_by=row.cancel_requested_by,
    )


class Progress:
    """What a job's work uses to say how far it is, and to learn whether it must stop
    (cancelled, or out of time). Progress is for the user's eyes: a write that fails (the
    database busy with another writer past its timeout) is logged and the work goes on."""

    def __init__(self, registry: JobRegistry, job_id: str, time_limit: float = 0.0) -> None:
        self._registry = registry
        self._job_id = job_id
        self._time_limit = time_limit
        self._deadline = time.monotonic() + time_limit if time_limit > 0 else None
        self._checked = 0.0
        self._cancelled_by: str | None = None

    def stop_reason(self) -> str | None:
        """Why the job must stop now (its message for the user), or None. Reads the job's
        row at most every CANCEL_CHECK_SECONDS: cheap enough to ask in a loop."""
        if self._deadline is not None and time.monotonic() > self._deadline:
            return TIMED_OUT.format(seconds=f"{self._time_limit:g}")
        if self._cancelled_by is None and time.monotonic() - self._checked >= CANCEL_CHECK_SECONDS:
            self._checked = time.monotonic()
            try:
                self._cancelled_by = self._registry.cancel_requested(self._job_id)
            except SQLAlchemyError:
                LOG.warning("job %s: cancellation not read", self._job_id, exc_info=True)
        if self._cancelled_by is not None:
            return CANCELLED.format(by=self._cancelled_by)
        return None

    def check(self) -> None:
        """Raise JobStopped if the job must stop (called between stages)."""
        reason = self.stop_reason()
        if reason is not None:
            raise JobStopped(reason)

    def stage(self, text: str, done: int | None = None, total: int | None = None) -> None:
        """Say what the job does now; a job that must stop stops here, between stages."""
        self.check()
        values: dict[str, Any] = {"stage": text}
        if done is not None:
            values["done_steps"] = done
        if total is not None:
            values["total_steps"] = total
        try:
            self._registry.update(self._job_id, **values)
        except SQLAlchemyError:
            LOG.warning("job %s: progress not recorded", self._job_id, exc_info=True)


Work = Callable[[Progress], tuple[dict[str, Any], list[tuple[str, str]]]]


class JobRegistry:
    def __init__(
        self,
        engine: Engine,
        workers: int = 2,
        *,
        time_limit: float = 1800.0,
        per_account: int | None = None,
    ) -> None:
        self._engine = engine
        self._workers = workers
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self.time_limit = time_limit
        # Default: every slot of a process but one, so that one account never holds them all.
        self.per_account = per_account or max(1, workers - 1)

    def _active_of(self, connection: sa.Connection, owner_id: int) -> list[tuple[str, str]]:
        """(id, title) of the owner's unfinished jobs. A row older than twice the time limit
        is a job whose process died on another machine (this machine's are marked failed
        when a process starts): it does not count."""
        since = utc_now() - timedelta(seconds=2 * self.time_limit)
        rows = connection.execute(
            sa.select(web_jobs_t.c.id, web_jobs_t.c.title)
            .where(
                web_jobs_t.c.owner_id == owner_id,
                web_jobs_t.c.status.in_(ACTIVE),
                web_jobs_t.c.created_at > since,
            )
            .order_by(web_jobs_t.c.created_at)
        ).all()
        return [(row.id, row.title) for row in rows]

    def check_room(self, owner_id: int) -> None:
        """Raise TooManyJobs if the owner may start no job now (asked before an upload is
        stored; `start` counts again, atomically)."""
        with self._engine.connect() as connection:
            active = self._active_of(connection, owner_id)
        if len(active) >= self.per_account:
            raise TooManyJobs(self.per_account, active)

    def start(self, kind: JobKind, owner_id: int, title: str, work: Work) -> Job:
        """Record the job and hand it to a worker thread. Raises TooManyJobs if the owner
        has as many unfinished jobs as an account may have."""
        now = utc_now()
        job = Job(secrets.token_hex(8), kind, owner_id, title, created=now)
        with write_transaction(self._engine) as connection:
            # The owner's row locked (PostgreSQL; SQLite's writer holds the database): two
            # starts by one account count one after the other.
            connection.execute(
                sa.select(_users_t.c.id).where(_users_t.c.id == owner_id).with_for_update()
            )
            active = self._active_of(connection, owner_id)
            if len(active) >= self.per_account:
                raise TooManyJobs(self.per_account, active)
            connection.execute(web_jobs_t.delete().where(web_jobs_t.c.finished_at < now - KEEP))
            connection.execute(
                web_jobs_t.insert().values(
                    id=job.id,
                    kind=kind,
                    owner_id=owner_id,
                    title=title,
                    status=job.status,
                    stage=job.stage,
                    done_steps=0,
                    total_steps=1,
                    problems_json="[]",
                    problems_total=0,
                    result_json="{}",
                    links_json="[]",
                    worker=this_worker(),
                    created_at=now,
                )
            )
        with self._lock:
            # Made on first use (and again after a shutdown: an app's lifespan may be run
            # more than once, as test clients do).
            if self._executor is None:
                self._executor = ThreadPoolExecutor(
                    max_workers=self._workers, thread_name_prefix="chamdiem-job"
                )
            executor = self._executor
        executor.submit(self._run, job.id, work)
        return job

    def get(self, job_id: str, owner_id: int, *, any_owner: bool = False) -> Job | None:
        with self._engine.connect() as connection:
            row = connection.execute(sa.select(web_jobs_t).where(web_jobs_t.c.id == job_id)).first()
        if row is None or (row.owner_id != owner_id and not any_owner):
            return None
        return _job(row)

    def cancel(self, job_id: str, by: str) -> None:
        """Ask a job to stop (the caller checked that `by` may). One still waiting for a
        worker ends now; a running one is stopped by its process within a moment, or at
        the end of the stage under way."""
        now = utc_now()
        with write_transaction(self._engine) as connection:
            connection.execute(
                web_jobs_t.update()
                .where(web_jobs_t.c.id == job_id, web_jobs_t.c.status == "waiting")
                .values(
                    status="failed",
                    message=CANCELLED.format(by=by),
                    finished_at=now,
                    cancel_requested_at=now,
                    cancel_requested_by=by,
                )
            )
            connection.execute(
                web_jobs_t.update()
                .where(
                    web_jobs_t.c.id == job_id,
                    web_jobs_t.c.status == "running",
                    web_jobs_t.c.cancel_requested_at.is_(None),
                )
                .values(cancel_requested_at=now, cancel_requested_by=by)
            )

    def cancel_requested(self, job_id: str) -> str | None:
        """Who asked the job to stop, if anyone did."""
        with self._engine.connect() as connection:
            return connection.execute(
                sa.select(web_jobs_t.c.cancel_requested_by).where(
                    web_jobs_t.c.id == job_id, web_jobs_t.c.cancel_requested_at.is_not(None)
                )
            ).scalar()

    def wait(self, job_id: str, timeout: float = 60.0) -> Job | None:
        """Wait for a job to end (for tests and the command line, never for a request)."""
        deadline = time.monotonic() + timeout
        while True:
            job = self.get(job_id, 0, any_owner=True)
            if job is None or not job.active or time.monotonic() > deadline:
                return job
            time.sleep(0.05)

    def update(self, job_id: str, **values: Any) -> None:
        with write_transaction(self._engine) as connection:
            connection.execute(
                web_jobs_t.update().where(web_jobs_t.c.id == job_id).values(**values)
            )

    def fail_abandoned(self, *, every: bool = False) -> int:
        """Mark failed the unfinished jobs of processes of this machine that no longer run
        (called when a process starts), or `every` unfinished job of this machine (called
        before the service starts any); how many there were."""
        host = socket.gethostname()
        with self._engine.connect() as connection:
            rows = connection.execute(
                sa.select(web_jobs_t.c.id, web_jobs_t.c.worker).where(
                    web_jobs_t.c.status.in_(("waiting", "running")),
                    web_jobs_t.c.worker.startswith(host + ":"),
                )
            ).all()
        gone = [row.id for row in rows if every or not _process_alive(row.worker)]
        if gone:
            with write_transaction(self._engine) as connection:
                connection.execute(
                    web_jobs_t.update()
                    .where(
                        web_jobs_t.c.id.in_(gone), web_jobs_t.c.status.in_(("waiting", "running"))
                    )
                    .values(status="failed", message=ABANDONED, finished_at=utc_now())
                )
            LOG.warning("%d jobs of stopped processes marked failed", len(gone))
        return len(gone)

    def shutdown(self) -> None:
        """Wait for the jobs under way (each is one transaction: letting it finish is
        quicker than having it rolled back) and drop the ones not started (marked failed
        by the next process to start)."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)

    def _begin(self, job_id: str) -> bool:
        """Mark the job running, unless it was cancelled while it waited."""
        with write_transaction(self._engine) as connection:
            began = connection.execute(
                web_jobs_t.update()
                .where(web_jobs_t.c.id == job_id, web_jobs_t.c.status == "waiting")
                .values(status="running", stage="Đang xử lý", started_at=utc_now())
            )
        return bool(began.rowcount)

    def _run(self, job_id: str, work: Work) -> None:
        try:
            if not self._begin(job_id):
                return
            progress = Progress(self, job_id, self.time_limit)
            progress.check()
            result, links = work(progress)
        except JobFailed as failure:
            self._end(
                job_id,
                status="failed",
                message=failure.message,
                problems_json=_dump([asdict(p) for p in failure.problems]),
                problems_total=failure.total,
            )
            return
        except Exception:
            LOG.exception("job %s failed", job_id)
            self._end(job_id, status="failed", message=UNEXPECTED)
            return
        try:
            outcome = {"result_json": _dump(result), "links_json": _dump(links)}
        except TypeError:
            LOG.exception("job %s: result not recordable", job_id)
            self._end(job_id, status="failed", message=UNEXPECTED)
            return
        self._end(job_id, status="done", stage="Đã xong", **outcome)

    def _end(self, job_id: str, **values: Any) -> None:
        try:
            with write_transaction(self._engine) as connection:
                if values.get("status") == "done":
                    values["done_steps"] = web_jobs_t.c.total_steps
                connection.execute(
                    web_jobs_t.update()
                    .where(web_jobs_t.c.id == job_id)
                    .values(finished_at=utc_now(), **values)
                )
        except SQLAlchemyError:
            # The work is done (or failed) and committed (or not) either way; the row stays
            # unfinished until this process stops and the next start marks it failed.
            LOG.exception("job %s: its end not recorded", job_id)


def _process_alive(worker: str) -> bool:
    """Whether the process of this machine that wrote `worker` still runs."""
    parts = worker.split(":")
    if len(parts) != 3 or not parts[1].isdigit():
        return False
    pid = int(parts[1])
    if pid == os.getpid():
        return worker == this_worker()
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True
