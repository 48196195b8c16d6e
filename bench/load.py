"""Deadline day under load: the production stack on a scratch database, the issue #13 mix.

Builds a district of 20 puskesmas x 15 desa (this year's data so far, this month's reports in
draft, a head and nine staff per puskesmas, six district planners) in a scratch PostgreSQL
database, collects the static files, starts the production stack as `make serve` does (gunicorn
with config/gunicorn.py, a Celery worker and beat on Redis, DEBUG off), then runs
bench/locustfile.py headless at each number of users (50, 100, 200 by default) for two minutes
and prints, per stage: requests/s, p50/p95/p99 per endpoint, errors by kind with conflicts
apart, and CPU load (both cores' average busy %, gunicorn's CPU per request, locust's own share).
Then the targets of issue #13 with the ratio to each. How to run it: bench/README.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import _world  # sets up Django as in production (must come first)
from django.urls import NoReverseMatch, reverse

SCRATCH_DATABASE = "simpul_bench_load"
BIN = Path(sys.executable).parent
TICKS = os.sysconf("SC_CLK_TCK")
# Issue #13: 200 active users, p95 <= 1.5 s on every endpoint, no errors, >= 50 requests/s.
TARGET_USERS, TARGET_P95_MS, TARGET_RPS = 200, 1500, 50


# --- CPU ----------------------------------------------------------------------------------------


def machine_cpu() -> tuple[float, float]:
    """(busy, total) seconds of all cores since boot, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    total = sum(fields[:8])  # user nice system idle iowait irq softirq steal
    idle = fields[3] + fields[4]
    return (total - idle) / TICKS, total / TICKS


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # fields from 3 (state) on


def tree_cpu(pid: int) -> float:
    """CPU seconds of process `pid`, its children that ended (reaped: cutime, cstime) and its
    live children: for gunicorn's master, every worker including the ones it recycled."""
    own = _stat(pid)
    if own is None:
        return 0.0
    ticks = sum(int(x) for x in own[11:15])  # utime stime cutime cstime
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            child = _stat(int(entry.name))
            if child is not None and int(child[1]) == pid:
                ticks += int(child[11]) + int(child[12])
    return ticks / TICKS


