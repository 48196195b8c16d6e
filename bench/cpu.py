"""Server CPU per request of the pages issue #13 budgets, against a floor, DEBUG off.

Builds a district of 20 puskesmas x 15 desa with this year's data so far (12 services, every
month to the last approved or waiting, this month's drafts) in a scratch PostgreSQL database,
then requests each page with Django's test client as one user would (warm-up first) and prints
the median CPU milliseconds of the process (time.process_time: rendering and Python, not the
wait on PostgreSQL), its budget, the ratio to the budget and to the floor (a static page through
the same middleware and base.html, bench/cpu_urls.py), the query count and the HTML size. Then a
second full year of data is added and the table printed again: pages that aggregate must cost
the same. How to run it: bench/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import _world  # sets up Django as in production (must come first)
from _entry import entry_fields, entry_version
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from indicators.models import MonthlyReport

SCRATCH_DATABASE = "simpul_bench_cpu"


@dataclass
class Page:
    label: str
    budget: float | None  # ms CPU
    call: Callable[[Any], Any]  # timed: one request
    prepare: Callable[[], Any] = lambda: None  # untimed, before each request
    expect: int = 200


@dataclass
class Row:
    label: str
    ms: float
    budget: float | None
    queries: int
    size: int


def logged_in(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def csrf(client: Client) -> str:
    if "csrftoken" not in client.cookies:
        client.get(reverse("login") if "_auth_user_id" not in client.session else "/")
    return client.cookies["csrftoken"].value


def cell_save_page(world) -> Page:
    """One cell changed per request: the per-cell endpoint when it exists, else the full form."""
    head = world.head
    report = world.drafts[world.puskesmas_list[0].pk]
    client = logged_in(head)
    client.get(reverse("indicators:report-entry", args=[report.pk]))
    token = csrf(client)
    page = client.get(reverse("indicators:report-entry", args=[report.pk])).content.decode()
    fields = entry_fields(page)
    cell = next(name for name in fields if name.startswith("v-"))
    counter = iter(range(1, 10**6))
    try:
        url = reverse("indicators:report-cells", args=[report.pk])
    except NoReverseMatch:
        url = reverse("indicators:report-entry", args=[report.pk])

        def prepare_form():
            version = MonthlyReport.objects.values_list("version", flat=True).get(pk=report.pk)
            return {**fields, "version": version, cell: next(counter) % 50, "action": "save"}

        return Page(
            "cell save (full form: no cell endpoint yet)",
            15,
            lambda data: client.post(url, data, HTTP_X_CSRFTOKEN=token),
            prepare_form,
            expect=302,
        )
    state = {"base": entry_version(page)}

    def prepare_cell():
        value, seen = next(counter) % 50, fields[cell]
        fields[cell] = str(value)
        return {"base": state["base"], cell: value, f"o{cell[1:]}": seen, f"oc{cell[1:]}": ""}

    def save(data):
        response = client.post(url, data, HTTP_X_CSRFTOKEN=token)
        if response.status_code == 200:
            state["base"] = response.json().get("version", state["base"])
        return response

    return Page("cell save (one cell)", 15, save, prepare_cell)


def pages(world) -> list[Page]:
    report = world.drafts[world.puskesmas_list[0].pk]
    head, planner, reviewer = world.head, world.planner, world.reviewer
    as_head, as_planner, as_reviewer = logged_in(head), logged_in(planner), logged_in(reviewer)
    anonymous = Client(enforce_csrf_checks=True)
    login = reverse("login")

    def fresh_login_form():
        client = Client(enforce_csrf_checks=True)
        client.get(login)
        data = {
            "username": head.username,
            "password": _world.PASSWORD,
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        }
        return client, data

    dashboard = reverse("indicators:dashboard")
    reports = reverse("indicators:report-list")
    return [
        Page("floor: static page, same middleware", None, lambda _: as_head.get("/bench/floor/")),
        Page("login page (GET)", 150, lambda _: anonymous.get(login)),
        Page(
            "login (POST, Argon2id)",
            150,
            lambda form: form[0].post(login, form[1]),
            fresh_login_form,
            expect=302,
        ),
        Page("dashboard: puskesmas head", 30, lambda _: as_head.get(dashboard)),
        Page("dashboard: district planner", 30, lambda _: as_planner.get(dashboard)),
        Page("dashboard: province reviewer", 30, lambda _: as_reviewer.get(dashboard)),
        Page(
            "monthly entry page (15 desa x 12)",
            30,
            lambda _: as_head.get(reverse("indicators:report-entry", args=[report.pk])),
        ),
        cell_save_page(world),
        Page("report list: district planner", 30, lambda _: as_planner.get(reports)),
        Page("report list: puskesmas head", 30, lambda _: as_head.get(reports)),
    ]


def measure(page: Page, *, requests: int, warm_up: int = 3) -> Row:
    for _ in range(warm_up):
        response = page.call(page.prepare())
        if response.status_code != page.expect:
            sys.exit(f"{page.label}: answered {response.status_code}, expected {page.expect}")
    timings = []
    for _ in range(requests):
        argument = page.prepare()
        started = time.process_time()
        response = page.call(argument)
        timings.append((time.process_time() - started) * 1000)
        if response.status_code != page.expect:
            sys.exit(f"{page.label}: answered {response.status_code}, expected {page.expect}")
    argument = page.prepare()
    with CaptureQueriesContext(connection) as queries:
        response = page.call(argument)
    return Row(
        page.label, statistics.median(timings), page.budget, len(queries), len(response.content)
    )


def statements(page: Page) -> None:
    """Print the SQL one request of the page runs (--sql): where its queries come from."""
    argument = page.prepare()
    with CaptureQueriesContext(connection) as queries:
        page.call(argument)
    print(f"\n== SQL: {page.label}, {len(queries)} queries")
    for number, query in enumerate(queries.captured_queries, 1):
        print(f"{number:>3}. {query['sql'][:300]}")


def profile(page: Page, *, requests: int) -> None:
    profiler = cProfile.Profile()
    for _ in range(requests):
        argument = page.prepare()
        profiler.enable()
        page.call(argument)
        profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(25)
    # Simpul's own functions by cumulative time: which selector, service or block costs what.
    own = pstats.Stats(profiler, stream=out)
    own.sort_stats("cumulative").print_stats(f"{_world.ROOT}/(?!bench|\\.venv)", 40)
    print(f"\n== profile: {page.label}, {requests} requests\n{out.getvalue()}")


def table(rows: list[Row], *, before: list[Row] | None = None) -> None:
    floor = rows[0].ms
    header = (
        f"{'page':<44} {'ms CPU':>7} {'budget':>6} {'/budget':>7} {'/floor':>6} "
        f"{'queries':>7} {'KB':>5}"
    )
    if before:
        header += f" {'1 year: ms':>10} {'queries':>7}"
    print(header)
    for index, row in enumerate(rows):
        budget = f"{row.budget:.0f}" if row.budget else "-"
        ratio = f"{row.ms / row.budget:.2f}" if row.budget else "-"
        line = (
            f"{row.label:<44} {row.ms:>7.1f} {budget:>6} {ratio:>7} {row.ms / floor:>6.1f} "
            f"{row.queries:>7} {row.size / 1024:>5.0f}"
        )
        if before:
            line += f" {before[index].ms:>10.1f} {before[index].queries:>7}"
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--puskesmas", type=int, default=20)
    parser.add_argument("--villages", type=int, default=15, help="desa per puskesmas")
    parser.add_argument("--profile", metavar="TEXT", help="cProfile the pages whose label has it")
    parser.add_argument("--sql", metavar="TEXT", help="print the SQL of pages whose label has it")
    parser.add_argument("--only", metavar="TEXT", help="measure only pages whose label has it")
    parser.add_argument("--no-double", action="store_true", help="skip the second year")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()

    started = time.perf_counter()
    _world.collect_static()
    database = _world.fresh_database(SCRATCH_DATABASE)
    world = _world.build_world(puskesmas_count=args.puskesmas, villages_each=args.villages)
    today = timezone.localdate()
    print(
        f"Scratch database {database}: {args.puskesmas} puskesmas x {args.villages} desa, "
        f"{today.year} months 1-{today.month - 1} reported, month {today.month} in draft "
        f"(built in {time.perf_counter() - started:.0f} s). DEBUG off, password hasher "
        f"{_world.make_password('x').split('$')[0]}. Median CPU ms of {args.requests} requests "
        "after 3 warm-up, one client."
    )
    try:
        with override_settings(ROOT_URLCONF="cpu_urls"):
            chosen = [
                p
                for i, p in enumerate(pages(world))
                if i == 0 or not args.only or args.only in p.label
            ]
            first = [measure(p, requests=args.requests) for p in chosen]
            table(first)
            for page in chosen:
                if args.sql and args.sql in page.label:
                    statements(page)
            if args.profile:
                for page in chosen:
                    if args.profile in page.label:
                        profile(page, requests=args.requests)
            if args.no_double:
                return
            started = time.perf_counter()
            values = _world.fill_year(world, year=today.year - 1, months=12)
            _world.analyze()
            print(
                f"\nA second year ({today.year - 1}, 12 months, {values:,} values, aggregated) "
                f"added in {time.perf_counter() - started:.0f} s: twice the data."
            )
            chosen = [
                p
                for i, p in enumerate(pages(world))
                if i == 0 or not args.only or args.only in p.label
            ]
            second = [measure(p, requests=args.requests) for p in chosen]
            table(second, before=first)
    finally:
        if args.keep:
            print(f"Kept the scratch database {database}.")
        else:
            _world.drop_database(database)


if __name__ == "__main__":
    main()
