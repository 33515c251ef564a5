"""Long work (imports, runs) in the background, so that no request waits for it.

A job runs on a small thread pool; its state (waiting, running with a stage and a count,
done with what it produced, or failed with a message for the user) lives in memory and the
page asking after it polls it. A job belongs to the user who started it: anyone else is told
it does not exist. Jobs are forgotten an hour after they end, and when the service restarts
(what they stored is in the database by then, or was never stored: every service call is one
transaction).
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

from chamdiem.dsl.diagnostics import Text

JobStatus = Literal["waiting", "running", "done", "failed"]
JobKind = Literal["validate", "import", "run"]
KEEP_SECONDS = 3600
LOG = logging.getLogger("chamdiem.web.jobs")


@dataclass
class JobProblem:
    """A problem for the user: where (file, sheet, row, column or a path in the JSON sent)
    and what."""

    where: str
    message: str
    field: str | None = None


@dataclass
class Job:
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
    created: float = field(default_factory=time.monotonic)
    finished: float | None = None

    @property
    def active(self) -> bool:
        return self.status in ("waiting", "running")

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
        text = message.vi if isinstance(message, Text) else message
        super().__init__(text)
        self.message = text
        self.problems = problems or []
        self.total = total or len(self.problems)


class Progress:
    """What a job's work uses to say how far it is."""

    def __init__(self, job: Job, lock: threading.Lock) -> None:
        self._job = job
        self._lock = lock

    def stage(self, text: str, done: int | None = None, total: int | None = None) -> None:
        with self._lock:
            self._job.stage = text
            if done is not None:
                self._job.done_steps = done
            if total is not None:
                self._job.total_steps = total


Work = Callable[[Progress], tuple[dict[str, Any], list[tuple[str, str]]]]


class JobRegistry:
    def __init__(self, workers: int = 2) -> None:
        self._workers = workers
        self._executor: ThreadPoolExecutor | None = None
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def start(self, kind: JobKind, owner_id: int, title: str, work: Work) -> Job:
        job = Job(secrets.token_hex(8), kind, owner_id, title)
        with self._lock:
            self._forget_old()
            self._jobs[job.id] = job
            # Made on first use (and again after a shutdown: an app's lifespan may be run
            # more than once, as test clients do).
            if self._executor is None:
                self._executor = ThreadPoolExecutor(
                    max_workers=self._workers, thread_name_prefix="chamdiem-job"
                )
            executor = self._executor
        executor.submit(self._run, job, work)
        return job

    def get(self, job_id: str, owner_id: int, *, any_owner: bool = False) -> Job | None:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or (job.owner_id != owner_id and not any_owner):
            return None
        return job

    def snapshot(self, job: Job) -> Job:
        """A copy that does not change while a page is rendered from it."""
        with self._lock:
            return Job(**{name: getattr(job, name) for name in job.__dataclass_fields__})

    def wait(self, job_id: str, timeout: float = 60.0) -> Job | None:
        """Wait for a job to end (for tests and the command line, never for a request)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                job = self._jobs.get(job_id)
                if job is None or not job.active:
                    return job
            time.sleep(0.02)
        with self._lock:
            return self._jobs.get(job_id)

    def shutdown(self) -> None:
        """Wait for the jobs under way (each is one transaction: letting it finish is
        quicker than having it rolled back) and drop the ones not started."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)

    def _run(self, job: Job, work: Work) -> None:
        with self._lock:
            job.status = "running"
            job.stage = "Đang xử lý"
        try:
            result, links = work(Progress(job, self._lock))
        except JobFailed as failure:
            with self._lock:
                job.status = "failed"
                job.message = failure.message
                job.problems = failure.problems
                job.problems_total = failure.total
                job.finished = time.monotonic()
            return
        except Exception:
            LOG.exception("job %s (%s) failed", job.id, job.kind)
            with self._lock:
                job.status = "failed"
                job.message = (
                    "Có lỗi không lường trước khi xử lý; không có gì được lưu. "
                    "Hãy báo quản trị hệ thống (xem nhật ký máy chủ)."
                )
                job.finished = time.monotonic()
            return
        with self._lock:
            job.status = "done"
            job.stage = "Đã xong"
            job.done_steps = job.total_steps
            job.result = result
            job.links = links
            job.finished = time.monotonic()

    def _forget_old(self) -> None:
        now = time.monotonic()
        for job_id in [
            j.id
            for j in self._jobs.values()
            if j.finished is not None and now - j.finished > KEEP_SECONDS
        ]:
            del self._jobs[job_id]
