"""Lighthouse on a cheap phone: the performance score of Simpul's main pages under the production
stack, with a low-end mobile profile (400 ms round trip, 400 kbps, CPU 8x slower).

1. Creates (or reuses, `--reseed` rebuilds) a scratch PostgreSQL database `simpul_bench_lighthouse`
   holding the demo (`manage.py seed_demo`), with the production settings (config.settings.base,
   DEBUG off).
2. Collects the static files into a temporary STATIC_ROOT (hashed, gzip and brotli copies, as
   WhiteNoise serves them in production) and starts gunicorn with config/gunicorn.py on a free port.
3. Logs each role in over HTTP (the login form, as a user does) and passes its session cookie to
   Lighthouse (`--extra-headers`): no puppeteer script. Each page is fetched a few times first
   (the workers warm up, as on a running server).
4. Runs `npx --yes lighthouse@12` (Debian's /usr/bin/chromium, headless) on each page and prints
   page, score, FCP, LCP, TBT, CLS and bytes transferred (median run by score with `--runs`).

Node is needed only here, to measure; npx's cache lives outside the repository (`--npm-cache`,
default ~/.cache/simpul-lighthouse-npm). How to run it and what it measured: bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
SCRATCH_DATABASE = "simpul_bench_lighthouse"
SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
LIGHTHOUSE = os.environ.get("LIGHTHOUSE_PACKAGE", "lighthouse@12")
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
DEMO_PASSWORD = "simpul-demo-2026"  # kernel/services/demo.py
WARM_UP_REQUESTS = 6  # per page, over the two workers
ATTEMPTS = 3

COUNT_USERS = "from kernel.models import User; print(User.objects.count())"
# The demo objects each page shows, found in the seeded database (printed as JSON).
FIND_OBJECTS = """
import json
from indicators.models import MonthlyReport
from kernel.models import District, Puskesmas
from planning.models import Plan
from workshops.models import Meeting
pkm = Puskesmas.objects.get(users__username="kapus.danaupanggang")
report = MonthlyReport.objects.filter(puskesmas=pkm).order_by("-year", "-month").first()
meeting = (
    Meeting.objects.filter(puskesmas=pkm, kind=Meeting.Kind.QUARTERLY_LOKMIN)
    .order_by("-held_on").first()
)
plan = Plan.objects.filter(puskesmas=pkm).order_by("-year").first()
print(json.dumps({
    "report": report.pk, "meeting": meeting.pk, "plan": plan.pk, "district": pkm.district_id,
}))
"""


@dataclass
class Page:
    name: str
    user: str | None
    path: str


def pages(ids: dict) -> list[Page]:
    head, district, province = "kapus.danaupanggang", "dinkes.hsu", "prov.kalsel"
    return [
        Page("login", None, "/login/"),
        Page("dashboard (puskesmas)", head, "/dashboard/"),
        Page("dashboard (district)", district, "/dashboard/"),
        Page("dashboard (province)", province, "/dashboard/"),
        Page("monthly entry", head, f"/reports/{ids['report']}/"),
        Page("quarterly report", district, f"/quarterly/{ids['district']}/"),
        Page("meeting hub", head, f"/meetings/{ids['meeting']}/"),
        Page("meeting pack", head, f"/meetings/{ids['meeting']}/pack/"),
        Page("RUK", head, f"/planning/plans/{ids['plan']}/"),
        Page("follow-up board", district, "/meetings/follow-up/"),
    ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(static_root: Path, port: int) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": f"{SERVER}/{SCRATCH_DATABASE}",
        "SECRET_KEY": "bench-lighthouse-" + "x" * 50,
        "DEBUG": "0",
        "SIMPUL_HTTPS": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "STATIC_ROOT": str(static_root),
        "SIMPUL_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "SIMPUL_WEB_LOG_LEVEL": "warning",
        # gunicorn's sync workers close every connection; behind nginx (README, Production) the
        # phone keeps its connection. SIMPUL_WEB_THREADS=2 (gthread) measures that.
        "SIMPUL_WEB_THREADS": os.environ.get("SIMPUL_WEB_THREADS", "1"),
        # Many logins from one address: the bench must not lock itself out.
        "AXES_FAILURE_LIMIT": "1000",
    }
    env.pop("REDIS_URL", None)  # Celery eager: no worker needed to show pages
    return env


def manage(env: dict, *args: str) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def prepare_database(env: dict, *, reseed: bool) -> None:
    admin = psycopg2.connect(f"{SERVER}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [SCRATCH_DATABASE])
        exists = cursor.fetchone() is not None
        if exists and reseed:
            cursor.execute(f'DROP DATABASE "{SCRATCH_DATABASE}" WITH (FORCE)')
            exists = False
        if not exists:
            cursor.execute(f'CREATE DATABASE "{SCRATCH_DATABASE}"')
    admin.close()
    seeded = False
    if exists:
        check = manage(env, "shell", "--no-imports", "-c", COUNT_USERS)
        seeded = int(check.split()[-1]) > 0
    if not seeded:
        started = time.perf_counter()
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "seed_demo")
        print(f"seeded {SCRATCH_DATABASE} in {time.perf_counter() - started:.0f} s", flush=True)


def wait_for(url: str, server: subprocess.Popen) -> None:
    for _ in range(240):
        if server.poll() is not None:
            sys.exit(f"gunicorn stopped:\n{server.communicate()[0]}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.25)
    sys.exit("gunicorn did not answer")


def session_cookie(base: str, username: str) -> str:
    """Log in through the form, as a browser does; the cookies Lighthouse's browser will send."""
    with requests.Session() as browser:
        page = browser.get(f"{base}/login/", timeout=30)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, "no CSRF token on the login page"
        answer = browser.post(
            f"{base}/login/",
            data={
                "username": username,
                "password": DEMO_PASSWORD,
                "csrfmiddlewaretoken": token.group(1),
            },
            headers={"Referer": f"{base}/login/"},
            allow_redirects=False,
            timeout=30,
        )
        assert answer.status_code == 302, f"{username} could not log in ({answer.status_code})"
        return "; ".join(f"{name}={value}" for name, value in browser.cookies.items())


