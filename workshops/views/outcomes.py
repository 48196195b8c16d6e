"""During the meeting: problems ranked by priority with their fishbone, the RTL (follow-up plan),
commitments of partner organisations and Musrenbang proposals (issue #6, item 3).

Everyone in the area reads; whoever runs the meeting (`rights.can_manage_meeting`) writes until
it is closed. Every list exports to .xlsx (`?format=xlsx`); the RTL also prints and as PDF.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kernel.scoping import get_in_area_or_404
from kernel.versioning import create_once
from kernel.views.exports import export_offer
from kernel.web import export, paginate, run_service, wants_xlsx

from .. import exports, selectors, services
from ..forms.outcomes import (
    CommitmentForm,
    FollowUpForm,
    MethodForm,
    ProblemForm,
    ProposalForm,
    RootCauseForm,
    ScoresForm,
)
from ..models import Commitment, FollowUp, Meeting, MusrenbangProposal, Problem, RootCause
from ..priority import METHODS
from ..rights import can_manage_meeting

MEETING = Meeting.objects.select_related("puskesmas__subdistrict", "district", "province")


def _meeting(request, pk) -> Meeting:
    return get_in_area_or_404(MEETING, request.user, pk=pk)


def _child(request, model, pk):
    """A problem, cause or item of a meeting in the user's area, with its meeting."""
    related = "problem__meeting" if model is RootCause else "meeting"
    return get_in_area_or_404(model.objects.select_related(related), request.user, pk=pk)


def _manager_only(request, meeting: Meeting) -> None:
    if not can_manage_meeting(request.user, meeting):
        raise PermissionDenied(_("Only those who run this meeting can change what it records."))


def _context(request, meeting: Meeting, **extra) -> dict:
    is_closed = meeting.status == Meeting.Status.CLOSED
    can_edit = not is_closed and can_manage_meeting(request.user, meeting)
    return {"meeting": meeting, "is_closed": is_closed, "can_edit": can_edit, **extra}


def _closed(request, meeting: Meeting, to: str, pk: int | None = None):
    """A redirect (to the page `to`, of the meeting or of `pk`) with a message when the meeting
    is closed, else None."""
    if meeting.status != Meeting.Status.CLOSED:
        return None
    messages.error(request, _("This meeting is closed: what it recorded can no longer be changed."))
    return redirect(to, pk=pk or meeting.pk)


class Editing:
    """The create, edit and delete views of one kind of thing a meeting records: each scopes the
    meeting (or the item) in the user's area, checks the right, binds the form and calls the
    entity's service, then goes back to the meeting's list of them. A create happens once per
    form token (a repeated post gets the first one's object and redirect); an edit is saved at
    the version its form showed (`save(item, by, version)`)."""

    def __init__(
        self, model, form_class, *, save, delete, template, done, saved, deleted, prefill=()
    ):
        self.model, self.form_class, self.save, self.remove = model, form_class, save, delete
        self.template, self.done, self.saved, self.deleted = template, done, saved, deleted
        self.prefill = prefill  # GET parameters that pre-fill a new item's form

    def page(self, request, meeting, instance, initial=None):
        _manager_only(request, meeting)
        if refused := _closed(request, meeting, self.done):
            return refused
        form = self.form_class(
            request.POST or None,
            instance=instance,
            initial=initial,
            meeting=meeting,
            user=request.user,
        )
        if request.method == "POST" and form.is_valid():
            if run_service(request, form, lambda: self.write(form, request.user)):
                messages.success(request, self.saved)
                return redirect(self.done, pk=meeting.pk)
        context = _context(request, meeting, form=form, object=instance if instance.pk else None)
        return render(request, self.template, context)

    def write(self, form, by):
        if form.instance.pk is None:
            return create_once(
                token=form.cleaned_data.get("form_token"),
                by=by,
                create=lambda: self.save(form.instance, by, None),
                model=self.model,
            )
        return self.save(form.instance, by, form.cleaned_data.get("version"))

    def views(self):
        @login_required
        def create(request, pk):
            meeting = _meeting(request, pk)
            initial = {k: request.GET[k] for k in self.prefill if request.GET.get(k, "").isdigit()}
            return self.page(request, meeting, self.model(meeting=meeting), initial)

        @login_required
        def edit(request, pk):
            item = _child(request, self.model, pk)
            return self.page(request, item.meeting, item)

        @login_required
        @require_POST
        def delete(request, pk):
            item = _child(request, self.model, pk)
            _manager_only(request, item.meeting)
            if run_service(request, None, lambda: self.remove(item, request.user)):
                messages.success(request, self.deleted)
            return redirect(self.done, pk=item.meeting_id)

        return create, edit, delete


