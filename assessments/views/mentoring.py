"""Pages of the planning-capacity mentoring (issue #18, must-have 3): the mentor's districts, a
district's mentoring page, capacity assessments (baseline and reviews, scored by level), the
plan's activities, visits, RTL items, mentor assignments (province and system administrators)
and the progress of mentored districts (.xlsx too).

Thin: rights and rules live in assessments/services/mentoring.py, reads in
assessments/selectors/mentoring.py. Whoever reads a district opens its forms (read-only when
they may not keep them); a post by someone who may not is refused (403)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kernel.models import District, MentorAssignment, User
from kernel.roles import is_district_planner, is_mentor, is_province_reviewer, is_system_admin
from kernel.scoping import get_in_area_or_404
from kernel.versioning import OnceForm, VersionedForm
from kernel.web import export, query_id, run_service, wants_xlsx
from workshops.services.tracking import next_statuses

from ..models import (
    CapacityAssessment,
    Instrument,
    MentoringActivity,
    MentoringItem,
    MentoringVisit,
    Section,
)
from ..rights import can_assign_mentors, can_keep_mentoring, can_update_mentoring_item
from ..selectors import mentoring as selectors
from ..services import mentoring as services

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _district(request, pk: int | None) -> District:
    return get_in_area_or_404(District.objects.select_related("province"), request.user, pk=pk)


def _chosen_district(request) -> District | None:
    """The district of a create page: ?district=, else the user's only district."""
    pk = query_id(request, "district")
    if pk is not None:
        return _district(request, pk)
    user = request.user
    if user.district_id:
        return _district(request, user.district_id)
    districts = list(selectors.districts_of(user=user)[:2])
    return districts[0] if len(districts) == 1 else None


def _supervision_summary(user: User, district: District, year: int):
    try:
        from ..selectors.supervision import district_supervision_summary  # another part's
    except ImportError:
        return None
    return district_supervision_summary(user=user, district=district, year=year)


def _topics():
    return Section.objects.filter(instrument__kind=Instrument.Kind.CAPACITY).select_related(
        "instrument"
    )


def _form_page(request, *, form, title, district, can_save, cancel_url, status=200):
    context = {
        "form": form,
        "title": title,
        "district": district,
        "can_save": can_save,
        "cancel_url": cancel_url,
    }
    return render(request, "assessments/mentoring/form.html", context, status=status)


def _district_url(district: District) -> str:
    from django.urls import reverse

    return reverse("assessments:mentoring-district", args=[district.pk])


# --- Home, district page, progress --------------------------------------------------------------


@login_required
def mentoring_home(request):
    user = request.user
    if is_mentor(user):
        cards = selectors.mentor_districts(user=user)
        return render(request, "assessments/mentoring/home.html", {"cards": cards})
    if is_district_planner(user) and user.district_id:
        return redirect("assessments:mentoring-district", pk=user.district_id)
    if is_province_reviewer(user) or is_system_admin(user):
        return redirect("assessments:mentoring-progress")
    return render(request, "assessments/mentoring/home.html", {"cards": [], "no_role": True})


@login_required
def mentoring_district(request, pk):
    user = request.user
    district = _district(request, pk)
    data = selectors.district_mentoring(user=user, district=district)
    can_keep = can_keep_mentoring(user, district)
    can_update = can_update_mentoring_item(user, district)
    for item in data["items"]:
        item.moves = next_statuses(item) if can_update else ()  # type: ignore[arg-type]
    for activity in data["activities"]:
        activity.moves = next_statuses(activity) if can_keep else ()  # type: ignore[arg-type]
    from django.utils import timezone

    context = {
        "district": district,
        "can_keep": can_keep,
        "can_update": can_update,
        "can_assign": can_assign_mentors(user, district),
        "supervision": _supervision_summary(user, district, timezone.localdate().year),
        **data,
    }
    return render(request, "assessments/mentoring/district.html", context)


