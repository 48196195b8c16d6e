"""The puskesmas's side of the PKP (issue #18): start the year's PKP, its page (service part,
management part, the year's supervision visits, history), the edit forms of a service result
and of an own score, fill from data again, submit. Thin: services write, selectors read. The
list of years (pkp-list) and the district's pages (verify, PDF, Excel) are pkp_review's."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kernel.scoping import get_in_area_or_404
from kernel.versioning import VersionedForm
from kernel.web import run_service

from ..models import PkpAssessment, PkpScore, PkpServiceResult
from ..rights import can_fill_pkp, can_submit_pkp, can_verify_pkp
from ..selectors import pkp as selectors
from ..services import pkp as services

TEXT_ROWS = 3


def _version(text) -> int | None:
    try:
        number = int(str(text or "").strip()[:12])
    except ValueError:
        return None
    return number if number >= 0 else None


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


def _link(name: str, pk: int) -> str:
    """A link to a page of the district's side, when it is there."""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def _assessment(request, pk):
    return get_in_area_or_404(
        selectors.readable_pkps(user=request.user).select_related(
            "puskesmas__district", "instrument", "submitted_by", "decided_by", "updated_by"
        ),
        request.user,
        pk=pk,
    )


# --- Start --------------------------------------------------------------------------------


@login_required
def pkp_start(request):
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    puskesmas = request.user.puskesmas if request.user.puskesmas_id else None
    if puskesmas is None or not can_fill_pkp(request.user, puskesmas):
        raise PermissionDenied
    year = _version(request.POST.get("year"))
    started: list = []
    if year is None:
        messages.error(request, _("Choose a year between 2000 and 2100."))
    elif run_service(
        request,
        None,
        lambda: started.append(services.pkp_start(puskesmas=puskesmas, year=year, by=request.user)),
    ):
        return redirect("assessments:pkp-detail", pk=started[0].pk)
    return redirect("assessments:pkp-list")


# --- The page -------------------------------------------------------------------------------


@login_required
def pkp_detail(request, pk):
    assessment = _assessment(request, pk)
    user = request.user
    page = selectors.pkp_page(assessment=assessment, user=user)
    can_fill = assessment.status in assessment.EDITABLE_STATUSES and can_fill_pkp(
        user, assessment.puskesmas
    )
    context = {
        "assessment": assessment,
        "page": page,
        "can_fill": can_fill,
        "can_submit": can_fill and can_submit_pkp(user, assessment.puskesmas),
        "can_verify": can_verify_pkp(user, assessment.puskesmas),
        "verify_url": _link("assessments:pkp-verify", assessment.pk),
        "pdf_url": _link("assessments:pkp-pdf", assessment.pk),
        "xlsx_url": _link("assessments:pkp-xlsx", assessment.pk),
    }
    return render(request, "assessments/pkp/detail.html", context)


# --- A service result -------------------------------------------------------------------------


