#!/usr/bin/env python3
"""Simpul API example (issue #19): pull a district's approved quarter, push a puskesmas month.

Standard library only (Python 3.9+). Set the site and a token (My account > API tokens, or a
service account's token made by the district planner):

    export SIMPUL_URL=https://simpul.example.go.id
    export SIMPUL_TOKEN=smp_...

Pull the approved quarter of a district (achievement and monthly values, every page) as CSV:

    python simpul_api_example.py pull --district-id 3 --year 2026 --quarter 1 --out q1.csv

Push one puskesmas month from a CSV (village_id,service,value,comment) or a JSON file (a list
of such objects, or {"version": ..., "reason": ..., "values": [...]}); the values land in the
month's report as a draft, which the puskesmas then checks and submits on its entry page:

    python simpul_api_example.py push --puskesmas-id 7 --year 2026 --month 11 values.csv

A refused push saves nothing and lists each refused value with the reason (exit code 2).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

APPROVED = ("approved", "locked")
PAGE_SIZE = 500  # the most the API gives per page


class ApiError(Exception):
    """A refusal of the API: its HTTP status and problem+json body (title, detail, errors)."""

    def __init__(self, status: int, problem: dict[str, Any]):
        self.status, self.problem = status, problem
        super().__init__(f"{status} {problem.get('title', '')} {problem.get('detail', '')}".strip())

    @property
    def errors(self) -> list[dict[str, Any]]:
        return list(self.problem.get("errors") or [])


class Client:
    """Calls /api/v1/ with the token; waits and retries once when rate-limited (429)."""

    def __init__(self, url: str, token: str, timeout: float = 60):
        self.base = url.rstrip("/") + "/api/v1"
        self.token, self.timeout = token, timeout

    def request(self, method: str, path: str, params: dict | None = None, body: Any = None) -> Any:
        query = {k: v for k, v in (params or {}).items() if v is not None}
        url = self.base + path + (f"?{urllib.parse.urlencode(query)}" if query else "")
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        for attempt in range(2):
            request = urllib.request.Request(url, data=data, headers=headers, method=method)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return json.loads(response.read() or b"null")
            except urllib.error.HTTPError as error:
                raw = error.read()
                try:
                    problem = json.loads(raw or b"{}")
                except ValueError:
                    problem = {"title": raw[:200].decode("utf-8", "replace")}
                if error.code == 429 and attempt == 0:
                    time.sleep(int(error.headers.get("Retry-After") or 1))
                    continue
                raise ApiError(error.code, problem) from None
        raise AssertionError("unreachable")

    def get(self, path: str, **params: Any) -> Any:
        return self.request("GET", path, params)

    def pages(self, path: str, **params: Any) -> Iterator[dict[str, Any]]:
        """Every item of a paginated list, page after page."""
        page, seen = 1, 0
        while True:
            answer = self.get(path, page=page, page_size=PAGE_SIZE, **params)
            items = answer["items"]
            yield from items
            seen += len(items)
            if not items or seen >= answer["count"]:
                return
            page += 1


# --- Pull ----------------------------------------------------------------------------------------

ACHIEVEMENT_COLUMNS = [
    "level", "area_id", "puskesmas_id", "service", "target", "served_quarter", "served_ytd",
    "achievement",
]  # fmt: skip
VALUE_COLUMNS = [
    "puskesmas_id", "village_id", "village_code", "service", "period", "value", "comment",
    "status",
]  # fmt: skip


def pull_quarter(
    client: Client, *, district_id: int, year: int, quarter: int
) -> dict[str, list[dict]]:
    """The district's quarter: its achievement rows and its approved monthly values."""
    achievement = list(
        client.pages("/achievement", year=year, quarter=quarter, district_id=district_id)
    )
    values = [
        row
        for row in client.pages(
            "/monthly/values", year=year, quarter=quarter, district_id=district_id
        )
        if row["status"] in APPROVED
    ]
    return {"achievement": achievement, "values": values}


