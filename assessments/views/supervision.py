"""Pages of the district's supervision of puskesmas (issue #18, must-have 4): the year's plan
and records (a district's per puskesmas with those not visited yet, a puskesmas's visits with
their RTL, a province's per district; .xlsx), a visit's page, its plan form, THE checklist page
recording it, its cancellation, and its RTL actions with their status.

Thin: rights and rules live in assessments/services/supervision.py, reads in
assessments/selectors/supervision.py. Another area's id is a 404."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kernel.models import Puskesmas
from kernel.roles import is_system_admin
from kernel.scoping import get_in_area_or_404, in_area
from kernel.tables import Col, FilterForm, Table, table_page
from kernel.versioning import OnceForm, VersionedForm
from kernel.web import query_id, query_year, run_service, safe_next
from workshops.services.tracking import next_statuses

from ..models import Instrument, SupervisionAction, SupervisionVisit
from ..rights import can_keep_supervision, can_update_supervision_action
from ..selectors import supervision as selectors
from ..services import supervision as services

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
Status = SupervisionVisit.Status


def _visit(request, pk: int) -> SupervisionVisit:
    return get_in_area_or_404(selectors.readable_visits(user=request.user), request.user, pk=pk)


def _kept_visit(request, pk: int) -> SupervisionVisit:
    visit = _visit(request, pk)
    if not can_keep_supervision(request.user, visit.puskesmas):
        raise PermissionDenied
    return visit


def _action(request, pk: int) -> SupervisionAction:
    return get_in_area_or_404(selectors.readable_actions(user=request.user), request.user, pk=pk)


def _kept_puskesmas(user):
    """The puskesmas the user may plan visits to."""
    rows = in_area(Puskesmas.objects.select_related("district"), user).order_by("name")
    if is_system_admin(user):
        return rows
    if not user.district_id:
        return rows.none()
    return rows.filter(district_id=user.district_id)


# --- The list -----------------------------------------------------------------------------------


class ScoreCol(Col):
    def shown(self, value) -> str:
        if isinstance(value, Decimal):
            return number_format(value, decimal_pos=2)
        return super().shown(value)


def _badge(visit: SupervisionVisit) -> str:
    return {
        Status.PLANNED: "text-bg-secondary",
        Status.DONE: "text-bg-success",
        Status.CANCELLED: "text-bg-light",
    }.get(visit.status, "")


VISIT_TABLE = Table(
    filename="supervision.xlsx",
    sheet=gettext_lazy("Supervision"),
    empty=gettext_lazy("No supervision visit in your area matches."),
    columns=[
        Col(
            "Puskesmas",
            "puskesmas.name",
            wrap=True,
            link=lambda v: reverse("assessments:supervision-detail", args=[v.pk]),
        ),
        Col(gettext_lazy("Date"), lambda v: v.visited_on or v.planned_on, "date"),
        Col(gettext_lazy("Status"), "get_status_display", badge=_badge),
        ScoreCol(gettext_lazy("Score"), "score", phone=False),
        Col(gettext_lazy("Planned for"), "planned_on", "date", phone=False),
        Col(gettext_lazy("Visited on"), "visited_on", "date", phone=False),
        Col(
            gettext_lazy("Open RTL"),
            lambda v: len(getattr(v, "open_actions", [])),
            "number",
            phone=False,
        ),
        Col(
            gettext_lazy("Overdue RTL"),
            lambda v: len(getattr(v, "overdue_actions", [])),
            "number",
            phone=False,
        ),
        Col(gettext_lazy("District"), "puskesmas.district.name", phone=False, wrap=True),
        Col(gettext_lazy("Purpose"), "purpose", phone=False, wrap=True),
    ],
)


class VisitFilter(FilterForm):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All statuses")), *Status.choices],
    )
    puskesmas = forms.ModelChoiceField(
        label="Puskesmas",
        required=False,
        queryset=Puskesmas.objects.none(),
        empty_label=gettext_lazy("All puskesmas"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if user.puskesmas_id:
            del self.fields["puskesmas"]
        else:
            self.fields["puskesmas"].queryset = in_area(Puskesmas.objects.all(), user).order_by(
                "name"
            )


@login_required
def supervision_list(request):
    user = request.user
    year = query_year(request)
    filters = VisitFilter(request.GET or None, user=user)
    rows = selectors.visit_list(
        user=user,
        year=year,
        status=filters.value("status"),
        puskesmas=filters.value("puskesmas", None),
    )
    context: dict = {
        "year": year,
        "years": range(year - 2, year + 2),
        "filters": filters,
        "can_plan": _kept_puskesmas(user).exists(),
    }
    if user.puskesmas_id:
        visits = selectors.visits_for_puskesmas(user=user, puskesmas=user.puskesmas, year=year)
        can_update = can_update_supervision_action(user, user.puskesmas)
        for visit in visits:
            for action in visit.actions.all():
                action.moves = next_statuses(action) if can_update else ()  # type: ignore[arg-type]
        context["visits"] = visits
        context["puskesmas"] = user.puskesmas
    elif user.district_id:
        context["summary"] = selectors.district_supervision_summary(
            user=user, district=user.district, year=year
        )
        context["district"] = user.district
    else:
        context["districts"] = selectors.district_counts(user=user, year=year)
    return table_page(
        request,
        table=VISIT_TABLE,
        rows=rows,
        template="assessments/supervision/list.html",
        context=context,
        prepare=selectors.flagged,
    )


# --- A visit ------------------------------------------------------------------------------------


@login_required
def supervision_detail(request, pk):
    visit = _visit(request, pk)
    user = request.user
    actions = list(SupervisionAction.objects.filter(visit=visit).order_by("due_on", "pk"))
    today = timezone.localdate()
    can_update = can_update_supervision_action(user, visit.puskesmas)
    for action in actions:
        action.moves = next_statuses(action) if can_update else ()  # type: ignore[arg-type]
        action.overdue = action.is_overdue(today)  # type: ignore[attr-defined]
    context = {
        "visit": visit,
        "team": [line for line in visit.team.splitlines() if line.strip()],
        "sections": selectors.visit_scores(visit),
        "actions": actions,
        "can_keep": can_keep_supervision(user, visit.puskesmas),
        "can_update": can_update,
        "rank": _rank(visit),
    }
    return render(request, "assessments/supervision/detail.html", context)


def _rank(visit: SupervisionVisit) -> str:
    from ..models import Rank, RankBand
    from ..scoring import rank_for

    if visit.score is None or visit.instrument_id is None:
        return ""
    bands = RankBand.objects.filter(
        instrument_id=visit.instrument_id, applies_to=RankBand.Applies.OVERALL
    ).values_list("rank", "min_value")
    rank = rank_for(visit.score, list(bands))
    return str(dict(Rank.choices).get(rank, ""))


class VisitForm(OnceForm, VersionedForm, forms.ModelForm):
    class Meta:
        model = SupervisionVisit
        fields = list(services.VISIT_FIELDS)
        widgets = {"planned_on": DATE, "team": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["puskesmas"].queryset = _kept_puskesmas(user)
        self.fields["instrument"].queryset = Instrument.objects.filter(
            kind=Instrument.Kind.SUPERVISION
        )
        self.fields["instrument"].required = False
        self.fields["instrument"].empty_label = gettext_lazy("The checklist of the year")
        self.fields["purpose"].required = False


def _visit_form(request, visit: SupervisionVisit | None):
    form = VisitForm(request.POST or None, instance=visit, user=request.user)
    if visit is None and not request.POST:
        chosen = query_id(request, "puskesmas")
        if chosen:
            form.initial["puskesmas"] = chosen
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def call():
            if visit is None:
                return services.visit_plan(
                    puskesmas=data["puskesmas"],
                    planned_on=data["planned_on"],
                    team=data["team"],
                    purpose=data.get("purpose") or "",
                    instrument=data.get("instrument"),
                    by=request.user,
                    token=data.get("form_token"),
                )
            return services.visit_edit(
                visit=form.instance, by=request.user, version=data.get("version")
            )

        if run_service(request, form, call):
            messages.success(request, _("Supervision visit saved."))
            return redirect("assessments:supervision-detail", pk=form.result.pk)  # type: ignore[attr-defined]
    return render(request, "assessments/supervision/form.html", {"form": form, "visit": visit})


@login_required
def supervision_create(request):
    if not _kept_puskesmas(request.user).exists():
        raise PermissionDenied
    return _visit_form(request, None)


@login_required
def supervision_edit(request, pk):
    return _visit_form(request, _kept_visit(request, pk))


@login_required
@require_POST
def supervision_cancel(request, pk):
    visit = _kept_visit(request, pk)
    version = query_id_post(request, "version")
    reason = str(request.POST.get("reason", ""))[:2000]
    if run_service(
        request,
        None,
        lambda: services.visit_cancel(visit=visit, reason=reason, by=request.user, version=version),
    ):
        messages.success(request, _("The visit is cancelled."))
    return redirect("assessments:supervision-detail", pk=visit.pk)


def query_id_post(request, name: str) -> int | None:
    text = str(request.POST.get(name, "")).strip()[:12]
    return int(text) if text.isdigit() else None


# --- The checklist page: recording a visit ------------------------------------------------------


@login_required
def supervision_record(request, pk):
    visit = _kept_visit(request, pk)
    today = timezone.localdate()
    status = 200
    if visit.status == Status.CANCELLED:
        messages.error(request, _("A cancelled visit cannot be changed."))
        return redirect("assessments:supervision-detail", pk=visit.pk)
    if visit.instrument_id is None:
        visit.instrument = services.checklist_for((visit.visited_on or visit.planned_on).year)
    sections = selectors.visit_scores(visit)
    typed: dict[int, tuple[str, str]] = {}
    date_text = (visit.visited_on or min(visit.planned_on, today)).isoformat()
    findings = visit.findings
    version = visit.version
    if request.method == "POST":
        date_text = str(request.POST.get("visited_on", ""))[:10]
        findings = str(request.POST.get("findings", ""))[:6000]
        version = query_id_post(request, "version")
        for section in sections:
            for line in section["items"]:
                key = line["item"].pk
                typed[key] = (
                    str(request.POST.get(f"score-{key}", ""))[:12],
                    str(request.POST.get(f"note-{key}", ""))[:2000],
                )
        try:
            visited_on = forms.DateField().clean(date_text)
        except ValidationError:
            visited_on = None
        if run_service(
            request,
            None,
            lambda: services.visit_record(
                visit=visit,
                visited_on=visited_on,
                findings=findings,
                scores=typed,
                by=request.user,
                version=version,
            ),
        ):
            messages.success(request, _("The visit and its checklist are saved."))
            return redirect("assessments:supervision-detail", pk=visit.pk)
        status = 400
    for section in sections:
        for line in section["items"]:
            given = line["given"]
            value, note = typed.get(
                line["item"].pk,
                (
                    "" if given is None or given.score is None else str(given.score),
                    given.note if given else "",
                ),
            )
            line["typed_note"] = note
            line["typed"] = value
            line["choices"] = [
                {
                    "level": level,
                    "value": str(level.score),
                    "checked": value != "" and _same(value, level.score),
                }
                for level in line["levels"]
            ]
    context = {
        "visit": visit,
        "sections": sections,
        "date_text": date_text,
        "today": today,
        "findings": findings,
        "version": version,
    }
    return render(request, "assessments/supervision/record.html", context, status=status)


def _same(text: str, score: Decimal) -> bool:
    try:
        return Decimal(text) == score
    except ArithmeticError:
        return False


# --- RTL actions --------------------------------------------------------------------------------


class ActionForm(OnceForm, VersionedForm, forms.ModelForm):
    class Meta:
        model = SupervisionAction
        fields = ["visit", *services.ACTION_FIELDS]
        widgets = {
            "due_on": DATE,
            "finding": forms.Textarea(attrs={"rows": 2}),
            "action": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        visits = (
            selectors.readable_visits(user=user)
            .exclude(status=Status.CANCELLED)
            .filter(puskesmas__in=_kept_puskesmas(user))
            .order_by("-planned_on", "pk")
        )
        self.fields["visit"].queryset = visits
        self.fields["responsible"].required = False
        if self.instance.pk:
            self.fields["visit"].disabled = True


def _action_form(request, action: SupervisionAction):
    form = ActionForm(request.POST or None, instance=action, user=request.user)
    if request.method == "POST" and form.is_valid():
        if run_service(
            request,
            form,
            lambda: services.action_save(
                action=form.instance,
                by=request.user,
                version=form.cleaned_data.get("version"),
                token=form.cleaned_data.get("form_token"),
            ),
        ):
            messages.success(request, _("RTL action saved."))
            return redirect("assessments:supervision-detail", pk=form.result.visit_id)  # type: ignore[attr-defined]
    return render(
        request,
        "assessments/supervision/action_form.html",
        {"form": form, "action": action if action.pk else None, "visit": action.visit_or_none},
    )


@login_required
def supervision_action_create(request):
    action = SupervisionAction()
    action.visit_or_none = None  # type: ignore[attr-defined]
    chosen = query_id(request, "visit")
    if chosen is not None:
        visit = _kept_visit(request, chosen)
        action.visit = visit
        action.visit_or_none = visit  # type: ignore[attr-defined]
    elif not _kept_puskesmas(request.user).exists():
        raise PermissionDenied
    return _action_form(request, action)


@login_required
def supervision_action_edit(request, pk):
    action = _action(request, pk)
    if not can_keep_supervision(request.user, action.visit.puskesmas):
        raise PermissionDenied
    action.visit_or_none = action.visit  # type: ignore[attr-defined]
    return _action_form(request, action)


@login_required
@require_POST
def supervision_action_status(request, pk):
    action = _action(request, pk)
    if not can_update_supervision_action(request.user, action.visit.puskesmas):
        raise PermissionDenied
    status = str(request.POST.get("status", ""))[:20]
    note = str(request.POST.get("note", ""))[:4000]
    if run_service(
        request,
        None,
        lambda: services.action_status_change(
            action=action, status=status, note=note, by=request.user
        ),
    ):
        messages.success(request, _("Status updated."))
    fallback = reverse("assessments:supervision-detail", args=[action.visit_id])
    return redirect(safe_next(request, fallback))


urlpatterns = [
    path("supervision/", supervision_list, name="supervision-list"),
    path("supervision/new/", supervision_create, name="supervision-create"),
    path("supervision/<int:pk>/", supervision_detail, name="supervision-detail"),
    path("supervision/<int:pk>/edit/", supervision_edit, name="supervision-edit"),
    path("supervision/<int:pk>/record/", supervision_record, name="supervision-record"),
    path("supervision/<int:pk>/cancel/", supervision_cancel, name="supervision-cancel"),
    path("supervision/rtl/new/", supervision_action_create, name="supervision-action-create"),
    path("supervision/rtl/<int:pk>/edit/", supervision_action_edit, name="supervision-action-edit"),
    path(
        "supervision/rtl/<int:pk>/status/",
        supervision_action_status,
        name="supervision-action-status",
    ),
]