# --- The stack ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Stack:
    env: dict
    logs: Path
    url: str = ""
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def start(self, name: str, command: list[str]) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("w")
        process = subprocess.Popen(
            command,
            cwd=_world.ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group: stopped with its children, by its id
        )
        self.processes[name] = process
        return process

    def up(self) -> None:
        port = free_port()
        self.env["SIMPUL_BIND"] = f"127.0.0.1:{port}"
        self.url = f"http://127.0.0.1:{port}"
        self.start("web", [str(BIN / "gunicorn"), "-c", "config/gunicorn.py"])
        self.start(
            "worker",
            [str(BIN / "celery"), "-A", "config", "worker", "--loglevel", "warning",
             "--concurrency", "2"],
        )  # fmt: skip
        self.start(
            "beat",
            [str(BIN / "celery"), "-A", "config", "beat", "--loglevel", "warning",
             "--schedule", str(self.logs / "celerybeat-schedule")],
        )  # fmt: skip
        for _ in range(240):
            try:
                with urllib.request.urlopen(f"{self.url}/login/", timeout=2) as page:
                    if page.status == 200:
                        return
            except OSError:
                time.sleep(0.25)
            for name, process in self.processes.items():
                if process.poll() is not None:
                    sys.exit(f"{name} stopped: see {self.logs / name}.log")
        sys.exit(f"gunicorn did not answer: see {self.logs / 'web.log'}")

    @property
    def web_pid(self) -> int:
        return self.processes["web"].pid

    def down(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


# --- A stage ------------------------------------------------------------------------------------


def _message(error: str) -> str:
    """The message the locustfile gave, without locust's CatchResponseError('...') around it."""
    found = re.fullmatch(r"""CatchResponseError\(['"](.*)['"]\)""", error.strip(), re.S)
    return found.group(1) if found else error


@dataclass
class Stage:
    users: int
    seconds: float  # measured window (after every user has started)
    endpoints: list[dict]
    total: dict
    failures: list[dict]
    busy_percent: float
    web_cpu: float  # gunicorn's CPU seconds in the window
    locust_cpu: float

    @property
    def rps(self) -> float:
        return float(self.total["Requests/s"])

    def errors(self) -> dict[str, int]:
        kinds: dict[str, int] = {}
        for row in self.failures:
            kind = _message(row["Error"]).split(":")[0].strip()
            # Locust's own wording for status 0 when the handler did not name it.
            if kind not in ("conflict", "server error", "timeout", "connection", "client error"):
                kind = "unexpected"
            kinds[kind] = kinds.get(kind, 0) + int(row["Occurrences"])
        return kinds

    def real_errors(self) -> int:
        return sum(n for kind, n in self.errors().items() if kind != "conflict")


def run_stage(stack: Stack, *, users: int, duration: int, logs: Path) -> Stage:
    rate = max(5, users // 10)  # every user started within about ten seconds
    prefix = logs / f"stage-{users}"
    command = [
        str(BIN / "locust"), "-f", str(Path(__file__).with_name("locustfile.py")),
        "--headless", "-u", str(users), "-r", str(rate), "-t", f"{duration}s",
        "--host", stack.url, "--csv", str(prefix), "--reset-stats", "--only-summary",
        "--stop-timeout", "3", "--loglevel", "WARNING",
    ]  # fmt: skip
    with (logs / f"locust-{users}.log").open("w") as log:
        process = subprocess.Popen(command, cwd=_world.ROOT, env=stack.env, stdout=log, stderr=log)
        # Statistics are reset once every user has started (--reset-stats): measure from there.
        deadline = time.monotonic() + users / rate + 1
        while time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)
        started, (busy0, total0), web0 = time.monotonic(), machine_cpu(), tree_cpu(stack.web_pid)
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.monotonic() - started
        (busy1, total1), web1 = machine_cpu(), tree_cpu(stack.web_pid)
    with open(f"{prefix}_stats.csv", newline="") as stats:
        rows = list(csv.DictReader(stats))
    with open(f"{prefix}_failures.csv", newline="") as failures:
        failed = list(csv.DictReader(failures))
    return Stage(
        users=users,
        seconds=seconds,
        endpoints=[r for r in rows if r["Name"] != "Aggregated"],
        total=next(r for r in rows if r["Name"] == "Aggregated"),
        failures=failed,
        busy_percent=100 * (busy1 - busy0) / max(total1 - total0, 1e-9),
        web_cpu=web1 - web0,
        locust_cpu=usage.ru_utime + usage.ru_stime,
    )


def print_stage(stage: Stage, *, cores: int) -> None:
    requests = int(stage.total["Request Count"])
    print(
        f"\n== {stage.users} users: {stage.rps:.1f} requests/s, {requests:,} requests in the "
        f"{stage.seconds:.0f} s after all started " + "=" * 30
    )
    print(
        f"{'endpoint':<40} {'requests':>8} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'p99 ms':>7} {'max ms':>7} {'failed':>6}"
    )
    for row in [*stage.endpoints, stage.total]:
        print(
            f"{row['Name']:<40} {int(row['Request Count']):>8,} "
            f"{float(row['Requests/s']):>6.1f} {row['50%']:>7} {row['95%']:>7} {row['99%']:>7} "
            f"{float(row['Max Response Time']):>7.0f} {int(row['Failure Count']):>6}"
        )
    kinds = stage.errors()
    conflicts = kinds.pop("conflict", 0)
    saves = sum(int(r["Request Count"]) for r in stage.endpoints if "save" in r["Name"])
    share = f" ({100 * conflicts / saves:.1f} % of {saves:,} saves)" if saves else ""
    print(f"Conflicts (refused saves, not errors): {conflicts:,}{share}")
    real = ", ".join(f"{kind} {n:,}" for kind, n in sorted(kinds.items())) or "none"
    print(f"Errors by kind: {real}")
    for row in stage.failures:
        if not _message(row["Error"]).startswith("conflict"):
            message = _message(row["Error"])
            print(f"  {row['Method']} {row['Name']}: {message} x {row['Occurrences']}")
    per_request = 1000 * stage.web_cpu / requests if requests else 0.0
    print(
        f"CPU: {stage.busy_percent:.0f} % busy on average over {cores} cores (whole machine); "
        f"gunicorn {stage.web_cpu / stage.seconds:.2f} cores, {per_request:.1f} ms CPU per "
        f"request; locust {stage.locust_cpu / stage.seconds:.2f} cores over its run"
    )


def print_targets(stage: Stage) -> None:
    worst = max(stage.endpoints, key=lambda r: float(r["95%"]))
    p95 = float(worst["95%"])
    errors = stage.real_errors()
    print(f"\n== Targets (issue #13), at {stage.users} users " + "=" * 60)
    print(f"{'target':<44} {'measured':>14} {'ratio':>7}")
    print(
        f"{'active users >= ' + str(TARGET_USERS):<44} {stage.users:>14} "
        f"{stage.users / TARGET_USERS:>7.2f}"
    )
    print(
        f"{'p95 <= 1,500 ms on every endpoint (worst)':<44} {p95:>11.0f} ms "
        f"{p95 / TARGET_P95_MS:>7.2f}  ({worst['Name']})"
    )
    print(f"{'errors = 0 (conflicts apart)':<44} {errors:>14,} {'-' if errors else 'met':>7}")
    print(f"{'requests/s >= 50':<44} {stage.rps:>14.1f} {stage.rps / TARGET_RPS:>7.2f}")
    print("(ratio: measured / target; p95 wants <= 1, users and requests/s want >= 1)")


# --- Main ---------------------------------------------------------------------------------------


def accounts_file(world, directory: Path) -> Path:
    """The logins locust uses: puskesmas accounts dealt round-robin over puskesmas."""
    by_puskesmas = [
        [world.heads[i], *world.staff[p.pk]] for i, p in enumerate(world.puskesmas_list)
    ]
    puskesmas = [
        {"username": accounts[n].username, "report": world.drafts[accounts[0].puskesmas_id].pk}
        for n in range(len(by_puskesmas[0]))
        for accounts in by_puskesmas
    ]
    path = directory / "accounts.json"
    path.write_text(
        json.dumps(
            {
                "password": _world.PASSWORD,
                "puskesmas": puskesmas,
                "district": [{"username": u.username} for u in world.planners],
            }
        )
    )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", default="50,100,200", help="users per stage (50,100,200)")
    parser.add_argument("--duration", type=int, default=120, help="seconds per stage (120)")
    parser.add_argument("--quick", action="store_true", help="one stage of 20 users, 30 s")
    parser.add_argument(
        "--save", choices=["auto", "cells", "form"], default="auto",
        help="cell saves, full-form saves, or cells when the endpoint exists (auto)",
    )  # fmt: skip
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/12")
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    stages = [20] if args.quick else [int(n) for n in args.users.split(",")]
    duration = 30 if args.quick else args.duration

    save = args.save
    if save == "auto":
        try:
            reverse("indicators:report-cells", args=[1])
            save = "cells"
        except NoReverseMatch:
            save = "form"
    started = time.perf_counter()
    database = _world.fresh_database(SCRATCH_DATABASE)
    world = _world.build_world(staff_each=9, planners=6)
    collected = _world.collect_static()
    logs = Path(tempfile.mkdtemp(prefix="simpul-load-"))
    env = {
        **os.environ,
        "DATABASE_URL": _world.database_url(database),
        "REDIS_URL": args.redis_url,
        "SIMPUL_LOAD_ACCOUNTS": str(accounts_file(world, logs)),
        "SIMPUL_LOAD_SAVE": save,
        "PYTHONUNBUFFERED": "1",
    }
    cores = os.cpu_count() or 1
    print(
        f"Scratch database {database}: 20 puskesmas x 15 desa, a head and 9 staff each, "
        f"6 district planners, this month's 20 reports in draft; static files collected in "
        f"{collected:.0f} s; set up in {time.perf_counter() - started:.0f} s.\n"
        f"Stack: gunicorn (config/gunicorn.py), Celery worker and beat on {args.redis_url}; "
        f"DEBUG off; {cores} cores; saves: "
        f"{'per cell (reports/<pk>/cells/)' if save == 'cells' else 'full form'}; "
        f"logs in {logs}. Locust runs on this machine too."
    )
    stack = Stack(env=env, logs=logs)
    results = []
    try:
        stack.up()
        for users in stages:
            stage = run_stage(stack, users=users, duration=duration, logs=logs)
            print_stage(stage, cores=cores)
            results.append(stage)
    finally:
        stack.down()
        if args.keep:
            print(f"Kept the scratch database {database}.")
        else:
            _world.drop_database(database)
    if results:
        print_targets(results[-1])


if __name__ == "__main__":
    main()
