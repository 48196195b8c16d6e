"""Who does what across agencies (issue #16 must-have 5): the district's role matrix for a year
(page and .xlsx), adding and editing roles, linking them to commitments and RTL items, starting
a year from the last one or from a forum, and the data requests to other agencies (list, .xlsx,
forms, status).

URLs take one id, `pk` (the district's, or the role's, request's or meeting's); the year is in
the query string (`?year=`). Views scope through `get_in_area_or_404` and the selectors, check
`can_edit_cycle` before showing a form, and write only through cycle.services.roles.
"""

from __future__ import annotations

from dataclasses import replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kernel.models import District
from kernel.scoping import get_in_area_or_404
from kernel.tables import Col, Table, table_page
from kernel.web import paginate, query_year, run_service, wants_xlsx
from workshops.models import Meeting

from ..forms.roles import (
    DataRequestForm,
    DataRequestStatusForm,
    ProposalsForm,
    RoleForm,
    RoleLinksForm,
)
from ..models import DataRequest, RoleAssignment
from ..rights import can_edit_cycle
from ..selectors import roles as selectors
from ..services import roles as services

ROLE = RoleAssignment.objects.select_related("district__province", "service", "partner", "meeting")
REQUEST = DataRequest.objects.select_related("district__province", "service", "partner", "meeting")


def _district(request, pk: int) -> District:
    return get_in_area_or_404(District.objects.select_related("province"), request.user, pk=pk)


def _editor_only(request, district: District) -> None:
    if not can_edit_cycle(request.user, district):
        raise PermissionDenied(_("Only the district's planners change its roles and requests."))


def _posted_year(request) -> int:
    """The year a form posted (2000-2100), else the query string's, else this year."""
    text = request.POST.get("year", "").strip()
    if text.isdigit() and len(text) == 4 and 2000 <= int(text) <= 2100:
        return int(text)
    return query_year(request)


def _matrix_url(district_id: int, year: int) -> str:
    return f"{reverse('cycle:role-matrix', args=[district_id])}?year={year}"


def _requests_url(district_id: int, year: int) -> str:
    return f"{reverse('cycle:datarequest-list', args=[district_id])}?year={year}"


# --- Overview and matrix -------------------------------------------------------------------------

OVERVIEW_TABLE = Table(
    filename="roles.xlsx",
    sheet=gettext_lazy("Agency roles"),
    empty=gettext_lazy("No district in your area."),
    columns=[
        Col(gettext_lazy("Province"), "province.name", phone=False),
        Col(
            gettext_lazy("District"),
            "name",
            wrap=True,
            link=lambda d: _matrix_url(d.pk, d.year),
        ),
        Col(gettext_lazy("Roles"), "role_count", format="number"),
        Col(
            gettext_lazy("Overdue items"),
            lambda d: d.overdue_commitments + d.overdue_follow_ups,
            format="number",
            badge=lambda d: (
                "text-bg-danger" if d.overdue_commitments + d.overdue_follow_ups else ""
            ),
        ),
        Col(
            gettext_lazy("Data requests"),
            "request_count",
            format="number",
            phone=False,
            link=lambda d: _requests_url(d.pk, d.year),
        ),
        Col(
            gettext_lazy("Promised data overdue"),
            "late_request_count",
            format="number",
            badge=lambda d: "text-bg-danger" if d.late_request_count else "",
        ),
    ],
)


@login_required
def role_home(request):
    """A district's (or puskesmas's) own matrix; the districts side by side for the others."""
    year = query_year(request)
    own = request.user.district_id or (
        request.user.puskesmas.district_id if request.user.puskesmas_id else None
    )
    if own:
        return redirect(_matrix_url(own, year))
    rows = selectors.role_overview(user=request.user, year=year)

    def prepare(districts):
        for district in districts:
            district.year = year
            yield district

    table = replace(OVERVIEW_TABLE, filename=f"roles-{year}.xlsx")
    return table_page(
        request,
        table=table,
        rows=rows,
        template="cycle/role_home.html",
        context={"year": year},
        prepare=prepare,
    )


def _items_text(line: selectors.RoleLine) -> str:
    parts = []
    for item in line.items:
        kind = _("Commitment") if item.kind == selectors.COMMITMENT else _("RTL item")
        state = item.status_label
        if item.is_overdue:
            state = _("%(status)s, overdue") % {"status": state}
        parts.append(f"{kind}: {item.text} ({state})")
    return "\n".join(parts)


