"""The deadline-day mix of issue #13 for locust; bench/load.py runs it (README: bench/README.md).

Five puskesmas users to one district user, 1-3 s of thinking after every step:
- puskesmas head or staff: log in, dashboard, the monthly entry page of this month, four cells
  typed and saved one by one (as the page's script saves a cell when the user leaves it), then
  again from the dashboard (one cycle in ten logs out and in again). Several users work on
  each puskesmas's report at once, each mostly on desa of their own, now and then on a
  colleague's: that is where per-cell conflicts come from.
- district planner: log in, the report list, the dashboard, and again.

Saves go to the per-cell endpoint (`reports/<pk>/cells/`, JSON, 409 on a conflict, after which
the user takes the colleague's value as the page offers); with SIMPUL_LOAD_SAVE=form, to the
full form (POST of the whole grid, redirected to the page again).

Every failure is named by kind, which bench/load.py counts: "conflict", "server error",
"timeout", "connection", "client error", "unexpected".

Environment: SIMPUL_LOAD_ACCOUNTS (a JSON file written by load.py), SIMPUL_LOAD_SAVE.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import sys
from pathlib import Path
from urllib.parse import urlencode

from locust import FastHttpUser, SequentialTaskSet, between, task

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _entry import csrf_token, entry_fields, entry_version, rows  # noqa: E402

_ACCOUNTS = json.loads(Path(os.environ["SIMPUL_LOAD_ACCOUNTS"]).read_text())
PASSWORD: str = _ACCOUNTS["password"]
SAVE_MODE = os.environ.get("SIMPUL_LOAD_SAVE", "cells")
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
# Consecutive users go to different puskesmas, so every report gets its share of writers.
_puskesmas_accounts = itertools.cycle(_ACCOUNTS["puskesmas"])
_district_accounts = itertools.cycle(_ACCOUNTS["district"])
_seats: dict[int, itertools.count] = {}


def judge(response, *, ok: tuple[int, ...] = (200,), conflict: tuple[int, ...] = (409,)) -> bool:
    """Mark a response (caught) as success or failure named by kind; True if it succeeded."""
    code = response.status_code
    if code in ok:
        response.success()
        return True
    error = getattr(response, "error", None)
    if code in conflict:
        response.failure(f"conflict: HTTP {code}")
    elif not code:
        kind = "timeout" if "timeout" in type(error).__name__.lower() else "connection"
        response.failure(f"{kind}: {type(error).__name__}")
    elif code >= 500:
        response.failure(f"server error: HTTP {code}")
    elif code >= 400:
        response.failure(f"client error: HTTP {code}")
    else:
        response.failure(f"unexpected: HTTP {code}")
    return False


class Session:
    """Log in with Django's form (CSRF token from the login page), as a browser does."""

    def __init__(self, user: FastHttpUser, account: dict):
        self.user, self.account = user, account

    def log_in(self) -> bool:
        client = self.user.client
        with client.get("/login/", name="login page", catch_response=True) as page:
            if not judge(page):
                return False
            token = csrf_token(page.text)
        data = {"username": self.account["username"], "password": PASSWORD}
        with client.post(
            "/login/",
            data=urlencode({**data, "csrfmiddlewaretoken": token}),
            headers=FORM,
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            return judge(response, ok=(302,))

    def log_out(self, token: str) -> None:
        with self.user.client.post(
            "/logout/",
            data=urlencode({"csrfmiddlewaretoken": token}),
            headers=FORM,
            name="logout",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            judge(response, ok=(302,))


class EntryCycle(SequentialTaskSet):
    """Dashboard, entry page, four saves; one cycle in ten ends with logging out and in."""

    user: PuskesmasUser

    @task
    def dashboard(self):
        with self.client.get("/dashboard/", name="dashboard", catch_response=True) as response:
            judge(response)

    @task
    def entry_page(self):
        self.user.open_entry()

    @task(4)
    def save(self):
        self.user.save_cells()

    @task
    def maybe_log_in_again(self):
        if random.random() < 0.1 and self.user.token:
            self.user.session.log_out(self.user.token)
            self.user.session.log_in()


class PuskesmasUser(FastHttpUser):
    weight = 5
    wait_time = between(1, 3)
    tasks = [EntryCycle]

    def on_start(self):
        self.account = next(_puskesmas_accounts)
        report = self.account["report"]
        # This user's seat among its report's writers: desa are dealt out by seat.
        self.seat = next(_seats.setdefault(report, itertools.count()))
        self.entry_url = f"/reports/{report}/"
        self.cells_url = f"/reports/{report}/cells/"
        self.base: int | None = None  # the page's version
        self.bases: dict[str, int] = {}  # per cell: the version its last save answered
        self.seen: dict[str, tuple[str, str]] = {}  # per cell: value and comment shown
        self.fields: dict[str, str] = {}
        self.token = ""
        self.session = Session(self, self.account)
        self.session.log_in()

    def open_entry(self, name: str = "entry page") -> None:
        with self.client.get(self.entry_url, name=name, catch_response=True) as page:
            if judge(page):
                self.fields = entry_fields(page.text)
                self.base = entry_version(page.text)
                self.token = csrf_token(page.text) or self.token
                self.bases = {}
                self.seen = {
                    name: (value, self.fields.get(f"c{name[1:]}", ""))
                    for name, value in self.fields.items()
                    if name.startswith("v-")
                }

    def _desa(self) -> list[str]:
        by_desa = rows(self.fields)
        desa = sorted(by_desa)
        if not desa:
            return []
        if random.random() < 0.9:  # mostly one's own desa: seat 0 takes 0, 8, 16, ...
            own = desa[self.seat % len(desa) :: 8] or desa
            return by_desa[random.choice(own)]
        return by_desa[random.choice(desa)]

    def save_cells(self) -> None:
        """Type one cell and leave it, as the page's script saves it: the value and comment,
        what the page showed of the cell (o-, oc-) and the version it had the cell at."""
        cells = self._desa()
        if not cells or self.base is None:
            self.open_entry()
            return
        name = random.choice(cells)
        key = name[1:]  # "-<village>-<service>"
        self.fields[name] = str(random.randint(0, 40))
        if SAVE_MODE == "form":
            self._save_form()
            return
        data = {
            "base": self.bases.get(name, self.base),
            name: self.fields[name],
            f"c{key}": self.fields.get(f"c{key}", ""),
            f"o{key}": self.seen.get(name, ("", ""))[0],
            f"oc{key}": self.seen.get(name, ("", ""))[1],
        }
        headers = {**FORM, "X-CSRFToken": self.token, "X-Requested-With": "fetch"}
        with self.client.post(
            self.cells_url, data=urlencode(data), headers=headers, name="cell save",
            catch_response=True,
        ) as response:  # fmt: skip
            judge(response)
            try:
                answer = response.json()
            except ValueError:
                answer = {}
        if not isinstance(answer, dict):
            return
        if response.status_code == 200 and answer.get("version"):
            self.bases[name] = int(answer["version"])
            self.seen[name] = (self.fields[name], self.fields.get(f"c{key}", ""))
        elif response.status_code == 409:
            # The user takes the colleague's value the page offers, then types on.
            theirs = (answer.get("conflicts") or {}).get(name) or {}
            value = "" if theirs.get("value") is None else str(theirs["value"])
            self.fields[name] = value
            self.seen[name] = (value, theirs.get("comment") or "")

    def _save_form(self) -> None:
        data = {**self.fields, "version": self.base, "action": "save"}
        data["csrfmiddlewaretoken"] = self.token
        with self.client.post(
            self.entry_url,
            data=urlencode(data),
            headers=FORM,
            name="save (full form, then the page again)",
            catch_response=True,
        ) as response:
            # A stale version answers 400 with the page: the form's whole-report conflict.
            if judge(response, conflict=(400, 409)):
                self.fields = entry_fields(response.text)
                self.base = entry_version(response.text)
            else:
                self.base = None  # open the page again before the next save


class DistrictUser(FastHttpUser):
    weight = 1
    wait_time = between(1, 3)

    def on_start(self):
        self.session = Session(self, next(_district_accounts))
        self.session.log_in()

    @task
    def review(self):
        with self.client.get("/reports/", name="report list", catch_response=True) as response:
            judge(response)
        self.wait()
        with self.client.get("/dashboard/", name="dashboard", catch_response=True) as response:
            judge(response)
