"""Reading an uploaded DATA file in a process of its own, with limits, so that a hostile or
broken file can at worst be refused: never take the service's process down with it.

An uploaded workbook is untrusted. A reader handed the wrong file may ask for far more memory
than the machine has, or work for minutes; in the service's process that would end every job
and request it holds. So the web's imports read their file in a child process
(read_child.py, started with `subprocess`: a fresh interpreter, nothing forked from a process
that runs threads) whose address space and processor time are capped (CHAMDIEM_PARSE_MEMORY_MB,
CHAMDIEM_PARSE_CPU_SECONDS). The child answers with what it read or the problems it found; if
it dies, the job fails with a message naming the limit and the setting that raises it. While
it works the job's thread watches for a cancellation and for the job's time limit, and kills
the child for either.

The child gets the service's environment without the database's address and the secret key:
it needs neither. Its answer is unpickled: it comes from our own code in the child, not from
the file. Starting it costs about a quarter of a second (bench/README.md).
"""

from __future__ import annotations

import logging
import os
import pickle
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from chamdiem.dsl.data import Cohort
from chamdiem.dsl.program import InputSpec, ItemsSpec
from chamdiem.platform.excel.problems import DataFileError
from chamdiem.platform.settings import Settings
from chamdiem.platform.web.jobs import JobFailed, JobStopped
from chamdiem.platform.web.read_child import MEMORY_EXIT

LOG = logging.getLogger("chamdiem.web.reading")
POLL_SECONDS = 0.2  # how often the waiting thread looks at the child, the clock and the job
WALL_FACTOR = 3  # a child that sleeps (or is starved) is killed after this many CPU limits
HIDDEN = ("CHAMDIEM_DATABASE_URL", "CHAMDIEM_SECRET_KEY")
MEMORY = "bộ nhớ ({memory} MB)"
CPU = "thời gian xử lý ({cpu} giây)"
TOO_LARGE = (
    "Tệp quá lớn hoặc hỏng: việc đọc tệp vượt giới hạn {what}; không lưu gì. Nếu tệp đúng là "
    "lớn như vậy, quản trị hệ thống có thể đặt {setting} để nâng giới hạn."
)

Stop = Callable[[], str | None]


@dataclass(frozen=True)
class ReadLimits:
    memory_mb: int = 1536
    cpu_seconds: int = 60

    @classmethod
    def of(cls, settings: Settings) -> ReadLimits:
        return cls(settings.parse_memory_mb, settings.parse_cpu_seconds)

    def refusal(self, memory: bool, cpu: bool) -> JobFailed:
        """The message of a read that went beyond the memory limit, the CPU limit or (both
        False: the process died without saying why) either."""
        if memory == cpu:
            what = f"{MEMORY} hoặc {CPU}"
            setting = "CHAMDIEM_PARSE_MEMORY_MB hoặc CHAMDIEM_PARSE_CPU_SECONDS"
        elif memory:
            what, setting = MEMORY, "CHAMDIEM_PARSE_MEMORY_MB"
        else:
            what, setting = CPU, "CHAMDIEM_PARSE_CPU_SECONDS"
        text = what.format(memory=self.memory_mb, cpu=self.cpu_seconds)
        return JobFailed(TOO_LARGE.format(what=text, setting=setting))


def _never() -> str | None:
    return None


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in HIDDEN}
    # One thread per numerical library: the child reads, it does not compute.
    env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    package_root = str(Path(__file__).resolve().parents[3])
    path = env.get("PYTHONPATH")
    env["PYTHONPATH"] = package_root + (os.pathsep + path if path else "")
    return env


class IsolatedReader:
    """`read_cohort` in a child process with limits. It remembers the last file it read, so
    that an import reads its file once for the check and the store that follows."""

    def __init__(self, limits: ReadLimits, stop: Stop = _never) -> None:
        self._limits = limits
        self._stop = stop
        self._last: tuple[Path, Cohort] | None = None

    def __call__(
        self,
        path: Path,
        inputs: Sequence[InputSpec],
        items: Sequence[ItemsSpec],
        *,
        head_count: int | None = None,
    ) -> Cohort:
        if self._last is not None and self._last[0] == path:
            return self._last[1]
        cohort = self._read(path, inputs, items, head_count)
        self._last = (path, cohort)
        return cohort

    def _read(
        self,
        path: Path,
        inputs: Sequence[InputSpec],
        items: Sequence[ItemsSpec],
        head_count: int | None,
    ) -> Cohort:
        limits = self._limits
        request = pickle.dumps((str(path), tuple(inputs), tuple(items), head_count))
        child = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "chamdiem.platform.web.read_child",
                str(limits.memory_mb << 20),
                str(limits.cpu_seconds),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_environment(),
        )
        deadline = time.monotonic() + WALL_FACTOR * limits.cpu_seconds + 5
        first: bytes | None = request
        while True:
            reason = self._stop()
            if reason is not None:
                _kill(child)
                raise JobStopped(reason)
            if time.monotonic() > deadline:
                _kill(child)
                raise limits.refusal(memory=False, cpu=True)
            try:
                out, err = child.communicate(first, timeout=POLL_SECONDS)
                break
            except subprocess.TimeoutExpired:
                first = None
        return self._outcome(path, child.returncode, out, err)

    def _outcome(self, path: Path, code: int, out: bytes, err: bytes) -> Cohort:
        limits = self._limits
        if code == 0 and out:
            answer = pickle.loads(out)
            if answer[0] == "cohort":
                cohort: Cohort = answer[1]
                return cohort
            if answer[0] == "problems":
                raise DataFileError(answer[1], answer[2])
            return self._refused(path, limits.refusal(memory=True, cpu=False))
        if code in (-signal.SIGXCPU, -signal.SIGKILL):
            # SIGKILL: the hard CPU limit (or the kernel out of memory: rarer under RLIMIT_AS).
            return self._refused(path, limits.refusal(memory=False, cpu=True))
        memory = code in (-signal.SIGABRT, -signal.SIGSEGV, MEMORY_EXIT) or b"MemoryError" in err
        if not memory:
            LOG.error("reading %s: the child ended with %s: %s", path, code, err[-2000:])
        return self._refused(path, limits.refusal(memory=memory, cpu=False))

    @staticmethod
    def _refused(path: Path, failure: JobFailed) -> Cohort:
        LOG.warning("reading %s refused: %s", path.name, failure.message)
        raise failure


def _kill(child: subprocess.Popen[bytes]) -> None:
    child.kill()
    child.communicate()