ROLE_TABLE = Table(
    filename="roles.xlsx",
    sheet=gettext_lazy("Role matrix"),
    empty=gettext_lazy("No role recorded for this year."),
    columns=[
        Col(gettext_lazy("No."), "role.service.number", format="number"),
        Col(gettext_lazy("SPM service"), "role.service.label"),
        Col(gettext_lazy("Role"), "role.get_role_display"),
        Col(gettext_lazy("Agency"), "agency"),
        Col(gettext_lazy("What it does"), "role.description"),
        Col(
            gettext_lazy("Agreed at"),
            lambda line: line.role.meeting.title if line.role.meeting else "",
        ),
        Col(gettext_lazy("Linked commitments and RTL items"), _items_text),
        Col(gettext_lazy("Done"), "done_count", format="number"),
        Col(gettext_lazy("Overdue"), "overdue_count", format="number"),
    ],
)


@login_required
def role_matrix(request, pk):
    district = _district(request, pk)
    year = query_year(request)
    matrix = selectors.role_matrix(user=request.user, district=district, year=year)
    if wants_xlsx(request):
        table = replace(
            ROLE_TABLE,
            filename=f"roles-{district.code}-{year}.xlsx",
            sheet=_("Roles %(year)s") % {"year": year},
        )
        return table.export(matrix.lines)
    context = {
        "district": district,
        "year": year,
        "matrix": matrix,
        "can_edit": can_edit_cycle(request.user, district),
        "forums": selectors.forums_of_year(user=request.user, district=district, year=year),
        "request_counts": selectors.data_request_counts(
            user=request.user, district=district, year=year
        ),
    }
    return render(request, "cycle/role_matrix.html", context)


# --- Role forms ----------------------------------------------------------------------------------