def _columns(columns, rows, *, filename: str, sheet: str):
    """An .xlsx download of `rows`, one column per (heading, value of a row) pair."""
    return export(
        filename=filename,
        sheet=sheet,
        headers=[str(heading) for heading, _value in columns],
        rows=rows,
        row=lambda obj: [value(obj) for _heading, value in columns],
    )


# --- Problems, scores, root causes ----------------------------------------------------------------


def _service(obj) -> str:
    return f"{obj.service.number}. {obj.service.label}" if obj.service else ""


def _problems_page(request, meeting, problems, *, scores_form=None, method_form=None):
    method = METHODS[meeting.priority_method]
    initial = {"method": meeting.priority_method, "version": meeting.version}
    context = _context(
        request,
        meeting,
        problems=problems,
        method=method,
        methods=METHODS.values(),
        scores_form=scores_form or ScoresForm(problems=problems, method=method.code),
        method_form=method_form or MethodForm(initial=initial),
    )
    if getattr(method_form, "stale", None):
        context["form"] = method_form  # base.html shows who changed the method meanwhile
    return render(request, "workshops/problem_list.html", context)


@login_required
def problem_list(request, pk):
    meeting = _meeting(request, pk)
    problems = selectors.problem_list(user=request.user, meeting=meeting)
    if not wants_xlsx(request):
        return _problems_page(request, meeting, problems)
    method = METHODS[meeting.priority_method]
    columns = [
        (_("Rank"), lambda p: p.rank),
        (_("No."), lambda p: p.number),
        (_("Problem"), lambda p: p.statement),
        (_("Data"), lambda p: p.evidence),
        (_("SPM service"), _service),
        (_("Desa"), lambda p: p.village.name if p.village else ""),
        *[(c.label, lambda p, code=c.code: p.method_scores.get(code)) for c in method.criteria],
        (f"{_('Priority score')} ({method.formula})", lambda p: p.priority_score),
        (_("Posyandu or UKBM"), lambda p: str(p.service_point) if p.service_point else ""),
        (
            _("Root causes"),
            lambda p: "; ".join(f"{c.get_category_display()}: {c}" for c in p.causes.all()),
        ),
    ]
    return _columns(columns, problems, filename=f"problems-{meeting.pk}.xlsx", sheet=_("Problems"))


@login_required
@require_POST
def meeting_scores(request, pk):
    meeting = _meeting(request, pk)
    _manager_only(request, meeting)
    if refused := _closed(request, meeting, "workshops:meeting-problems"):
        return refused
    problems = selectors.problem_list(user=request.user, meeting=meeting)
    form = ScoresForm(request.POST, problems=problems, method=meeting.priority_method)
    if form.is_valid() and run_service(
        request,
        form,
        lambda: services.problem_scores_save(
            meeting=meeting,
            method=form.cleaned_data["method"],
            scores=form.scores(),
            by=request.user,
        ),
    ):
        messages.success(request, _("Scores saved; the problems are ranked again."))
        return redirect("workshops:meeting-problems", pk=meeting.pk)
    return _problems_page(request, meeting, problems, scores_form=form)


@login_required
@require_POST
def meeting_method(request, pk):
    meeting = _meeting(request, pk)
    _manager_only(request, meeting)
    if refused := _closed(request, meeting, "workshops:meeting-problems"):
        return refused
    form = MethodForm(request.POST)
    if form.is_valid() and run_service(
        request,
        form,
        lambda: services.meeting_method_set(meeting=meeting, by=request.user, **form.cleaned_data),
    ):
        messages.success(request, _("Prioritisation method changed; the scores are recomputed."))
        return redirect("workshops:meeting-problems", pk=meeting.pk)
    problems = selectors.problem_list(user=request.user, meeting=meeting)
    return _problems_page(request, meeting, problems, method_form=form)


problem_create, problem_edit, problem_delete = Editing(
    Problem,
    ProblemForm,
    save=lambda item, by, version: services.problem_save(problem=item, by=by, version=version),
    delete=lambda item, by: services.problem_delete(problem=item, by=by),
    template="workshops/problem_form.html",
    done="workshops:meeting-problems",
    saved=gettext_lazy("Problem saved."),
    deleted=gettext_lazy("Problem deleted."),
).views()


def _problem_page(request, problem, form):
    causes = list(problem.causes.all())
    method = METHODS[problem.meeting.priority_method]
    context = _context(
        request,
        problem.meeting,
        problem=problem,
        number=selectors.problem_number(problem),
        method=method,
        scores=[(c, problem.method_scores.get(c.code)) for c in method.criteria],
        fishbone=selectors.fishbone(problem, causes),
        form=form,
    )
    return render(request, "workshops/problem_detail.html", context)


@login_required
def problem_detail(request, pk):
    problem = selectors.problem_get(user=request.user, pk=pk)
    return _problem_page(request, problem, RootCauseForm())