PROGRESS_HEADERS = [
    gettext_lazy("Province"),
    gettext_lazy("District"),
    gettext_lazy("Mentors"),
    gettext_lazy("Baseline"),
    gettext_lazy("Latest"),
    gettext_lazy("Difference"),
    gettext_lazy("Activities done"),
    gettext_lazy("Activities planned"),
    gettext_lazy("RTL items open"),
    gettext_lazy("RTL items overdue"),
]


@login_required
def mentoring_progress(request):
    user = request.user
    rows = selectors.mentoring_progress(user=user)
    if wants_xlsx(request):
        return export(
            filename="mentoring-progress.xlsx",
            sheet=str(_("Mentoring")),
            headers=[str(h) for h in PROGRESS_HEADERS],
            rows=rows,
            row=lambda r: [
                r.district.province.name,
                r.district.name,
                ", ".join(r.mentors),
                r.baseline.score if r.baseline else None,
                r.latest.score if r.latest else None,
                r.change,
                r.activities_done,
                r.activities_planned,
                r.items_open,
                r.items_overdue,
            ],
        )
    context = {"rows": rows, "can_assign": is_province_reviewer(user) or is_system_admin(user)}
    return render(request, "assessments/mentoring/progress.html", context)


# --- Capacity assessments -----------------------------------------------------------------------