def write_csv(quarter: dict[str, list[dict]], out: io.TextIOBase) -> None:
    """One CSV: a `table` column says whether a row is achievement or a monthly value."""
    columns = ["table", *dict.fromkeys(ACHIEVEMENT_COLUMNS + VALUE_COLUMNS)]
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for table in ("achievement", "values"):
        for row in quarter[table]:
            writer.writerow({"table": table, **row})


# --- Push ----------------------------------------------------------------------------------------


def read_values(path: str) -> dict[str, Any]:
    """The body of a push from a CSV (village_id,service,value,comment) or a JSON file."""
    with open(path, encoding="utf-8-sig") as handle:
        if path.lower().endswith(".json"):
            loaded = json.load(handle)
            return loaded if isinstance(loaded, dict) else {"values": loaded}
        values = []
        for row in csv.DictReader(handle):
            value = (row.get("value") or "").strip()
            values.append(
                {
                    "village_id": int(row["village_id"]),
                    "service": row["service"].strip(),
                    "value": int(value) if value.isdigit() else (value or None),
                    "comment": row.get("comment") or "",
                }
            )
        return {"values": values}


def push_month(
    client: Client, *, puskesmas_id: int, year: int, month: int, body: dict[str, Any]
) -> dict[str, Any]:
    """Send the month's values (a draft report); ApiError lists refused values (422) or
    conflicts with someone else's change (409), and nothing is saved then."""
    payload = {"version": None, "reason": "", **body}
    return client.request(
        "PUT", f"/monthly/reports/{puskesmas_id}/{year}/{month}/values", body=payload
    )


def describe_refusal(error: ApiError) -> list[str]:
    """One line per refused value: where and why."""
    lines = [f"{error.status} {error.problem.get('title', '')}".strip()]
    for item in error.errors:
        where = ", ".join(
            f"{key}={item[key]}"
            for key in ("village_id", "service", "location", "value", "by")
            if key in item
        )
        lines.append(f"  {where}: {item.get('message', '')}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    pull = commands.add_parser("pull", help="a district's approved quarter as CSV")
    pull.add_argument("--district-id", type=int, required=True)
    pull.add_argument("--year", type=int, required=True)
    pull.add_argument("--quarter", type=int, required=True, choices=[1, 2, 3, 4])
    pull.add_argument("--out", help="a file (default: standard output)")
    push = commands.add_parser("push", help="one puskesmas month from CSV or JSON")
    push.add_argument("--puskesmas-id", type=int, required=True)
    push.add_argument("--year", type=int, required=True)
    push.add_argument("--month", type=int, required=True, choices=range(1, 13))
    push.add_argument("file")
    args = parser.parse_args(argv)

    url, token = os.environ.get("SIMPUL_URL"), os.environ.get("SIMPUL_TOKEN")
    if not url or not token:
        parser.error("set SIMPUL_URL and SIMPUL_TOKEN")
    client = Client(url, token)
    try:
        if args.command == "pull":
            quarter = pull_quarter(
                client, district_id=args.district_id, year=args.year, quarter=args.quarter
            )
            if args.out:
                with open(args.out, "w", newline="", encoding="utf-8") as out:
                    write_csv(quarter, out)
            else:
                write_csv(quarter, sys.stdout)
            print(
                f"{len(quarter['achievement'])} achievement rows, "
                f"{len(quarter['values'])} approved values",
                file=sys.stderr,
            )
        else:
            saved = push_month(
                client,
                puskesmas_id=args.puskesmas_id,
                year=args.year,
                month=args.month,
                body=read_values(args.file),
            )
            print(
                f"report {saved['report_id']}: {saved['status']}, version {saved['version']}, "
                f"{saved['changed']} values changed"
            )
            for warning in saved.get("warnings", []):
                print(f"  warning village_id={warning['village_id']} {warning['service']}: "
                      f"{warning['message']}")  # fmt: skip
    except ApiError as error:
        print("\n".join(describe_refusal(error)), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