@login_required
@require_POST
def rootcause_create(request, pk):
    problem = selectors.problem_get(user=request.user, pk=pk)
    _manager_only(request, problem.meeting)
    if refused := _closed(request, problem.meeting, "workshops:problem-detail", problem.pk):
        return refused
    form = RootCauseForm(request.POST)
    if form.is_valid() and run_service(
        request,
        form,
        lambda: create_once(
            token=form.cleaned_data["form_token"],
            by=request.user,
            create=lambda: services.root_cause_add(
                problem=problem,
                by=request.user,
                category=form.cleaned_data["category"],
                description=form.cleaned_data["description"],
            ),
            model=RootCause,
        ),
    ):
        messages.success(request, _("Root cause added."))
        return redirect("workshops:problem-detail", pk=problem.pk)
    return _problem_page(request, problem, form)


@login_required
@require_POST
def rootcause_delete(request, pk):
    cause = _child(request, RootCause, pk)
    _manager_only(request, cause.problem.meeting)
    if run_service(request, None, lambda: services.root_cause_delete(cause=cause, by=request.user)):
        messages.success(request, _("Root cause deleted."))
    return redirect("workshops:problem-detail", pk=cause.problem_id)


# --- RTL (follow-up plan) -------------------------------------------------------------------------

# DOMAIN.md §3: the RTL columns, in their order.
RTL_COLUMNS = [
    (gettext_lazy("Problem"), lambda i: i.problem.statement if i.problem else ""),
    (gettext_lazy("Root cause"), lambda i: i.root_cause.description if i.root_cause else ""),
    (gettext_lazy("Activity"), lambda i: i.activity),
    (gettext_lazy("Goal"), lambda i: i.goal),
    (gettext_lazy("Target group"), lambda i: i.target_group),
    (gettext_lazy("Target to reach"), lambda i: i.target),
    (gettext_lazy("Due date"), lambda i: i.due_on),
    (gettext_lazy("Person responsible"), lambda i: i.responsible),
    (gettext_lazy("Related sector"), lambda i: i.get_sector_display()),
    (gettext_lazy("Partner organisation"), lambda i: str(i.partner) if i.partner else ""),
    (gettext_lazy("Cost (Rp)"), lambda i: i.cost_idr),
    (gettext_lazy("Funding source"), lambda i: i.get_funding_source_display()),
    (gettext_lazy("Success indicator"), lambda i: i.success_indicator),
    (gettext_lazy("Status"), lambda i: i.get_status_display()),
]


@login_required
def rtl_list(request, pk):
    meeting = _meeting(request, pk)
    items = selectors.follow_up_list(user=request.user, meeting=meeting)
    if wants_xlsx(request):
        return _columns(RTL_COLUMNS, items, filename=f"rtl-{meeting.pk}.xlsx", sheet="RTL")
    context = _context(request, meeting, today=timezone.localdate(), **paginate(request, items))
    return render(request, "workshops/rtl_list.html", context)


@login_required
def rtl_print(request, pk):
    meeting = _meeting(request, pk)
    if request.GET.get("format") == "pdf":  # made by an export job (workshops/exports.py)
        return export_offer(
            request,
            kind=exports.RTL_PDF,
            params={"meeting": meeting.pk},
            file_name=f"rtl-{meeting.pk}.pdf",
            title=_("Follow-up plan (RTL): %(meeting)s") % {"meeting": meeting.title},
        )
    items = list(selectors.follow_up_list(user=request.user, meeting=meeting))
    context = _context(request, meeting, items=items, today=timezone.localdate())
    return render(request, "workshops/rtl_print.html", context)


followup_create, followup_edit, followup_delete = Editing(
    FollowUp,
    FollowUpForm,
    save=lambda item, by, version: services.follow_up_save(follow_up=item, by=by, version=version),
    delete=lambda item, by: services.follow_up_delete(follow_up=item, by=by),
    template="workshops/followup_form.html",
    done="workshops:meeting-rtl",
    saved=gettext_lazy("RTL item saved."),
    deleted=gettext_lazy("RTL item deleted."),
    prefill=("problem", "root_cause"),  # started from a problem or one of its causes
).views()


# --- Commitments ----------------------------------------------------------------------------------

COMMITMENT_COLUMNS = [
    (gettext_lazy("Party"), lambda c: c.party),
    (gettext_lazy("Partner organisation"), lambda c: c.partner.name if c.partner else ""),
    (gettext_lazy("Sector"), lambda c: c.get_sector_display()),
    (gettext_lazy("Commitment"), lambda c: c.description),
    (gettext_lazy("Due date"), lambda c: c.due_on),
    (gettext_lazy("Signed by"), lambda c: c.signatory_name),
    (gettext_lazy("Signatory's position"), lambda c: c.signatory_position),
    (gettext_lazy("Status"), lambda c: c.get_status_display()),
]


