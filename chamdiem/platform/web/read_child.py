"""The process that reads one uploaded DATA file for the web service (reading.py starts it as
`python -m chamdiem.platform.web.read_child MEMORY_BYTES CPU_SECONDS`).

It limits its own address space and processor time first, then reads what to read from its
standard input and writes the answer to its standard output, both pickled:

    in:  (path, inputs, items)
    out: ("cohort", Cohort) | ("problems", [DataProblem], omitted) | ("memory",)

A file that makes the reader ask for more memory than the limit ends as ("memory",) when
Python sees it (MemoryError) or as the process killed when a library aborts; one that takes
more processor time is killed by the kernel (SIGXCPU, then SIGKILL). Either way only this
process ends. It imports nothing of the database or the web service.
"""

from __future__ import annotations

import pickle
import resource
import sys
from collections.abc import Sequence
from pathlib import Path

from chamdiem.dsl.program import InputSpec, ItemsSpec
from chamdiem.platform.excel.cohort_reader import read_cohort
from chamdiem.platform.excel.problems import DataFileError

MEMORY_EXIT = 3  # what the process returns when even the answer does not fit in memory


def limit(memory_bytes: int, cpu_seconds: int) -> None:
    """Cap this process's address space and processor time (the hard CPU limit a second
    later: the kernel sends SIGXCPU at the soft one, SIGKILL at the hard one)."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))


def answer(
    path: Path,
    inputs: Sequence[InputSpec],
    items: Sequence[ItemsSpec],
    head_count: int | None = None,
) -> tuple[object, ...]:
    try:
        return ("cohort", read_cohort(path, inputs, items, head_count=head_count))
    except DataFileError as error:
        return ("problems", error.problems, error.omitted)
    except MemoryError:
        return ("memory",)
    except RuntimeError as error:
        if "can't start new thread" in str(error):  # no address space left for its stack
            return ("memory",)
        raise


def main(argv: list[str]) -> int:
    limit(int(argv[0]), int(argv[1]))
    path, inputs, items, head_count = pickle.load(sys.stdin.buffer)
    try:
        data = pickle.dumps(
            answer(Path(path), inputs, items, head_count), protocol=pickle.HIGHEST_PROTOCOL
        )
    except MemoryError:
        return MEMORY_EXIT
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