def warm_up(url: str, cookie: str | None) -> None:
    """A few requests first, so that each gunicorn worker has loaded its templates and code:
    Lighthouse measures a page as a user of a running server gets it, not a cold start."""
    headers = {"Accept-Encoding": "gzip, deflate, br", **({"Cookie": cookie} if cookie else {})}
    for _ in range(WARM_UP_REQUESTS):
        answer = requests.get(url, headers=headers, timeout=60, allow_redirects=False)
        assert answer.status_code == 200, f"{url}: {answer.status_code}"


def lighthouse(url: str, cookie: str | None, out: Path, npm_cache: Path, *, traces: bool) -> dict:
    # The machine may be shared: the browser gets CPU first (as root), so that busy neighbours
    # count less in the observed task times Lighthouse multiplies by 8 (see benchmarkIndex).
    command = (["nice", "-n", "-10"] if os.geteuid() == 0 else []) + [
        "npx",
        "--yes",
        LIGHTHOUSE,
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        f"--chrome-path={CHROME}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-background-networking",
        "--only-categories=performance,accessibility",
        "--form-factor=mobile",
        "--throttling-method=simulate",
        "--throttling.rttMs=400",
        "--throttling.throughputKbps=400",
        "--throttling.cpuSlowdownMultiplier=8",
    ]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    if traces:
        command.append("--save-assets")  # the trace beside the report, for DevTools
    env = {**os.environ, "CHROME_PATH": CHROME, "npm_config_cache": str(npm_cache)}
    for _attempt in range(ATTEMPTS):  # a busy machine now and then loses the trace (NO_NAVSTART)
        out.unlink(missing_ok=True)
        done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=npm_cache)
        report = json.loads(out.read_text()) if out.exists() else {}
        if not done.returncode and report and not report.get("runtimeError"):
            break
    else:
        error = report.get("runtimeError") or done.stderr[-4000:]
        sys.exit(f"lighthouse failed {ATTEMPTS} times on {url}: {error}")
    audits = report["audits"]
    final = report.get("finalDisplayedUrl") or report.get("finalUrl") or url
    if "/login/" in final and "/login/" not in url:
        sys.exit(f"{url} redirected to the login page: the session cookie was not accepted")
    accessibility = report["categories"]["accessibility"]
    return {
        "score": round((report["categories"]["performance"]["score"] or 0) * 100),
        # Issue #15: accessibility 100 on these pages; the audits that fail, by id.
        "a11y": round((accessibility["score"] or 0) * 100),
        "a11y_failed": [
            ref["id"]
            for ref in accessibility["auditRefs"]
            if ref.get("weight") and audits[ref["id"]].get("score") not in (None, 1)
        ],
        "fcp": audits["first-contentful-paint"]["numericValue"],
        "lcp": audits["largest-contentful-paint"]["numericValue"],
        "tbt": audits["total-blocking-time"]["numericValue"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "bytes": audits["total-byte-weight"]["numericValue"],
        "benchmark": report["environment"]["benchmarkIndex"],
    }


def median_run(runs: list[dict]) -> dict:
    scores = sorted(runs, key=lambda run: run["score"])
    return scores[len(scores) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="Lighthouse runs per page (median)")
    parser.add_argument("--reseed", action="store_true", help="rebuild the scratch database")
    parser.add_argument("--only", help="pages whose name contains this text")
    parser.add_argument(
        "--npm-cache",
        type=Path,
        default=Path.home() / ".cache" / "simpul-lighthouse-npm",
        help="npx's cache (outside the repository)",
    )
    parser.add_argument("--json", type=Path, help="also write the table as JSON here")
    parser.add_argument(
        "--keep", type=Path, help="keep Lighthouse's reports and traces in this folder"
    )
    options = parser.parse_args()
    options.npm_cache.mkdir(parents=True, exist_ok=True)
    if options.keep:
        options.keep.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="simpul-lighthouse-") as scratch:
        port = free_port()
        env = server_env(Path(scratch) / "static", port)
        prepare_database(env, reseed=options.reseed)
        started = time.perf_counter()
        manage(env, "collectstatic", "--noinput", "-v0")
        print(f"collectstatic in {time.perf_counter() - started:.0f} s", flush=True)
        ids = json.loads(manage(env, "shell", "--no-imports", "-c", FIND_OBJECTS).splitlines()[-1])
        server = subprocess.Popen(
            [GUNICORN, "-c", "config/gunicorn.py"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        base = f"http://127.0.0.1:{port}"
        rows = []
        try:
            wait_for(f"{base}/login/", server)
            cookies: dict[str, str] = {}
            for page in pages(ids):
                if options.only and options.only.lower() not in page.name.lower():
                    continue
                cookie = None
                if page.user:
                    cookie = cookies.get(page.user) or session_cookie(base, page.user)
                    cookies[page.user] = cookie
                warm_up(base + page.path, cookie)
                runs = [
                    lighthouse(
                        base + page.path,
                        cookie,
                        (options.keep or Path(scratch)) / f"lh-{len(rows)}-{run}.json",
                        options.npm_cache,
                        traces=bool(options.keep),
                    )
                    for run in range(options.runs)
                ]
                row = {"page": page.name, "path": page.path, **median_run(runs)}
                if options.runs > 1:
                    row["scores"] = [run["score"] for run in runs]
                rows.append(row)
                print(
                    f"  {page.name}: {row['score']}"
                    + (f" (runs {row['scores']})" if options.runs > 1 else ""),
                    flush=True,
                )
        finally:
            server.terminate()
            server.communicate(timeout=30)

    print()
    print(
        f"Lighthouse {LIGHTHOUSE}, mobile, simulated 400 ms RTT, 400 kbps, CPU x8"
        f"{f', median of {options.runs} runs' if options.runs > 1 else ''}"
    )
    print(
        f"{'page':24} {'score':>5} {'FCP s':>6} {'LCP s':>6} {'TBT ms':>7} {'CLS':>6} {'KB':>6}"
        f" {'CPU index':>9} {'a11y':>4}"
    )
    for row in rows:
        print(
            f"{row['page']:24} {row['score']:5d} {row['fcp'] / 1000:6.2f} {row['lcp'] / 1000:6.2f}"
            f" {row['tbt']:7.0f} {row['cls']:6.3f} {row['bytes'] / 1024:6.1f}"
            f" {row['benchmark']:9.0f} {row['a11y']:4d}"
            + (f"  fails: {', '.join(row['a11y_failed'])}" if row["a11y_failed"] else "")
        )
    if rows:
        scores = [row["score"] for row in rows]
        print(f"lowest score {min(scores)}, median {statistics.median(scores)}")
        a11y = [row["a11y"] for row in rows]
        print(f"accessibility: lowest {min(a11y)} (floor 100: ratio {min(a11y) / 100:.2f})")
    if options.json:
        options.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