@login_required
def commitment_list(request, pk):
    meeting = _meeting(request, pk)
    rows = selectors.commitment_list(user=request.user, meeting=meeting)
    if wants_xlsx(request):
        name = f"commitments-{meeting.pk}.xlsx"
        return _columns(COMMITMENT_COLUMNS, rows, filename=name, sheet=_("Commitments"))
    context = _context(request, meeting, today=timezone.localdate(), **paginate(request, rows))
    return render(request, "workshops/commitment_list.html", context)


commitment_create, commitment_edit, commitment_delete = Editing(
    Commitment,
    CommitmentForm,
    save=lambda item, by, version: services.commitment_save(
        commitment=item, by=by, version=version
    ),
    delete=lambda item, by: services.commitment_delete(commitment=item, by=by),
    template="workshops/commitment_form.html",
    done="workshops:meeting-commitments",
    saved=gettext_lazy("Commitment saved."),
    deleted=gettext_lazy("Commitment deleted."),
).views()


# --- Musrenbang proposals -------------------------------------------------------------------------

PROPOSAL_COLUMNS = [
    (gettext_lazy("Kecamatan"), lambda p: p.subdistrict.name),
    (gettext_lazy("Priority"), lambda p: p.priority),
    (gettext_lazy("Proposal"), lambda p: p.title),
    (gettext_lazy("Description and reason"), lambda p: p.description),
    (gettext_lazy("Desa"), lambda p: p.village.name if p.village else ""),
    (gettext_lazy("SPM service"), _service),
    (gettext_lazy("Volume"), lambda p: p.volume),
    (gettext_lazy("Estimated cost (Rp)"), lambda p: p.estimated_cost_idr),
    (gettext_lazy("Outcome"), lambda p: p.get_outcome_display()),
]


@login_required
def proposal_list(request, pk):
    meeting = _meeting(request, pk)
    rows = selectors.meeting_proposal_list(user=request.user, meeting=meeting)
    if wants_xlsx(request):
        name = f"musrenbang-{meeting.pk}.xlsx"
        return _columns(PROPOSAL_COLUMNS, rows, filename=name, sheet="Musrenbang")
    context = _context(request, meeting, **paginate(request, rows))
    return render(request, "workshops/proposal_list.html", context)


proposal_create, proposal_edit, proposal_delete = Editing(
    MusrenbangProposal,
    ProposalForm,
    save=lambda item, by, version: services.proposal_save(proposal=item, by=by, version=version),
    delete=lambda item, by: services.proposal_delete(proposal=item, by=by),
    template="workshops/proposal_form.html",
    done="workshops:meeting-proposals",
    saved=gettext_lazy("Musrenbang proposal saved."),
    deleted=gettext_lazy("Musrenbang proposal deleted."),
).views()


urlpatterns = [
    path("<int:pk>/problems/", problem_list, name="meeting-problems"),
    path("<int:pk>/problems/new/", problem_create, name="problem-create"),
    path("<int:pk>/problems/method/", meeting_method, name="meeting-method"),
    path("<int:pk>/problems/scores/", meeting_scores, name="meeting-scores"),
    path("problems/<int:pk>/", problem_detail, name="problem-detail"),
    path("problems/<int:pk>/edit/", problem_edit, name="problem-edit"),
    path("problems/<int:pk>/delete/", problem_delete, name="problem-delete"),
    path("problems/<int:pk>/causes/", rootcause_create, name="rootcause-create"),
    path("causes/<int:pk>/delete/", rootcause_delete, name="rootcause-delete"),
    path("<int:pk>/rtl/", rtl_list, name="meeting-rtl"),
    path("<int:pk>/rtl/print/", rtl_print, name="meeting-rtl-print"),
    path("<int:pk>/rtl/new/", followup_create, name="followup-create"),
    path("rtl/<int:pk>/edit/", followup_edit, name="followup-edit"),
    path("rtl/<int:pk>/delete/", followup_delete, name="followup-delete"),
    path("<int:pk>/commitments/", commitment_list, name="meeting-commitments"),
    path("<int:pk>/commitments/new/", commitment_create, name="commitment-create"),
    path("commitments/<int:pk>/edit/", commitment_edit, name="commitment-edit"),
    path("commitments/<int:pk>/delete/", commitment_delete, name="commitment-delete"),
    path("<int:pk>/proposals/", proposal_list, name="meeting-proposals"),
    path("<int:pk>/proposals/new/", proposal_create, name="proposal-create"),
    path("proposals/<int:pk>/edit/", proposal_edit, name="proposal-edit"),
    path("proposals/<int:pk>/delete/", proposal_delete, name="proposal-delete"),
]
