"""Every edit form posts the version it shows, every create form a one-time token (issue #12).

Like tests/test_cross_area.py walks every URL with an id, this walks every page whose URL name
says it edits (`-edit`) or creates (`-create`), opens it as the user who may use it, and fails
on a form with fields to fill that does not carry `version` (edits) or `form_token` (creates):
without them a stale page overwrites a colleague's work, and a double click saves twice.
"""

from html.parser import HTMLParser

import pytest
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from kernel.models import User

from .factories import UserFactory
from .test_cross_area import OBJECTS, PUSKESMAS_OWNED, _hsu_head, _walk, get_resolver

pytestmark = pytest.mark.django_db

FILLABLE = {"text", "number", "date", "email", "tel", "url", "datetime-local", "time", ""}


class _Forms(HTMLParser):
    """The POST forms of a page: for each, its input names and whether a person fills any."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.current: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self.current = {"names": set(), "fillable": False, "action": attrs.get("action")}
            self.forms.append(self.current)
        elif self.current is not None and tag in ("input", "select", "textarea"):
            self.current["names"].add(attrs.get("name") or "")
            kind = (attrs.get("type") or "").lower() if tag == "input" else ""
            if tag != "input" or kind in FILLABLE:
                self.current["fillable"] = True

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


def _names(suffix: str) -> list[str]:
    found = set()
    for name, _converters in _walk(get_resolver().url_patterns):
        if name.endswith(suffix) and not name.startswith("admin:"):
            found.add(name)
    for pattern in get_resolver().url_patterns:  # pages without an id, e.g. partner-create
        for entry in getattr(pattern, "url_patterns", []):
            namespace = getattr(pattern, "namespace", None)
            if getattr(entry, "name", None) and entry.name.endswith(suffix) and namespace:
                if namespace != "admin":
                    found.add(f"{namespace}:{entry.name}")
    return sorted(found)


# Creates that cannot repeat by their nature: the service finds what an identical earlier post
# made (tested beside each service: tests/test_hostile_requests.py, tests/planning/).
NATURAL_KEY = {
    "indicators:unlock-request-create": "one waiting request per report and requester",
    "planning:plan-create": "one RUK per puskesmas and year (get_or_create)",
}


def _approved_ruk(world) -> None:
    """The RPK schedules the activities of an approved RUK only."""
    from planning.models import Plan

    from .test_cross_area import _hsu_ruk, _hsu_ruk_activity

    _hsu_ruk_activity(world)
    Plan.objects.filter(pk=_hsu_ruk(world).pk).update(status=Plan.Status.APPROVED)


# Create and edit pages only a province reviewer uses.
PROVINCE_OWNED = {"community:indicator-set-create", "community:indicator-set-edit"}


# POST-only URLs: the page (URL name, same object) whose form posts to them, and what must be
# true for that page to show the form.
HOSTED_ON = {
    "workshops:rootcause-create": ("workshops:problem-detail", None),
    "workshops:photo-edit": ("workshops:meeting-photos", None),
    "planning:schedule-create": ("planning:rpk-detail", _approved_ruk),
    "apiaccess:service-account-token-create": ("apiaccess:service-account-detail", None),
}


def _view_name(action: str | None) -> str:
    try:
        return resolve(action or "").view_name
    except Resolver404:
        return ""


def _forms_on(client, url: str, name: str | None = None) -> tuple[int, list[dict]]:
    response = client.get(url)
    if response.status_code != 200:
        return response.status_code, []
    parser = _Forms()
    parser.feed(response.content.decode())
    forms = [f for f in parser.forms if f["fillable"]]
    if name is not None:  # a page hosting the form of another URL
        forms = [f for f in forms if _view_name(f["action"]) == name]
    return 200, forms


def _page(client, world, district_user, name: str):
    """The fillable POST forms a user meets for URL `name` (on its page or the page hosting
    its form), as whichever of the district planner and the puskesmas head may use it."""
    try:
        url = reverse(name)
    except NoReverseMatch:
        url = reverse(name, kwargs={"pk": OBJECTS[name](world).pk})
    users = [_hsu_head(world), district_user]
    if name not in PUSKESMAS_OWNED:
        users.reverse()
    if name in PROVINCE_OWNED:  # what only a province makes (issue #17)
        users.append(UserFactory(role=User.Role.PROVINCE_REVIEWER, province=world["kalsel"]))
    statuses = []
    for user in users:
        client.force_login(user)
        if name in HOSTED_ON:
            host, prepare = HOSTED_ON[name]
            if prepare:
                prepare(world)
            host_url = reverse(host, kwargs={"pk": OBJECTS[host](world).pk})
            status, forms = _forms_on(client, host_url, name)
        else:
            status, forms = _forms_on(client, url)
        statuses.append(status)
        if forms:
            return forms
    assert 200 in statuses, f"{name}: {statuses}"
    return []


# Edit pages whose URL name does not end in -edit.
OTHER_EDITS = ["workshops:proposal-outcome", "indicators:quarterly-notes"]


@pytest.mark.parametrize("name", _names("-edit") + OTHER_EDITS)
def test_every_edit_form_posts_the_version_it_shows(client, world, district_user, name):
    forms = _page(client, world, district_user, name)
    assert forms, f"{name} shows no form to fill"
    for form in forms:
        assert "version" in form["names"] or any(n.endswith("-version") for n in form["names"]), (
            f"{name}: a form without its version would silently overwrite: {form['names']}"
        )


@pytest.mark.parametrize("name", [n for n in _names("-create") if n not in NATURAL_KEY])
def test_every_create_form_carries_a_one_time_token(client, world, district_user, name):
    forms = _page(client, world, district_user, name)
    assert forms, f"{name} shows no form to fill"
    for form in forms:
        assert any(n == "form_token" or n.endswith("-form_token") for n in form["names"]), (
            f"{name}: without a one-time token a double click creates twice: {form['names']}"
        )