class CapacityCreateForm(OnceForm):
    stage = forms.ChoiceField(label=gettext_lazy("Stage"), choices=CapacityAssessment.Stage.choices)
    held_on = forms.DateField(label=gettext_lazy("Held on"), widget=DATE)
    meeting = forms.ModelChoiceField(
        label=gettext_lazy("FGD meeting"),
        required=False,
        queryset=CapacityAssessment.objects.none(),
    )
    summary = forms.CharField(
        label=gettext_lazy("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings


@login_required
def capacity_create(request):
    user = request.user
    district = _chosen_district(request)
    if district is None:
        return render(
            request,
            "assessments/mentoring/choose_district.html",
            {
                "districts": selectors.districts_of(user=user),
                "target": "assessments:capacity-create",
            },
        )
    can_save = can_keep_mentoring(user, district)
    if request.method == "POST" and not can_save:
        raise PermissionDenied
    form = CapacityCreateForm(
        request.POST or None, meetings=selectors.fgd_meetings(user=user, district=district)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if run_service(
            request,
            form,
            lambda: services.capacity_create(
                district=district,
                stage=data["stage"],
                held_on=data["held_on"],
                meeting=data["meeting"],
                summary=data["summary"],
                by=user,
                token=data.get("form_token"),
            ),
        ):
            messages.success(request, _("Assessment created: score each topic."))
            return redirect("assessments:capacity-edit", pk=form.result.pk)  # type: ignore[attr-defined]
    return _form_page(
        request,
        form=form,
        title=_("New planning-capacity assessment"),
        district=district,
        can_save=can_save,
        cancel_url=_district_url(district),
    )


def _assessment(request, pk) -> CapacityAssessment:
    return get_in_area_or_404(selectors.assessments_of(user=request.user), request.user, pk=pk)


@login_required
def capacity_detail(request, pk):
    assessment = _assessment(request, pk)
    context = {
        "assessment": assessment,
        "district": assessment.district,
        "sheet": selectors.capacity_sheet(assessment=assessment),
        "can_keep": can_keep_mentoring(request.user, assessment.district),
    }
    return render(request, "assessments/mentoring/capacity_detail.html", context)


class CapacityEditForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = CapacityAssessment
        fields = ["stage", "held_on", "meeting", "summary"]
        widgets = {"held_on": DATE, "summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings


def _posted_scores(post, sheet) -> dict[int, tuple[object, str]]:
    scores: dict[int, tuple[object, str]] = {}
    for section in sheet:
        for line in section.lines:
            pk = line.score.pk
            scores[pk] = (
                str(post.get(f"score-{pk}", ""))[:12],
                str(post.get(f"note-{pk}", ""))[:6000],
            )
    return scores


@login_required
def capacity_edit(request, pk):
    user = request.user
    assessment = _assessment(request, pk)
    can_save = can_keep_mentoring(user, assessment.district)
    if request.method == "POST" and not can_save:
        raise PermissionDenied
    sheet = selectors.capacity_sheet(assessment=assessment)
    form = CapacityEditForm(
        request.POST or None,
        instance=assessment,
        meetings=selectors.fgd_meetings(user=user, district=assessment.district),
    )
    if request.method == "POST":
        posted = _posted_scores(request.POST, sheet)
        for section in sheet:
            for line in section.lines:
                raw, note = posted[line.score.pk]
                line.typed, line.typed_note = raw, note
        if form.is_valid() and run_service(
            request,
            form,
            lambda: services.capacity_scores_save(
                assessment=form.instance,
                by=user,
                version=form.cleaned_data.get("version"),
                scores=posted,
            ),
        ):
            messages.success(request, _("Assessment saved."))
            return redirect("assessments:capacity-detail", pk=assessment.pk)
    else:
        for section in sheet:
            for line in section.lines:
                line.typed = "" if line.score.score is None else str(line.score.score)
                line.typed_note = line.score.note
    for section in sheet:
        for line in section.lines:
            for level in line.levels:
                level.value = str(level.score)
                level.checked = line.typed != "" and _same(line.typed, level.score)
    context = {
        "assessment": assessment,
        "district": assessment.district,
        "form": form,
        "sheet": sheet,
        "can_save": can_save,
    }
    return render(request, "assessments/mentoring/capacity_edit.html", context)


def _same(typed: str, score) -> bool:
    from decimal import Decimal, InvalidOperation

    try:
        return Decimal(typed) == score
    except InvalidOperation:
        return False


# --- Plan activities ----------------------------------------------------------------------------


class ActivityForm(OnceForm, VersionedForm, forms.ModelForm):
    class Meta:
        model = MentoringActivity
        fields = list(services.ACTIVITY_FIELDS)
        widgets = {
            "starts_on": DATE,
            "due_on": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = _topics()


def _record_form(request, *, obj, form_class, save, title, noun_saved, setup=None):
    user = request.user
    district = obj.district
    can_save = can_keep_mentoring(user, district)
    if request.method == "POST" and not can_save:
        raise PermissionDenied
    form = form_class(request.POST or None, instance=obj)
    if setup:
        setup(form, district)
    if request.method == "POST" and form.is_valid():
        if run_service(
            request,
            form,
            lambda: save(
                form.instance,
                user,
                form.cleaned_data.get("version"),
                form.cleaned_data.get("form_token"),
            ),
        ):
            messages.success(request, noun_saved)
            return redirect("assessments:mentoring-district", pk=district.pk)
    return _form_page(
        request,
        form=form,
        title=title,
        district=district,
        can_save=can_save,
        cancel_url=_district_url(district),
    )


def _create_district(request):
    district = _chosen_district(request)
    if district is None:
        raise Http404
    return district


def _save_activity(obj, user, version, token):
    return services.activity_save(activity=obj, by=user, version=version, token=token)


@login_required
def activity_create(request):
    district = _create_district(request)
    return _record_form(
        request,
        obj=MentoringActivity(district=district),
        form_class=ActivityForm,
        save=_save_activity,
        title=_("New plan activity"),
        noun_saved=_("Activity saved."),
    )


@login_required
def activity_edit(request, pk):
    activity = get_in_area_or_404(selectors.activities_of(user=request.user), request.user, pk=pk)
    return _record_form(
        request,
        obj=activity,
        form_class=ActivityForm,
        save=_save_activity,
        title=_("Edit plan activity"),
        noun_saved=_("Activity saved."),
    )


@login_required
@require_POST
def activity_status(request, pk):
    user = request.user
    activity = get_in_area_or_404(selectors.activities_of(user=user), user, pk=pk)
    if not can_keep_mentoring(user, activity.district):
        raise PermissionDenied
    if run_service(
        request,
        None,
        lambda: services.activity_status_change(
            activity=activity,
            status=str(request.POST.get("status", ""))[:20],
            note=str(request.POST.get("note", ""))[:6000],
            by=user,
        ),
    ):
        messages.success(request, _("Status saved."))
    return redirect("assessments:mentoring-district", pk=activity.district_id)


# --- Visits -------------------------------------------------------------------------------------


class VisitForm(OnceForm, VersionedForm, forms.ModelForm):
    class Meta:
        model = MentoringVisit
        fields = list(services.VISIT_FIELDS)
        widgets = {
            "visited_on": DATE,
            "notes": forms.Textarea(attrs={"rows": 4}),
            "next_steps": forms.Textarea(attrs={"rows": 3}),
        }


def _setup_visit(form, district):
    form.fields["puskesmas"].queryset = selectors.puskesmas_of(district=district)
    form.fields["puskesmas"].empty_label = _("Dinkes (the district health office)")
    form.fields["activity"].queryset = MentoringActivity.objects.filter(district=district)


def _save_visit(obj, user, version, token):
    return services.visit_save(visit=obj, by=user, version=version, token=token)


@login_required
def visit_create(request):
    district = _create_district(request)
    return _record_form(
        request,
        obj=MentoringVisit(district=district),
        form_class=VisitForm,
        save=_save_visit,
        title=_("New mentoring visit"),
        noun_saved=_("Visit saved."),
        setup=_setup_visit,
    )


@login_required
def visit_edit(request, pk):
    visit = get_in_area_or_404(selectors.visits_of(user=request.user), request.user, pk=pk)
    return _record_form(
        request,
        obj=visit,
        form_class=VisitForm,
        save=_save_visit,
        title=_("Edit mentoring visit"),
        noun_saved=_("Visit saved."),
        setup=_setup_visit,
    )


# --- RTL items ----------------------------------------------------------------------------------


class ItemForm(OnceForm, VersionedForm, forms.ModelForm):
    class Meta:
        model = MentoringItem
        fields = list(services.ITEM_FIELDS)
        widgets = {
            "due_on": DATE,
            "problem": forms.Textarea(attrs={"rows": 2}),
            "cause": forms.Textarea(attrs={"rows": 2}),
            "action": forms.Textarea(attrs={"rows": 2}),
        }


def _setup_item(form, district):
    form.fields["section"].queryset = _topics()
    form.fields["assessment"].queryset = CapacityAssessment.objects.filter(district=district)
    form.fields["visit"].queryset = MentoringVisit.objects.filter(district=district)


def _save_item(obj, user, version, token):
    return services.item_save(item=obj, by=user, version=version, token=token)


@login_required
def item_create(request):
    district = _create_district(request)
    return _record_form(
        request,
        obj=MentoringItem(district=district),
        form_class=ItemForm,
        save=_save_item,
        title=_("New RTL item"),
        noun_saved=_("RTL item saved."),
        setup=_setup_item,
    )


@login_required
def item_edit(request, pk):
    item = get_in_area_or_404(selectors.items_of(user=request.user), request.user, pk=pk)
    return _record_form(
        request,
        obj=item,
        form_class=ItemForm,
        save=_save_item,
        title=_("Edit RTL item"),
        noun_saved=_("RTL item saved."),
        setup=_setup_item,
    )


@login_required
@require_POST
def item_status(request, pk):
    user = request.user
    item = get_in_area_or_404(selectors.items_of(user=user), user, pk=pk)
    if not can_update_mentoring_item(user, item.district):
        raise PermissionDenied
    if run_service(
        request,
        None,
        lambda: services.item_status_change(
            item=item,
            status=str(request.POST.get("status", ""))[:20],
            note=str(request.POST.get("note", ""))[:6000],
            by=user,
        ),
    ):
        messages.success(request, _("Status saved."))
    return redirect("assessments:mentoring-district", pk=item.district_id)


# --- Mentor assignments -------------------------------------------------------------------------


@login_required
def assignment_list(request):
    user = request.user
    rows = selectors.assignments_of(user=user).order_by("district__name", "-starts_on")
    context = {
        "rows": rows[:500],
        "can_assign": is_province_reviewer(user) or is_system_admin(user),
    }
    return render(request, "assessments/mentoring/assignment_list.html", context)


class AssignmentForm(OnceForm, VersionedForm, forms.ModelForm):
    class Meta:
        model = MentorAssignment
        fields = list(services.ASSIGNMENT_FIELDS)
        widgets = {"starts_on": DATE, "ends_on": DATE}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(
            role=User.Role.MENTOR, is_active=True
        ).order_by("first_name", "username")
        self.fields["user"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["district"].queryset = selectors.districts_of(user=user)


def _assignment_form(request, assignment: MentorAssignment, title):
    user = request.user
    can_save = can_assign_mentors(user, assignment.district if assignment.district_id else None)
    if not assignment.district_id:
        can_save = is_province_reviewer(user) or is_system_admin(user)
    if request.method == "POST" and not can_save:
        raise PermissionDenied
    if request.method == "POST" and request.POST.get("end") and assignment.pk:
        version = query_version(request.POST.get("version"))
        if run_service(
            request,
            None,
            lambda: services.mentor_assignment_end(assignment=assignment, by=user, version=version),
        ):
            messages.success(request, _("The assignment ends today."))
        return redirect("assessments:mentor-assignment-list")
    form = AssignmentForm(request.POST or None, instance=assignment, user=user)
    if request.method == "POST" and form.is_valid():
        if run_service(
            request,
            form,
            lambda: services.mentor_assignment_save(
                assignment=form.instance,
                by=user,
                version=form.cleaned_data.get("version"),
                token=form.cleaned_data.get("form_token"),
            ),
        ):
            messages.success(request, _("Assignment saved."))
            return redirect("assessments:mentor-assignment-list")
    from django.urls import reverse

    context = {
        "form": form,
        "title": title,
        "district": assignment.district if assignment.district_id else None,
        "can_save": can_save,
        "cancel_url": reverse("assessments:mentor-assignment-list"),
        "assignment": assignment if assignment.pk else None,
    }
    return render(request, "assessments/mentoring/form.html", context)


def query_version(text) -> int | None:
    try:
        number = int(str(text or "").strip()[:12])
    except ValueError:
        return None
    return number if number >= 0 else None


@login_required
def assignment_create(request):
    district = None
    pk = query_id(request, "district")
    if pk is not None:
        district = _district(request, pk)
    assignment = MentorAssignment(district=district) if district else MentorAssignment()
    return _assignment_form(request, assignment, _("Assign a planning mentor"))


@login_required
def assignment_edit(request, pk):
    assignment = get_in_area_or_404(
        selectors.assignments_of(user=request.user), request.user, pk=pk
    )
    return _assignment_form(request, assignment, _("Edit mentor assignment"))


urlpatterns = [
    path("mentoring/", mentoring_home, name="mentoring-home"),
    path("mentoring/progress/", mentoring_progress, name="mentoring-progress"),
    path("mentoring/district/<int:pk>/", mentoring_district, name="mentoring-district"),
    path("mentoring/capacity/new/", capacity_create, name="capacity-create"),
    path("mentoring/capacity/<int:pk>/", capacity_detail, name="capacity-detail"),
    path("mentoring/capacity/<int:pk>/edit/", capacity_edit, name="capacity-edit"),
    path("mentoring/activities/new/", activity_create, name="mentoring-activity-create"),
    path("mentoring/activities/<int:pk>/edit/", activity_edit, name="mentoring-activity-edit"),
    path(
        "mentoring/activities/<int:pk>/status/", activity_status, name="mentoring-activity-status"
    ),
    path("mentoring/visits/new/", visit_create, name="mentoring-visit-create"),
    path("mentoring/visits/<int:pk>/edit/", visit_edit, name="mentoring-visit-edit"),
    path("mentoring/items/new/", item_create, name="mentoring-item-create"),
    path("mentoring/items/<int:pk>/edit/", item_edit, name="mentoring-item-edit"),
    path("mentoring/items/<int:pk>/status/", item_status, name="mentoring-item-status"),
    path("mentoring/mentors/", assignment_list, name="mentor-assignment-list"),
    path("mentoring/mentors/new/", assignment_create, name="mentor-assignment-create"),
    path("mentoring/mentors/<int:pk>/edit/", assignment_edit, name="mentor-assignment-edit"),
]