class ServiceResultForm(VersionedForm):
    target_group = forms.CharField(
        label=gettext_lazy("Target group (people)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    actual = forms.CharField(
        label=gettext_lazy("Achieved (people)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    problem = forms.CharField(
        label=gettext_lazy("Problem"),
        required=False,
        max_length=services.TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": TEXT_ROWS}),
    )
    cause = forms.CharField(
        label=gettext_lazy("Cause"),
        required=False,
        max_length=services.TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": TEXT_ROWS}),
    )
    rtl = forms.CharField(
        label=gettext_lazy("Follow-up plan (RTL)"),
        required=False,
        max_length=services.TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": TEXT_ROWS}),
    )
    follow_ups = forms.MultipleChoiceField(
        label=gettext_lazy("RTL items of this year's meetings"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, result: PkpServiceResult, choices, **kwargs):
        super().__init__(*args, **kwargs)
        follow_ups = self.fields["follow_ups"]
        assert isinstance(follow_ups, forms.ChoiceField)
        follow_ups.choices = [
            (
                str(item.pk),
                f"{item.activity} ({item.meeting.title}, {item.meeting.held_on:%d-%m-%Y})",
            )
            for item in choices
        ]
        if not choices:
            del self.fields["follow_ups"]
        self.initial.setdefault("version", result.version)
        for name in ("target_group", "actual"):
            self.initial.setdefault(name, _shown(getattr(result, name)))
        for name in ("problem", "cause", "rtl"):
            self.initial.setdefault(name, getattr(result, name))
        if "follow_ups" in self.fields:
            self.initial.setdefault(
                "follow_ups", [str(item.pk) for item in result.follow_ups.all()]
            )


def _result(request, pk) -> PkpServiceResult:
    return get_in_area_or_404(
        PkpServiceResult.objects.filter(
            assessment__in=selectors.readable_pkps(user=request.user)
        ).select_related("assessment__puskesmas__district", "item__section", "item__service"),
        request.user,
        pk=pk,
    )


def _check_fill(request, assessment) -> None:
    if not can_fill_pkp(request.user, assessment.puskesmas):
        raise PermissionDenied
    if assessment.status not in assessment.EDITABLE_STATUSES:
        raise PermissionDenied(_("This PKP can no longer be changed."))


@login_required
def pkp_service_edit(request, pk):
    result = _result(request, pk)
    assessment = result.assessment
    _check_fill(request, assessment)
    choices = list(selectors.follow_up_choices(result=result, user=request.user))
    status = 200
    if request.method == "POST":
        form = ServiceResultForm(request.POST, result=result, choices=choices)
        if form.is_valid():
            values = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            if "follow_ups" not in form.fields:
                values.pop("follow_ups", None)
            if run_service(
                request,
                form,
                lambda: services.save_service_result(
                    result=result, by=request.user, version=form.cleaned_data["version"], **values
                ),
            ):
                messages.success(request, _("Saved."))
                return redirect(
                    reverse("assessments:pkp-detail", args=[assessment.pk]) + f"#result-{result.pk}"
                )
        status = 409 if form.stale else 400
    else:
        form = ServiceResultForm(result=result, choices=choices)
    context = {"assessment": assessment, "result": result, "form": form}
    return render(request, "assessments/pkp/service_edit.html", context, status=status)


# --- An own score ----------------------------------------------------------------------------


class ScoreForm(VersionedForm):
    self_score = forms.ChoiceField(
        label=gettext_lazy("Own score"), required=False, widget=forms.RadioSelect
    )
    self_note = forms.CharField(
        label=gettext_lazy("Evidence"),
        required=False,
        max_length=services.TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": TEXT_ROWS}),
    )

    def __init__(self, *args, score: PkpScore, **kwargs):
        super().__init__(*args, **kwargs)
        levels = self.fields["self_score"]
        assert isinstance(levels, forms.ChoiceField)
        levels.choices = [
            (_shown(level.score), f"{_shown(level.score)}: {level.label}")
            for level in score.item.levels.order_by("score")
        ]
        self.initial.setdefault("version", score.version)
        self.initial.setdefault("self_score", _shown(score.self_score))
        self.initial.setdefault("self_note", score.self_note)


def _score(request, pk) -> PkpScore:
    return get_in_area_or_404(
        PkpScore.objects.filter(
            assessment__in=selectors.readable_pkps(user=request.user)
        ).select_related("assessment__puskesmas__district", "item__section"),
        request.user,
        pk=pk,
    )


@login_required
def pkp_score_edit(request, pk):
    score = _score(request, pk)
    assessment = score.assessment
    _check_fill(request, assessment)
    status = 200
    if request.method == "POST":
        form = ScoreForm(request.POST, score=score)
        if form.is_valid():
            if run_service(
                request,
                form,
                lambda: services.save_self_score(
                    score=score,
                    by=request.user,
                    version=form.cleaned_data["version"],
                    self_score=form.cleaned_data["self_score"],
                    self_note=form.cleaned_data["self_note"],
                ),
            ):
                messages.success(request, _("Saved."))
                return redirect(
                    reverse("assessments:pkp-detail", args=[assessment.pk]) + f"#score-{score.pk}"
                )
        status = 409 if form.stale else 400
    else:
        form = ScoreForm(score=score)
    context = {"assessment": assessment, "score": score, "form": form}
    return render(request, "assessments/pkp/score_edit.html", context, status=status)


# --- Steps -------------------------------------------------------------------------------------


@login_required
def pkp_refresh(request, pk):
    assessment = _assessment(request, pk)
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    if not can_fill_pkp(request.user, assessment.puskesmas):
        raise PermissionDenied
    changed: list[str] = []
    if run_service(
        request,
        None,
        lambda: changed.extend(services.pkp_refresh(assessment=assessment, by=request.user)),
    ):
        if changed:
            messages.success(
                request, _("Filled from data again: %(changes)s.") % {"changes": "; ".join(changed)}
            )
        else:
            messages.info(request, _("Filled from data again: nothing changed."))
    return redirect("assessments:pkp-detail", pk=assessment.pk)


@login_required
def pkp_submit(request, pk):
    assessment = _assessment(request, pk)
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    if not can_submit_pkp(request.user, assessment.puskesmas):
        raise PermissionDenied
    version = _version(request.POST.get("version"))
    if version is None:
        messages.error(request, str(PkpAssessment.transition_stale))
    elif run_service(
        request,
        None,
        lambda: services.pkp_submit(assessment=assessment, by=request.user, version=version),
    ):
        messages.success(request, _("PKP submitted to the district."))
    return redirect("assessments:pkp-detail", pk=assessment.pk)


urlpatterns = [
    path("pkp/start/", pkp_start, name="pkp-start"),
    path("pkp/<int:pk>/", pkp_detail, name="pkp-detail"),
    path("pkp/<int:pk>/refresh/", pkp_refresh, name="pkp-refresh"),
    path("pkp/<int:pk>/submit/", pkp_submit, name="pkp-submit"),
    path("pkp/results/<int:pk>/edit/", pkp_service_edit, name="pkp-service-edit"),
    path("pkp/scores/<int:pk>/edit/", pkp_score_edit, name="pkp-score-edit"),
]
