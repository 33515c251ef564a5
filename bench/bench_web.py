"""Benchmark: 50 people reading unit result pages of the web service at once, for 60 s.

    .venv/bin/python bench/bench_web.py                       # 30,000 people, SQLite
    .venv/bin/python bench/bench_web.py --backend postgresql --users 50 --seconds 60
    .venv/bin/python bench/bench_web.py --think 1.0           # each user pauses 1 s per page

Set-up (not timed): the demo province (chamdiem.platform.demo) is generated into
bench/results/, loaded into a fresh database (organisation, period, rules, the quarter's data,
one run over everyone), and accounts are made: an auditor (the whole province) and one HR
officer per provincial agency and per commune (their own units). The service runs as
`chamdiem serve` does (uvicorn; as many processes as `chamdiem serve` starts by default, one
per core up to 4, unless `--workers` says) in a child process on 127.0.0.1, on a free port;
nothing leaves the machine.

Each simulated user signs in once (through the sign-in form), then, as an asyncio task on its
own keep-alive connection, until the time is up reads the result page (`/don-vi/CODE`) of a
unit they may see, picked at random (seeded), and records the time to the last byte and the
status. Half the users are the auditor, half HR officers. The loop is
closed (a user sends the next request when the last one is answered, after `--think`
seconds), so with no think time the service is kept saturated: the numbers are its capacity,
not a comfortable day. Printed: requests, requests per second, latency p50/p95/p99/max and
errors (any status but 200, any failed connection), per kind of user and in all.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from chamdiem.platform.db.engine import make_engine, open_session  # noqa: E402
from chamdiem.platform.db.migrate import upgrade  # noqa: E402
from chamdiem.platform.web.config import default_workers  # noqa: E402

RULES = ROOT / "rules" / "cong_chuc_quy.rules"
OUT = ROOT / "bench" / "results"  # git-ignored
PERIOD = "2026-Q1"
PASSWORD = "mat-khau-bench-2026"
PG_URL = "postgresql+psycopg://127.0.0.1:5432/test"
CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')
LOOPBACK = "127.0.0.1"
SLOW_SECONDS = 1.0  # answers slower than this are listed with when they were asked


@dataclass
class Account:
    username: str
    kind: str  # "auditor" or "hr"
    units: list[str]  # the unit codes whose pages this account reads


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)
    slow: list[tuple[float, float]] = field(default_factory=list)  # (s into the run, latency)

    def error(self, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1


# ---------------------------------------------------------------- set-up


def _database(backend: str, folder: Path, pg_url: str) -> tuple[str, Callable[[], None]]:
    if backend == "sqlite":
        return f"sqlite:///{folder / 'bench_web.db'}", lambda: None
    import psycopg
    from sqlalchemy.engine import make_url

    schema = f"bench_web_{uuid.uuid4().hex[:10]}"
    url = make_url(pg_url)
    conninfo = f"host={url.host or LOOPBACK} port={url.port or 5432} dbname={url.database}"
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')

    def drop() -> None:
        with psycopg.connect(conninfo, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')

    return f"{pg_url}?options=-csearch_path%3D{schema}", drop


def _workbook(people: int, seed: int) -> Path:
    from chamdiem.platform.demo import generate_province

    folder = OUT / f"province_{people}_{seed}"
    found = sorted(folder.glob("*.xlsx")) if folder.is_dir() else []
    if found:
        return found[0]
    print(f"generating {people:,} people into {folder} (not timed) ...", flush=True)
    return generate_province(folder, people=people, seed=seed)


def prepare(url: str, workbook: Path, hr_accounts: int) -> list[Account]:
    """Load the province, run the quarter once, make the accounts; returns them."""
    from chamdiem.platform.services.accounts import add_user
    from chamdiem.platform.services.imports import import_period_data
    from chamdiem.platform.services.organisation import load_organisation
    from chamdiem.platform.services.periods import add_period
    from chamdiem.platform.services.rules import publish_rule_version
    from chamdiem.platform.services.runs import run_evaluation
    from chamdiem.platform.services.scope import Scope

    engine = make_engine(url)
    try:
        upgrade(engine)
        with open_session(engine) as session:
            started = time.perf_counter()
            load_organisation(session, workbook, actor="bench")
            add_period(session, PERIOD, actor="bench")
            publish_rule_version(session, RULES, actor="bench")
            import_period_data(session, workbook, PERIOD, actor="bench")
            (outcome,) = run_evaluation(session, PERIOD, scope=Scope.everything(), actor="bench")
            print(
                f"set-up: {outcome.subjects:,} people evaluated (run #{outcome.run_id}) in "
                f"{time.perf_counter() - started:.1f} s",
                flush=True,
            )
            units = _units(session, outcome.run_id)
            add_user(session, "thanhtra", PASSWORD, "auditor", actor="bench")
            accounts = [Account("thanhtra", "auditor", sorted(units))]
            roots = sorted({root for root, _ in units.values()})
            for k, root in enumerate(roots[:hr_accounts]):
                name = f"tccb{k:03d}"
                add_user(session, name, PASSWORD, "hr", [root], actor="bench")
                mine = sorted(code for code, (r, _) in units.items() if r == root)
                accounts.append(Account(name, "hr", mine))
    finally:
        engine.dispose()
    return accounts


def _units(session: object, run_id: int) -> dict[str, tuple[str, int]]:
    """Units with results in the run: code -> (its top-level unit, results)."""
    from chamdiem.platform.db.models import Result, Unit

    units_t = Unit.__table__  # type: ignore[attr-defined]
    results_t = Result.__table__  # type: ignore[attr-defined]
    connection = session.connection()  # type: ignore[attr-defined]
    parent = {
        row.code: row.parent_id
        for row in connection.execute(sa.select(units_t.c.code, units_t.c.parent_id))
    }
    code_of = {
        row.id: row.code for row in connection.execute(sa.select(units_t.c.id, units_t.c.code))
    }
    counts = dict(
        connection.execute(
            sa.select(results_t.c.unit_code, sa.func.count())
            .where(results_t.c.run_id == run_id)
            .group_by(results_t.c.unit_code)
        ).all()
    )

    def root(code: str) -> str:
        seen = set()
        while parent.get(code) is not None and code not in seen:
            seen.add(code)
            code = code_of[parent[code]]
        return code

    return {code: (root(code), int(n)) for code, n in counts.items() if code}


# ---------------------------------------------------------------- the service


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


def serve(url: str, data_dir: Path, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {
        **os.environ,
        "CHAMDIEM_DATABASE_URL": url,
        "CHAMDIEM_DATA_DIR": str(data_dir),
        "CHAMDIEM_SECRET_KEY": uuid.uuid4().hex * 2,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "chamdiem.platform.web.app:create_app",
            "--host",
            LOOPBACK,
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
            "--workers",
            str(workers),
        ],
        env=env,
        cwd=str(ROOT),
    )
    base = f"http://{LOOPBACK}:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(base + "/dang-nhap", timeout=2).status_code == 200:
                return process, base
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise SystemExit("the service did not start")
        time.sleep(0.2)


def sign_in(base: str, account: Account) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30, follow_redirects=False)
    page = client.get("/dang-nhap")
    token = CSRF.search(page.text)
    assert token is not None, "no CSRF field on the sign-in page"
    response = client.post(
        "/dang-nhap",
        data={"username": account.username, "password": PASSWORD, "_csrf_token": token.group(1)},
    )
    if response.status_code != 303:
        raise SystemExit(f"{account.username} could not sign in: {response.status_code}")
    return client


# ---------------------------------------------------------------- the load


async def user_loop(
    host: str,
    port: int,
    cookie: str,
    account: Account,
    tally: Tally,
    start: float,
    end: float,
    think: float,
    seed: int,
) -> None:
    """One user on one keep-alive connection: ask for a page, read it to the last byte, record
    the time, pause `think` seconds, again until the end. Plain HTTP/1.1 over asyncio, so the
    load generator spends as little of the two cores as it can (50 threads of an HTTP library
    took a quarter of a core and added their own waits for the interpreter lock to the
    latencies they measured)."""
    chooser = random.Random(seed)
    reader, writer = await asyncio.open_connection(host, port)
    await asyncio.sleep(max(0.0, start - time.monotonic()))
    try:
        while time.monotonic() < end:
            unit = chooser.choice(account.units)
            request = (
                f"GET /don-vi/{quote(unit, safe='')} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                f"Cookie: {cookie}\r\n\r\n"
            ).encode()
            began = time.perf_counter()
            try:
                writer.write(request)
                status, body = await _response(reader)
            except (OSError, asyncio.IncompleteReadError, ValueError) as error:
                tally.error(type(error).__name__)
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                continue
            elapsed = time.perf_counter() - began
            if status == 200 and "Kết quả:".encode() in body:
                tally.latencies.append(elapsed)
                if elapsed > SLOW_SECONDS:
                    tally.slow.append((time.monotonic() - elapsed - start, elapsed))
            else:
                tally.error(f"HTTP {status}")
            if think:
                await asyncio.sleep(think)
    finally:
        writer.close()


async def _response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    if headers.get("transfer-encoding", "").lower() == "chunked":
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                break
            parts.append(chunk[:-2])
        return status, b"".join(parts)
    return status, await reader.readexactly(int(headers.get("content-length", "0")))


async def load(
    base: str, users: list[Account], cookies: list[str], args: argparse.Namespace
) -> dict[str, Tally]:
    tallies = {"auditor": Tally(), "hr": Tally()}
    host, port = base.removeprefix("http://").rsplit(":", 1)
    start = time.monotonic() + 0.5
    end = start + args.seconds
    await asyncio.gather(
        *(
            user_loop(
                host, int(port), cookie, account, tallies[account.kind], start, end, args.think, n
            )
            for n, (cookie, account) in enumerate(zip(cookies, users, strict=True))
        )
    )
    return tallies


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=30_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--think", type=float, default=0.0, help="pause after each page (s)")
    parser.add_argument("--hr-accounts", type=int, default=25)
    parser.add_argument("--workers", type=int, default=default_workers(), help="service processes")
    args = parser.parse_args()

    workbook = _workbook(args.people, args.seed)
    with tempfile.TemporaryDirectory(prefix="chamdiem-bench-web-") as scratch:
        folder = Path(scratch)
        url, drop = _database(args.backend, folder, args.pg_url)
        process = None
        try:
            accounts = prepare(url, workbook, args.hr_accounts)
            process, base = serve(url, folder / "data", args.workers)
            auditor, officers = accounts[0], accounts[1:]
            users = [
                auditor if n % 2 == 0 else officers[n // 2 % len(officers)]
                for n in range(args.users)
            ]
            clients = [sign_in(base, account) for account in users]
            # Warm-up (not counted): the first page compiles the rules.
            clients[0].get(f"/don-vi/{auditor.units[0]}")
            cookies = ["; ".join(f"{k}={v}" for k, v in c.cookies.items()) for c in clients]
            for client in clients:
                client.close()
            tallies = asyncio.run(load(base, users, cookies, args))
            report(args, tallies)
        finally:
            if process is not None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
            drop()


def report(args: argparse.Namespace, tallies: dict[str, Tally]) -> None:
    everyone = Tally()
    for tally in tallies.values():
        everyone.latencies.extend(tally.latencies)
        everyone.errors += tally.errors
        everyone.slow.extend(tally.slow)
        for kind, n in tally.error_kinds.items():
            everyone.error_kinds[kind] = everyone.error_kinds.get(kind, 0) + n
    print()
    print(
        f"{args.users} users, {args.seconds:.0f} s, think {args.think:g} s, {args.backend}, "
        f"{args.workers} service process{'es' if args.workers != 1 else ''}, "
        f"{args.people:,} people, unit result pages (/don-vi/CODE) over {LOOPBACK}"
    )
    head = (
        f"{'users':<10}{'requests':>10}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}"
        f"{'p99 ms':>9}{'max ms':>9}{'errors':>8}"
    )
    print(head)
    print("-" * len(head))
    for name, tally in [*tallies.items(), ("all", everyone)]:
        done = len(tally.latencies)
        ms = [1000 * value for value in tally.latencies]
        print(
            f"{name:<10}{done + tally.errors:>10}{done / args.seconds:>9.1f}"
            f"{percentile(ms, 50):>9.1f}{percentile(ms, 95):>9.1f}{percentile(ms, 99):>9.1f}"
            f"{(max(ms) if ms else float('nan')):>9.1f}{tally.errors:>8}"
        )
    if everyone.error_kinds:
        print("errors:", ", ".join(f"{k} × {n}" for k, n in sorted(everyone.error_kinds.items())))
    if everyone.slow:
        asked = sorted(at for at, _ in everyone.slow)
        print(
            f"{len(everyone.slow)} answers took over {SLOW_SECONDS:g} s, asked between "
            f"{asked[0]:.1f} and {asked[-1]:.1f} s into the run"
        )
    mean = statistics.fmean(everyone.latencies) * 1000 if everyone.latencies else float("nan")
    print(f"mean {mean:.1f} ms; target: p95 < 200 ms, 0 errors")


if __name__ == "__main__":
    main()
