"""The community layer's cadres pages (issue #17): the list per puskesmas (and its .xlsx), a
cadre's page, its form, THE phone page assessing a cadre's 25 skills at a posyandu session,
the Excel template and import of cadres, and who attended a training event. Thin: rights and
rules live in community/services/cadres.py, reads in community/selectors/cadres.py."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kernel.forms import UploadForm
from kernel.models import ImportJob, Puskesmas, ServicePoint
from kernel.scoping import get_in_area_or_404
from kernel.spreadsheets import XLSX_CONTENT_TYPE
from kernel.tables import Col, FilterForm, Table, table_page
from kernel.versioning import OnceForm, VersionedForm
from kernel.views.imports import start_import
from kernel.web import query_id, run_service
from workshops.models import Meeting

from ..importers_cadres import cadre_template
from ..models import Cadre, CadreLevel, SkillAssessment
from ..rights import can_keep_cadres
from ..selectors import cadres as selectors
from ..services import cadres as services

Result = SkillAssessment.Result


def _cadre(request, pk: int) -> Cadre:
    return get_in_area_or_404(selectors.readable_cadres(user=request.user), request.user, pk=pk)


def _kept_cadre(request, pk: int) -> Cadre:
    cadre = _cadre(request, pk)
    if not can_keep_cadres(request.user, cadre):
        raise PermissionDenied
    return cadre


# --- The list -----------------------------------------------------------------------------------

CADRE_TABLE = Table(
    filename="cadres.xlsx",
    sheet=gettext_lazy("Cadres"),
    empty=gettext_lazy("No cadre in your area matches."),
    columns=[
        Col(
            gettext_lazy("Name"),
            "name",
            wrap=True,
            link=lambda c: reverse("community:cadre-detail", args=[c.pk]),
        ),
        Col("Posyandu", "service_point.name", wrap=True),
        Col(gettext_lazy("Level"), "get_level_display"),
        Col(gettext_lazy("Skills competent"), "skills_competent", "number", phone=False),
        Col("Puskesmas", "puskesmas.name", phone=False, wrap=True),
        Col(gettext_lazy("Sex"), "get_sex_display", phone=False),
        Col(gettext_lazy("Birth year"), "birth_year", phone=False),
        Col(gettext_lazy("Phone"), "phone", phone=False),
        Col(gettext_lazy("Cadre since"), "since_year", phone=False),
        Col(gettext_lazy("Trained"), "is_trained", "yesno", phone=False),
        Col(gettext_lazy("Last assessed"), "last_assessed_on", "date", phone=False),
        Col(gettext_lazy("Active"), "is_active", "yesno", phone=False),
    ],
)


class CadreFilter(FilterForm):
    puskesmas = forms.ModelChoiceField(
        label="Puskesmas",
        required=False,
        queryset=Puskesmas.objects.none(),
        empty_label=gettext_lazy("All puskesmas"),
    )
    posyandu = forms.ModelChoiceField(
        label="Posyandu",
        required=False,
        queryset=ServicePoint.objects.none(),
        empty_label=gettext_lazy("All posyandu"),
    )
    level = forms.ChoiceField(
        label=gettext_lazy("Level"),
        required=False,
        choices=[
            ("", gettext_lazy("All levels")),
            *CadreLevel.choices,
            (selectors.NO_LEVEL, gettext_lazy("No level yet")),
        ],
    )
    assessed = forms.ChoiceField(
        label=gettext_lazy("Assessed"),
        required=False,
        choices=[
            ("", gettext_lazy("Assessed or not")),
            ("yes", gettext_lazy("Assessed")),
            ("no", gettext_lazy("Not assessed yet")),
        ],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if user.puskesmas_id:
            del self.fields["puskesmas"]
            puskesmas = user.puskesmas
        else:
            self.fields["puskesmas"].queryset = selectors.puskesmas_of(user=user)
            puskesmas = self.value("puskesmas", None)
        self.fields["posyandu"].queryset = selectors.posyandu_of(user=user, puskesmas=puskesmas)
        self.fields["posyandu"].label_from_instance = lambda p: p.name


@login_required
def cadre_list(request):
    user = request.user
    filters = CadreFilter(request.GET or None, user=user)
    rows = selectors.cadre_list(
        user=user,
        puskesmas=filters.value("puskesmas", None),
        posyandu=filters.value("posyandu", None),
        level=filters.value("level"),
        assessed=filters.value("assessed"),
    )
    own = user.puskesmas if user.puskesmas_id else None
    context = {
        "filters": filters,
        "puskesmas": own,
        "can_keep": can_keep_cadres(user, user.area),
        "posyandu_list": selectors.posyandu_of(user=user, puskesmas=own) if own else [],
    }
    return table_page(
        request,
        table=CADRE_TABLE,
        rows=rows,
        template="community/cadre_list.html",
        context=context,
    )


# --- The register: form and page ----------------------------------------------------------------


class CadreForm(OnceForm, VersionedForm, forms.ModelForm):
    class Meta:
        model = Cadre
        fields = list(services.CADRE_FIELDS)
        widgets = {
            "birth_year": forms.NumberInput(attrs={"inputmode": "numeric"}),
            "since_year": forms.NumberInput(attrs={"inputmode": "numeric"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        }


def _cadre_form(request, cadre: Cadre):
    form = CadreForm(request.POST or None, instance=cadre)
    if request.method == "POST" and form.is_valid():
        if run_service(
            request,
            form,
            lambda: services.cadre_save(
                cadre=form.instance,
                by=request.user,
                version=form.cleaned_data.get("version"),
                token=form.cleaned_data.get("form_token"),
            ),
        ):
            messages.success(request, _("Cadre saved."))
            return redirect("community:cadre-detail", pk=form.result.pk)  # type: ignore[attr-defined]
    context = {"form": form, "cadre": cadre if cadre.pk else None, "posyandu": cadre.service_point}
    return render(request, "community/cadre_form.html", context)


@login_required
def cadre_create(request, pk):
    posyandu = get_in_area_or_404(
        ServicePoint.objects.filter(kind=ServicePoint.Kind.POSYANDU).select_related("puskesmas"),
        request.user,
        pk=pk,
    )
    cadre = services.cadre_new(posyandu=posyandu)
    if not can_keep_cadres(request.user, cadre):
        raise PermissionDenied
    return _cadre_form(request, cadre)


@login_required
def cadre_edit(request, pk):
    cadre = _kept_cadre(request, pk)
    if request.method == "POST" and request.POST.get("deactivate"):
        version = services_version(request.POST.get("version"))
        if run_service(
            request,
            None,
            lambda: services.cadre_deactivate(cadre=cadre, by=request.user, version=version),
        ):
            messages.success(request, _("The cadre is marked as no longer active."))
        return redirect("community:cadre-detail", pk=cadre.pk)
    return _cadre_form(request, cadre)


def services_version(text) -> int | None:
    try:
        number = int(str(text or "").strip()[:12])
    except ValueError:
        return None
    return number if number >= 0 else None


@login_required
def cadre_detail(request, pk):
    cadre = _cadre(request, pk)
    skill_set = cadre.skill_set or selectors.skill_set_for(cadre)
    context = {
        "cadre": cadre,
        "groups": selectors.skill_sheet(cadre=cadre, skill_set=skill_set),
        "badges": selectors.badge_labels(cadre),
        "history": selectors.assessment_history(cadre=cadre)[:200],
        "trainings": selectors.trainings_of(cadre=cadre),
        "can_keep": can_keep_cadres(request.user, cadre),
    }
    return render(request, "community/cadre_detail.html", context)


# --- The phone page: assessing a cadre at a posyandu session ------------------------------------


def _posted_marks(post) -> dict[str, str]:
    marks = {}
    for key, value in post.items():
        if key.startswith("skill-") and value in Result.values:
            marks[key[len("skill-") :][:12]] = value
    return marks


@login_required
def cadre_assess(request, pk):
    cadre = _kept_cadre(request, pk)
    today = timezone.localdate()
    typed: dict[str, str] = {}
    date_text = today.isoformat()
    note = ""
    status = 200
    if request.method == "POST":
        typed = _posted_marks(request.POST)
        date_text = str(request.POST.get("assessed_on", ""))[:10]
        note = str(request.POST.get("note", ""))[:400]
        try:
            services.assessments_record(
                cadre=cadre, assessed_on=date_text, marks=typed, by=request.user, note=note
            )
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            status = 400
        else:
            messages.success(
                request,
                _("Saved: %(count)s skills assessed.") % {"count": len(typed)},
            )
            return redirect(reverse("community:cadre-assess", args=[cadre.pk]) + "?saved=1")
    skill_set = selectors.skill_set_for(cadre, today)
    groups = selectors.skill_sheet(cadre=cadre, skill_set=skill_set)
    for group in groups:
        for line in group.lines:
            line.typed = typed.get(str(line.skill.pk), "")
    context = {
        "cadre": cadre,
        "skill_set": skill_set,
        "groups": groups,
        "badges": selectors.badge_labels(cadre),
        "date_text": date_text,
        "today": today,
        "note": note,
        "saved": request.GET.get("saved") == "1",
        "any_typed": bool(typed),
    }
    return render(request, "community/cadre_assess.html", context, status=status)


# --- Excel: template and import -----------------------------------------------------------------


def _import_puskesmas(request) -> Puskesmas | None:
    """The puskesmas whose cadres are downloaded or imported: the user's own, or for a
    district the one chosen (?puskesmas=), kept by the user."""
    user = request.user
    if user.puskesmas_id:
        puskesmas = user.puskesmas
    else:
        pk = query_id(request, "puskesmas") or services_version(request.POST.get("puskesmas"))
        if pk is None:
            return None
        puskesmas = get_in_area_or_404(Puskesmas, user, pk=pk)
    if not can_keep_cadres(user, puskesmas):
        raise PermissionDenied
    return puskesmas


@login_required
def cadre_template_download(request):
    puskesmas = _import_puskesmas(request)
    if puskesmas is None:
        return redirect("community:cadre-import")
    content = cadre_template(puskesmas=puskesmas)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="kader-{puskesmas.code}.xlsx"'
    return response


@login_required
def cadre_import(request):
    user = request.user
    if not (user.puskesmas_id or user.district_id or can_keep_cadres(user, None)):
        raise PermissionDenied
    puskesmas = _import_puskesmas(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and puskesmas is not None and form.is_valid():
        started = start_import(
            request, form, kind=ImportJob.Kind.CADRES, params={"puskesmas": puskesmas.pk}
        )
        if started:
            return started
    context = {
        "form": form,
        "puskesmas": puskesmas,
        "choices": [] if user.puskesmas_id else selectors.puskesmas_of(user=user),
    }
    return render(request, "community/cadre_import.html", context)


# --- Training events: who attended ---------------------------------------------------------------


@login_required
def training_cadres(request, pk):
    user = request.user
    meeting = get_in_area_or_404(
        Meeting.objects.filter(format=Meeting.Format.TRAINING).select_related(
            "puskesmas", "district", "province"
        ),
        user,
        pk=pk,
    )
    if user.puskesmas_id:
        puskesmas, choices = user.puskesmas, []
    else:
        choices = selectors.puskesmas_of(user=user)
        if meeting.puskesmas_id:
            choices = choices.filter(pk=meeting.puskesmas_id)
        elif meeting.district_id:
            choices = choices.filter(district_id=meeting.district_id)
        chosen = query_id(request, "puskesmas") or services_version(request.POST.get("puskesmas"))
        puskesmas = choices.filter(pk=chosen).first() if chosen else None
        if puskesmas is None:
            puskesmas = meeting.puskesmas if meeting.puskesmas_id else choices.first()
    cadres: QuerySet[Cadre] | list = (
        selectors.training_area_cadres(meeting=meeting, user=user, puskesmas=puskesmas)
        if puskesmas is not None
        else []
    )
    can_keep = puskesmas is not None and can_keep_cadres(user, puskesmas)
    if request.method == "POST":
        if not can_keep:
            raise PermissionDenied
        if run_service(
            request,
            None,
            lambda: services.training_attendance_save(
                meeting=meeting,
                shown=request.POST.getlist("shown")[:2000],
                attended=request.POST.getlist("attended")[:2000],
                by=user,
            ),
        ):
            messages.success(request, _("Attendance saved."))
        target = reverse("community:training-cadres", args=[meeting.pk])
        return redirect(f"{target}?puskesmas={puskesmas.pk}")
    attendance = selectors.attendance_of(meeting=meeting)
    rows = [(cadre, attendance.get(cadre.pk)) for cadre in cadres]
    context = {
        "meeting": meeting,
        "rows": rows,
        "puskesmas": puskesmas,
        "choices": choices,
        "can_keep": can_keep,
        "attended_count": sum(1 for value in attendance.values() if value),
    }
    return render(request, "community/cadre_training.html", context)


urlpatterns = [
    path("cadres/", cadre_list, name="cadre-list"),
    path("cadres/template/", cadre_template_download, name="cadre-template"),
    path("cadres/import/", cadre_import, name="cadre-import"),
    path("cadres/<int:pk>/", cadre_detail, name="cadre-detail"),
    path("cadres/<int:pk>/edit/", cadre_edit, name="cadre-edit"),
    path("cadres/<int:pk>/assess/", cadre_assess, name="cadre-assess"),
    path("posyandu/<int:pk>/cadres/new/", cadre_create, name="cadre-create"),
    path("trainings/<int:pk>/cadres/", training_cadres, name="training-cadres"),
]