def _role_page(request, role: RoleAssignment, initial: dict | None = None):
    district, year = role.district, role.year
    _editor_only(request, district)
    form = RoleForm(
        request.POST or None, instance=role, initial=initial, district=district, year=year,
        user=request.user,
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        call = lambda: services.role_save(  # noqa: E731
            role=form.instance,
            by=request.user,
            version=form.cleaned_data.get("version"),
            token=form.cleaned_data.get("form_token"),
        )
        if run_service(request, form, call):
            messages.success(request, _("Role saved."))
            return redirect(_matrix_url(district.pk, year))
    context = {
        "district": district,
        "year": year,
        "form": form,
        "role": role if role.pk else None,
        "back_url": _matrix_url(district.pk, year),
    }
    return render(request, "cycle/role_form.html", context)


@login_required
def role_create(request, pk):
    district = _district(request, pk)
    year = query_year(request)
    initial = {}
    if request.GET.get("service", "").isdigit() and len(request.GET["service"]) < 10:
        initial["service"] = request.GET["service"]
    if request.GET.get("role") in RoleAssignment.Role.values:
        initial["role"] = request.GET["role"]
    return _role_page(request, RoleAssignment(district=district, year=year), initial)


@login_required
def role_edit(request, pk):
    return _role_page(request, get_in_area_or_404(ROLE, request.user, pk=pk))


@login_required
@require_POST
def role_delete(request, pk):
    role = get_in_area_or_404(ROLE, request.user, pk=pk)
    _editor_only(request, role.district)
    if run_service(request, None, lambda: services.role_delete(role=role, by=request.user)):
        messages.success(request, _("Role deleted."))
    return redirect(_matrix_url(role.district_id, role.year))


@login_required
def role_links(request, pk):
    role = get_in_area_or_404(ROLE, request.user, pk=pk)
    _editor_only(request, role.district)
    form = RoleLinksForm(request.POST or None, role=role, user=request.user)
    if request.method == "POST" and form.is_valid():
        call = lambda: services.role_links_set(  # noqa: E731
            role=role,
            commitment_ids=[c.pk for c in form.cleaned_data["commitments"]],
            follow_up_ids=[f.pk for f in form.cleaned_data["follow_ups"]],
            by=request.user,
            version=form.cleaned_data.get("version"),
        )
        if run_service(request, form, call):
            messages.success(request, _("Links of the role saved."))
            return redirect(_matrix_url(role.district_id, role.year))
    context = {
        "role": role,
        "district": role.district,
        "year": role.year,
        "form": form,
        "form_groups": [
            (_("Commitments"), form["commitments"], form.commitment_groups),
            (_("RTL items"), form["follow_ups"], form.follow_up_groups),
        ],
    }
    return render(request, "cycle/role_links.html", context)


@login_required
@require_POST
def role_copy(request, pk):
    district = _district(request, pk)
    _editor_only(request, district)
    year = _posted_year(request)
    result: list = []

    def call():
        result.append(services.roles_copy_year(district=district, year=year, by=request.user))

    if run_service(request, None, call):
        done = result[0]
        messages.success(
            request,
            _(
                "Roles copied from %(last)s: %(created)s new, %(skipped)s skipped (already "
                "there, or their service is not in %(year)s)."
            )
            % {"created": done.created, "skipped": done.skipped, "last": year - 1, "year": year},
        )
    return redirect(_matrix_url(district.pk, year))


@login_required
def role_proposals(request, pk):
    meeting = get_in_area_or_404(
        Meeting.objects.select_related("district__province", "puskesmas"), request.user, pk=pk
    )
    if meeting.district is None or meeting.kind == Meeting.Kind.PROVINCE_MEETING:
        raise Http404
    district = meeting.district
    _editor_only(request, district)
    year = query_year(request, default=meeting.held_on.year)
    proposals = selectors.role_proposals(user=request.user, meeting=meeting, year=year)
    form = ProposalsForm(request.POST or None, proposals=proposals, year=year)
    if request.method == "POST" and form.is_valid():
        year = form.cleaned_data["year"]
        result: list = []

        def call():
            result.append(
                services.roles_from_meeting(
                    meeting=meeting,
                    year=year,
                    accepted=form.cleaned_data["accepted"],
                    by=request.user,
                )
            )

        if run_service(request, form, call):
            messages.success(
                request,
                _(
                    "Roles from the meeting: %(created)s new, %(linked)s added to roles "
                    "already there."
                )
                % {"created": result[0].created, "linked": result[0].linked},
            )
            return redirect(_matrix_url(district.pk, year))
    context = {"meeting": meeting, "district": district, "year": year, "form": form}
    return render(request, "cycle/role_proposals.html", context)


# --- Data requests -------------------------------------------------------------------------------


STATUS_BADGES: dict[str, str] = {
    DataRequest.Status.ASKED: "text-bg-secondary",
    DataRequest.Status.PROMISED: "text-bg-primary",
    DataRequest.Status.RECEIVED: "text-bg-info",
    DataRequest.Status.USED: "text-bg-success",
}


def _status_badge(row: DataRequest) -> str:
    return STATUS_BADGES.get(row.status, "")


ASKED_AT = gettext_lazy("Asked at")
REQUEST_TABLE = Table(
    filename="data-requests.xlsx",
    sheet=gettext_lazy("Data requests"),
    empty=gettext_lazy("No data request recorded for this year: add one when you ask an agency."),
    columns=[
        Col(gettext_lazy("Data asked for"), "data", wrap=True),
        Col(gettext_lazy("Agency"), "agency_name", wrap=True),
        Col(
            gettext_lazy("SPM service"),
            lambda r: f"{r.service.number}. {r.service.label}" if r.service else "",
            phone=False,
            wrap=True,
        ),
        Col(gettext_lazy("Status"), "get_status_display", badge=_status_badge),
        Col(gettext_lazy("Asked on"), "asked_on", format="date", phone=False),
        Col(
            gettext_lazy("Promised by"),
            "promised_by",
            format="date",
            badge=lambda r: "text-bg-danger" if r.is_overdue else "",
        ),
        Col(
            gettext_lazy("Overdue"),
            "is_overdue",
            format="yesno",
            phone=False,
            badge=lambda r: "text-bg-danger" if r.is_overdue else "",
        ),
        Col(gettext_lazy("Received on"), "received_on", format="date", phone=False),
        Col(gettext_lazy("Used for"), "used_for", wrap=True, phone=False),
        Col(
            ASKED_AT,
            lambda r: r.meeting.title if r.meeting else "",
            phone=False,
            wrap=True,
        ),
    ],
)


def _status_link(row: DataRequest) -> str | None:
    if not services.next_statuses(row):
        return None
    return reverse("cycle:datarequest-status", args=[row.pk])


def _with_links(column: Col) -> Col:
    """For those who may change them: the request's text opens its edit page, its status the
    page that moves it on."""
    if column.value == "data":
        return replace(column, link=lambda r: reverse("cycle:datarequest-edit", args=[r.pk]))
    if column.value == "get_status_display":
        return replace(column, link=_status_link)
    return column


@login_required
def datarequest_list(request, pk):
    district = _district(request, pk)
    year = query_year(request)
    can_edit = can_edit_cycle(request.user, district)
    table = replace(
        REQUEST_TABLE,
        filename=f"data-requests-{district.code}-{year}.xlsx",
    )
    context = {
        "district": district,
        "year": year,
        "can_edit": can_edit,
        "counts": selectors.data_request_counts(user=request.user, district=district, year=year),
        "statuses": DataRequest.Status.choices,
    }
    rows = selectors.data_requests(user=request.user, district=district, year=year)
    if wants_xlsx(request):
        return table.export(rows)
    # The table's own cells, each with its column's name: on a phone each request is a card.
    # The screen leaves out two columns of the file: overdue (the promised date itself is
    # marked red) and the meeting it was asked at (on the request's page).
    screen = [c for c in table.columns if c.value != "is_overdue" and c.label != ASKED_AT]
    table = replace(table, columns=[_with_links(c) for c in screen] if can_edit else screen)
    page = paginate(request, rows)
    labels = table.headers()
    page["cards"] = [list(zip(labels, table.cells(row), strict=True)) for row in page["rows"]]
    return render(request, "cycle/datarequest_list.html", {**context, **page, "table": table})


def _request_page(request, data_request: DataRequest):
    district, year = data_request.district, data_request.year
    _editor_only(request, district)
    form = DataRequestForm(
        request.POST or None, instance=data_request, district=district, year=year,
        user=request.user,
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        call = lambda: services.data_request_save(  # noqa: E731
            data_request=form.instance,
            by=request.user,
            version=form.cleaned_data.get("version"),
            token=form.cleaned_data.get("form_token"),
        )
        if run_service(request, form, call):
            messages.success(request, _("Data request saved."))
            return redirect(_requests_url(district.pk, year))
    context = {
        "district": district,
        "year": year,
        "form": form,
        "data_request": data_request if data_request.pk else None,
        "back_url": _requests_url(district.pk, year),
    }
    return render(request, "cycle/datarequest_form.html", context)


@login_required
def datarequest_create(request, pk):
    district = _district(request, pk)
    return _request_page(request, DataRequest(district=district, year=query_year(request)))


@login_required
def datarequest_edit(request, pk):
    return _request_page(request, get_in_area_or_404(REQUEST, request.user, pk=pk))


@login_required
def datarequest_status(request, pk):
    data_request = get_in_area_or_404(REQUEST, request.user, pk=pk)
    _editor_only(request, data_request.district)
    form = DataRequestStatusForm(request.POST or None, data_request=data_request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        call = lambda: services.data_request_advance(  # noqa: E731
            data_request=data_request,
            status=data["status"],
            by=request.user,
            version=data.get("version"),
            promised_by=data.get("promised_by"),
            received_on=data.get("received_on"),
            used_for=data.get("used_for", ""),
        )
        if run_service(request, form, call):
            messages.success(request, _("Status of the data request saved."))
            return redirect(_requests_url(data_request.district_id, data_request.year))
    context = {
        "data_request": data_request,
        "district": data_request.district,
        "year": data_request.year,
        "form": form,
    }
    return render(request, "cycle/datarequest_status.html", context)


@login_required
@require_POST
def datarequest_delete(request, pk):
    data_request = get_in_area_or_404(REQUEST, request.user, pk=pk)
    _editor_only(request, data_request.district)
    call = lambda: services.data_request_delete(data_request=data_request, by=request.user)  # noqa: E731
    if run_service(request, None, call):
        messages.success(request, _("Data request deleted."))
    return redirect(_requests_url(data_request.district_id, data_request.year))


urlpatterns = [
    path("roles/", role_home, name="role-home"),
    path("roles/<int:pk>/", role_matrix, name="role-matrix"),
    path("roles/<int:pk>/new/", role_create, name="role-create"),
    path("roles/<int:pk>/copy/", role_copy, name="role-copy"),
    path("roles/role/<int:pk>/edit/", role_edit, name="role-edit"),
    path("roles/role/<int:pk>/delete/", role_delete, name="role-delete"),
    path("roles/role/<int:pk>/links/", role_links, name="role-links"),
    path("roles/meeting/<int:pk>/", role_proposals, name="role-proposals"),
    path("data-requests/<int:pk>/", datarequest_list, name="datarequest-list"),
    path("data-requests/<int:pk>/new/", datarequest_create, name="datarequest-create"),
    path("data-requests/request/<int:pk>/edit/", datarequest_edit, name="datarequest-edit"),
    path("data-requests/request/<int:pk>/status/", datarequest_status, name="datarequest-status"),
    path("data-requests/request/<int:pk>/delete/", datarequest_delete, name="datarequest-delete"),
]
