"""Every URL that takes an object id refuses users of another area with 404 (STYLE.md §3, §9).

The test walks the URL configuration, so a new view with an id fails here until it is listed in
OBJECTS below, and then fails if it forgets the area-scoping helper.
"""

from collections.abc import Callable

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db


def _hsu_run(w: dict):
    from indicators.models import AggregationRun

    return AggregationRun.objects.create(year=2026, quarter=1, district=w["hsu"]["district"])


def _hsu_report(w: dict):
    """A January report of the Hulu Sungai Utara puskesmas (created once per test)."""
    from indicators.models import MonthlyReport

    report, _ = MonthlyReport.objects.get_or_create(
        puskesmas=w["hsu"]["puskesmas"],
        year=2026,
        month=1,
        defaults={"due_on": "2026-02-10"},
    )
    return report


def _hsu_unlock_request(w: dict):
    from indicators.models import UnlockRequest

    from .factories import UserFactory

    report = _hsu_report(w)
    head = UserFactory(role="puskesmas_head", puskesmas=w["hsu"]["puskesmas"])
    return UnlockRequest.objects.create(report=report, reason="typo", requested_by=head)


def _hsu_import_job(w: dict):
    """An Excel import of the Hulu Sungai Utara puskesmas's monthly data."""
    from kernel.models import ImportJob

    from .factories import UserFactory

    head = UserFactory(role="puskesmas_head", puskesmas=w["hsu"]["puskesmas"])
    return ImportJob.objects.create(
        kind=ImportJob.Kind.MONTHLY_VALUES,
        district=w["hsu"]["district"],
        puskesmas=w["hsu"]["puskesmas"],
        file="imports/x.xlsx",
        file_name="x.xlsx",
        created_by=head,
    )


def _hsu_export_job(w: dict):
    """A finished file the Hulu Sungai Utara district planner asked for (one per test): only
    they open its page and download it."""
    from django.core.files.base import ContentFile

    from kernel.models import ExportJob, User

    planner = User.objects.get(username="dinkes")  # the test's district_user
    job = ExportJob.objects.filter(created_by=planner).first()
    if job is None:
        job = ExportJob(
            kind="indicators.monthly_values_year",
            district=w["hsu"]["district"],
            params={"year": 2026},
            title="Monthly values 2026",
            file_name="spm-monthly-values-2026.xlsx",
            status=ExportJob.Status.DONE,
            created_by=planner,
        )
        job.file.save("x.xlsx", ContentFile(b"PK"), save=False)
        job.save()
    return job


def _hsu_head(w: dict):
    """The head of the Hulu Sungai Utara puskesmas (one per test)."""
    from kernel.models import User

    from .factories import UserFactory

    return User.objects.filter(username="hsu-head").first() or UserFactory(
        username="hsu-head", role=User.Role.PUSKESMAS_HEAD, puskesmas=w["hsu"]["puskesmas"]
    )


def _hsu_lokmin(w: dict):
    """A quarterly cross-sector lokmin of the Hulu Sungai Utara puskesmas (one per test)."""
    from workshops.models import Meeting

    from .factories import MeetingFactory

    return Meeting.objects.filter(title="HSU lokmin").first() or MeetingFactory(
        title="HSU lokmin", puskesmas=w["hsu"]["puskesmas"], created_by=_hsu_head(w)
    )


def _hsu_forum(w: dict):
    """A cross-sector forum of the Hulu Sungai Utara district (one per test)."""
    from workshops.models import Meeting

    from .factories import MeetingFactory

    return Meeting.objects.filter(title="HSU forum").first() or MeetingFactory(
        title="HSU forum",
        kind=Meeting.Kind.DISTRICT_FORUM,
        puskesmas=None,
        district=w["hsu"]["district"],
        created_by=_hsu_head(w),
    )


def _hsu_lokmin_participant(w: dict):
    """A village head invited to the HSU lokmin (one per test)."""
    from .factories import ParticipantFactory

    lokmin = _hsu_lokmin(w)
    return lokmin.participants.first() or ParticipantFactory(meeting=lokmin)


def _hsu_lokmin_problem(w: dict):
    """A problem of the HSU lokmin, with one root cause (one per test)."""
    from workshops.models import RootCause

    from .factories import ProblemFactory

    meeting = _hsu_lokmin(w)
    problem = meeting.problems.first() or ProblemFactory(meeting=meeting)
    if not problem.causes.exists():
        RootCause.objects.create(problem=problem, category="man", description="Kader kurang")
    return problem


def _hsu_lokmin_cause(w: dict):
    return _hsu_lokmin_problem(w).causes.first()


def _hsu_lokmin_rtl_item(w: dict):
    from .factories import FollowUpFactory

    meeting = _hsu_lokmin(w)
    return meeting.follow_ups.first() or FollowUpFactory(meeting=meeting)


def _hsu_lokmin_commitment(w: dict):
    from .factories import CommitmentFactory

    meeting = _hsu_lokmin(w)
    return meeting.commitments.first() or CommitmentFactory(meeting=meeting)


def _hsu_lokmin_proposal(w: dict):
    from .factories import ProposalFactory

    meeting = _hsu_lokmin(w)
    return meeting.proposals.first() or ProposalFactory(meeting=meeting)


def _small_jpeg() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(buffer, format="JPEG")
    return buffer.getvalue()


def _hsu_lokmin_photo(w: dict):
    """A photo of the HSU lokmin (files in the test MEDIA_ROOT, one per test)."""
    from django.core.files.base import ContentFile

    from workshops.models import Photo

    meeting = _hsu_lokmin(w)
    if photo := meeting.photos.first():
        return photo
    photo = Photo(meeting=meeting, uploaded_by=_hsu_head(w))
    photo.image.save("x.jpg", ContentFile(_small_jpeg(), name="x.jpg"), save=False)
    photo.thumbnail.save("x-t.jpg", ContentFile(_small_jpeg(), name="x-t.jpg"), save=False)
    photo.save()
    return photo


def _hsu_lokmin_signed(w: dict):
    """The HSU lokmin with its signed agreement scan."""
    from django.core.files.base import ContentFile

    meeting = _hsu_lokmin(w)
    if not meeting.signed_agreement:
        meeting.signed_agreement.save("scan.jpg", ContentFile(_small_jpeg()))
    return meeting


def _hsu_status_update(w: dict):
    """A status change of an HSU lokmin RTL item, with an evidence file."""
    from django.core.files.base import ContentFile

    from workshops.models import StatusUpdate

    item = _hsu_lokmin_rtl_item(w)
    if update := item.updates.first():
        return update
    update = StatusUpdate(follow_up=item, old_status="planned", new_status="done", by=_hsu_head(w))
    update.evidence.save("bukti.jpg", ContentFile(_small_jpeg()))
    return update


def _hsu_ruk(w: dict):
    """Next year's RUK of the HSU puskesmas, a draft (one per test)."""
    from planning.models import Plan

    head = _hsu_head(w)
    plan, _ = Plan.objects.get_or_create(
        puskesmas=w["hsu"]["puskesmas"],
        year=2099,
        defaults={"district": w["hsu"]["district"], "created_by": head},
    )
    return plan


def _hsu_ruk_activity(w: dict):
    """An activity of the HSU puskesmas's RUK (one per test)."""
    from planning.models import Activity

    plan, head = _hsu_ruk(w), _hsu_head(w)
    return plan.activities.first() or Activity.objects.create(
        plan=plan,
        effort="KIA-KB",
        name="Kelas ibu hamil",
        responsible="Bidan",
        funding_source="bok",
        created_by=head,
        updated_by=head,
    )


def _hsu_schedule_entry(w: dict):
    """A month of the HSU RUK activity in its RPK (one per test)."""
    from planning.models import ScheduleEntry

    activity = _hsu_ruk_activity(w)
    return activity.schedule.first() or ScheduleEntry.objects.create(
        activity=activity, month=1, created_by=_hsu_head(w)
    )


def _hsu_accounts_import(w: dict):
    """An accounts import the Hulu Sungai Utara district planner ran (one per test): its
    first-login sheet opens only for them."""
    from kernel.models import ImportJob, User

    planner = User.objects.get(username="dinkes")  # the test's district_user
    return ImportJob.objects.filter(kind=ImportJob.Kind.ACCOUNTS).first() or (
        ImportJob.objects.create(
            kind=ImportJob.Kind.ACCOUNTS,
            district=w["hsu"]["district"],
            file="imports/x.xlsx",
            file_name="akun.xlsx",
            status=ImportJob.Status.DONE,
            result={"accounts": [_hsu_head(w).pk]},
            created_by=planner,
        )
    )


def _hsu_notification(w: dict):
    """A notification of the Hulu Sungai Utara district planner (the test's district_user)
    about its report: only its recipient opens or marks it (issue #15)."""
    from kernel import notifications
    from kernel.models import Notification, User

    planner = User.objects.get(username="dinkes")
    return (
        Notification.objects.filter(recipient=planner).first()
        or (notifications.notify([planner], kind="t", title="x", url="/", obj=_hsu_report(w))[0])
    )


# URL names whose owner is the puskesmas (its head runs it), not the district planner.
PUSKESMAS_OWNED: set[str] = set()
PUSKESMAS_OWNED |= {  # the lokmin's problems, RTL, commitments, proposals: forms
    "workshops:problem-create",
    "workshops:problem-edit",
    "workshops:followup-create",
    "workshops:followup-edit",
    "workshops:commitment-create",
    "workshops:commitment-edit",
    "workshops:proposal-create",
    "workshops:proposal-edit",
}
PUSKESMAS_OWNED |= {  # the lokmin itself, its invitees and attendance: the puskesmas's forms
    "workshops:meeting-edit",
    "workshops:meeting-hold",
    "workshops:meeting-close",
    "workshops:meeting-reopen",
    "workshops:meeting-delete",
    "workshops:meeting-invite-staff",
    "workshops:meeting-invite-partners",
    "workshops:meeting-attendance-take",
    "workshops:participant-edit",
    "workshops:participant-delete",
}
PUSKESMAS_OWNED |= {  # the puskesmas writes its RUK and schedules it (RPK)
    "planning:plan-submit",
    "planning:activity-create",
    "planning:activity-edit",
    "planning:activity-delete",
    "planning:schedule-create",
    "planning:schedule-delete",
}
PUSKESMAS_OWNED |= {"planning:ruk-template", "planning:ruk-import"}  # its RUK in Excel
PUSKESMAS_OWNED |= {  # the lokmin's participants and RTL in Excel: the puskesmas runs it
    "workshops:participants-template",
    "workshops:participants-import",
    "workshops:rtl-template",
    "workshops:rtl-import",
}

# URL name -> the object (inside Hulu Sungai Utara, the owner's area) whose id the URL takes.
OBJECTS: dict[str, Callable[[dict], object]] = {
    "indicators:aggregation-start": lambda w: w["hsu"]["district"],
    "indicators:aggregation-detail": _hsu_run,
    "indicators:quarterly-notes": lambda w: w["hsu"]["district"],
    "indicators:report-entry": _hsu_report,
    "indicators:report-cells": _hsu_report,
    "indicators:report-review": _hsu_report,
    "indicators:report-history": _hsu_report,
    "indicators:unlock-request-create": _hsu_report,
    "indicators:unlock-request-decide": _hsu_unlock_request,
    "kernel:exportjob-detail": _hsu_export_job,
    "kernel:exportjob-download": _hsu_export_job,
    "kernel:exportjob-retry": _hsu_export_job,
    "kernel:importjob-detail": _hsu_import_job,
    "kernel:importjob-retry": _hsu_import_job,
    "kernel:district-detail": lambda w: w["hsu"]["district"],
    "kernel:subdistrict-detail": lambda w: w["hsu"]["subdistrict"],
    "kernel:puskesmas-detail": lambda w: w["hsu"]["puskesmas"],
    "kernel:puskesmas-edit": lambda w: w["hsu"]["puskesmas"],
    "kernel:servicepoint-edit": lambda w: w["hsu"]["service_point"],
    "kernel:servicepoint-delete": lambda w: w["hsu"]["service_point"],
    "kernel:partner-edit": lambda w: w["hsu"]["partner"],
    "kernel:unit-edit": lambda w: w["hsu"]["unit"],
    "kernel:unit-delete": lambda w: w["hsu"]["unit"],
    "indicators:target-choose": lambda w: w["hsu"]["puskesmas"],
    "indicators:target-village": lambda w: w["hsu"]["villages"][0],
    "indicators:target-estimate": lambda w: w["hsu"]["district"],
    "indicators:target-choose-source": lambda w: w["hsu"]["district"],
    "indicators:target-approve": lambda w: w["hsu"]["district"],
    "indicators:target-reopen": lambda w: w["hsu"]["district"],
    "indicators:quarterly-detail": lambda w: w["hsu"]["district"],
    "indicators:feedback-detail": _hsu_report,
    "indicators:dashboard-district": lambda w: w["hsu"]["district"],
    "indicators:dashboard-puskesmas": lambda w: w["hsu"]["puskesmas"],
    "indicators:trends-district": lambda w: w["hsu"]["district"],
    "indicators:trends-puskesmas": lambda w: w["hsu"]["puskesmas"],
    "workshops:meeting-detail": _hsu_lokmin,
    "workshops:meeting-edit": _hsu_lokmin,
    "workshops:meeting-hold": _hsu_lokmin,
    "workshops:meeting-close": _hsu_lokmin,
    "workshops:meeting-reopen": _hsu_lokmin,
    "workshops:meeting-delete": _hsu_lokmin,
    "workshops:meeting-participants": _hsu_lokmin,
    "workshops:meeting-invite-staff": _hsu_lokmin,
    "workshops:meeting-invite-partners": _hsu_lokmin,
    "workshops:participant-edit": _hsu_lokmin_participant,
    "workshops:participant-delete": _hsu_lokmin_participant,
    "workshops:meeting-attendance-take": _hsu_lokmin,
    "workshops:meeting-invitation": _hsu_lokmin,
    "workshops:meeting-attendance": _hsu_lokmin,
    "workshops:meeting-pack": _hsu_lokmin,
    "workshops:meeting-problems": _hsu_lokmin,
    "workshops:meeting-method": _hsu_lokmin,
    "workshops:meeting-scores": _hsu_lokmin,
    "workshops:problem-create": _hsu_lokmin,
    "workshops:problem-detail": _hsu_lokmin_problem,
    "workshops:problem-edit": _hsu_lokmin_problem,
    "workshops:problem-delete": _hsu_lokmin_problem,
    "workshops:rootcause-create": _hsu_lokmin_problem,
    "workshops:rootcause-delete": _hsu_lokmin_cause,
    "workshops:meeting-rtl": _hsu_lokmin,
    "workshops:meeting-rtl-print": _hsu_lokmin,
    "workshops:followup-create": _hsu_lokmin,
    "workshops:followup-edit": _hsu_lokmin_rtl_item,
    "workshops:followup-delete": _hsu_lokmin_rtl_item,
    "workshops:meeting-commitments": _hsu_lokmin,
    "workshops:commitment-create": _hsu_lokmin,
    "workshops:commitment-edit": _hsu_lokmin_commitment,
    "workshops:commitment-delete": _hsu_lokmin_commitment,
    "workshops:meeting-proposals": _hsu_lokmin,
    "workshops:proposal-create": _hsu_lokmin,
    "workshops:proposal-edit": _hsu_lokmin_proposal,
    "workshops:proposal-delete": _hsu_lokmin_proposal,
    "workshops:meeting-minutes": _hsu_lokmin,
    "workshops:meeting-photos": _hsu_lokmin,
    "workshops:photo-edit": _hsu_lokmin_photo,
    "workshops:photo-delete": _hsu_lokmin_photo,
    "workshops:photo-file": _hsu_lokmin_photo,
    "workshops:photo-thumb": _hsu_lokmin_photo,
    "workshops:meeting-agreement": _hsu_lokmin,
    "workshops:agreement-upload": _hsu_lokmin,
    "workshops:agreement-scan": _hsu_lokmin_signed,
    "workshops:followup-status": _hsu_lokmin_rtl_item,
    "workshops:commitment-status": _hsu_lokmin_commitment,
    "workshops:evidence-file": _hsu_status_update,
    "workshops:proposal-outcome": _hsu_lokmin_proposal,
    "workshops:participants-template": _hsu_lokmin,
    "workshops:participants-import": _hsu_lokmin,
    "workshops:rtl-template": _hsu_lokmin,
    "workshops:rtl-import": _hsu_lokmin,
    "planning:plan-detail": _hsu_ruk,
    "planning:plan-submit": _hsu_ruk,
    "planning:plan-review": _hsu_ruk,
    "planning:plan-sources": _hsu_ruk,
    "planning:rpk-detail": _hsu_ruk,
    "planning:activity-create": _hsu_ruk,
    "planning:activity-edit": _hsu_ruk_activity,
    "planning:activity-delete": _hsu_ruk_activity,
    "planning:schedule-create": _hsu_ruk_activity,
    "planning:schedule-delete": _hsu_schedule_entry,
    "planning:ruk-template": _hsu_ruk,
    "planning:ruk-import": _hsu_ruk,
    # Accounts (issue #14): the planner keeps its puskesmas's heads.
    "kernel:user-detail": _hsu_head,
    "kernel:user-edit": _hsu_head,
    "kernel:user-deactivate": _hsu_head,
    "kernel:user-reactivate": _hsu_head,
    "kernel:user-login-link": _hsu_head,
    "kernel:user-twofactor-reset": _hsu_head,
    "kernel:user-sheet": _hsu_accounts_import,
    # Notifications (issue #15): one's own only; opening one redirects to its object.
    "kernel:notification-open": _hsu_notification,
    "kernel:notification-read": _hsu_notification,
}


# Issue #16: each part adds its URL names (and the helpers that build their objects) in its own
# block, as `OBJECTS |= {...}` and, for the puskesmas's own forms, `PUSKESMAS_OWNED |= {...}`.
# --- issue #16: quality ---
def _hsu_quality_report(w: dict):
    """A first-quarter quality report of the Hulu Sungai Utara puskesmas (a draft)."""
    from indicators.models import QualityReport

    report, _ = QualityReport.objects.get_or_create(
        puskesmas=w["hsu"]["puskesmas"], year=2026, quarter=1
    )
    return report


OBJECTS |= {
    "indicators:quality-detail": _hsu_quality_report,
    "indicators:quality-save": _hsu_quality_report,
    "indicators:quality-submit": _hsu_quality_report,
    "indicators:quality-return": _hsu_quality_report,
    "indicators:quality-approve": _hsu_quality_report,
    "indicators:quality-reopen": _hsu_quality_report,
    "indicators:quality-template": _hsu_quality_report,
    "indicators:quality-import": _hsu_quality_report,
    "indicators:quality-rollup": lambda w: w["hsu"]["district"],
}
PUSKESMAS_OWNED |= {"indicators:quality-template", "indicators:quality-import"}


# --- issue #16: budget ---
OBJECTS |= {
    "planning:realisation": _hsu_ruk,
    "planning:realisation-save": _hsu_schedule_entry,
    "planning:realisation-undo": _hsu_schedule_entry,
    "planning:budget-district": lambda w: w["hsu"]["district"],
    "planning:budget-puskesmas": lambda w: w["hsu"]["puskesmas"],
}

# --- issue #16: stages ---


def _hsu_stage_sheet(w: dict):
    """Hulu Sungai Utara's four stages worksheet of this year's first SPM service (one per
    test)."""
    from django.utils import timezone

    from cycle.models import StageSheet
    from cycle.selectors.stages import stage_services

    year = timezone.localdate().year
    return StageSheet.objects.filter(district=w["hsu"]["district"]).first() or (
        StageSheet.objects.create(
            district=w["hsu"]["district"], service=stage_services(year=year)[0], year=year
        )
    )


def _hsu_need_line(w: dict):
    from cycle.models import NeedLine

    return NeedLine.objects.create(
        sheet=_hsu_stage_sheet(w), name="Buku KIA", kind="goods", gap_quantity=3
    )


def _hsu_plan_line(w: dict):
    from cycle.models import IntegrationLine

    return IntegrationLine.objects.create(
        sheet=_hsu_stage_sheet(w), document="rkpd", program="Program pemenuhan UKP dan UKM"
    )


OBJECTS |= {
    "cycle:stage-overview": lambda w: w["hsu"]["district"],
    "cycle:stage-service": lambda w: w["hsu"]["district"],
    "cycle:stage-open": lambda w: w["hsu"]["district"],
    "cycle:stage-sheet": _hsu_stage_sheet,
    "cycle:stage-save": _hsu_stage_sheet,
    "cycle:stage-refresh": _hsu_stage_sheet,
    "cycle:stage-need-create": _hsu_stage_sheet,
    "cycle:stage-need-edit": _hsu_need_line,
    "cycle:stage-need-delete": _hsu_need_line,
    "cycle:stage-line-create": _hsu_stage_sheet,
    "cycle:stage-line-edit": _hsu_plan_line,
    "cycle:stage-line-delete": _hsu_plan_line,
}

# --- issue #16: roles ---


def _hsu_role(w: dict):
    """An agency's role in Hulu Sungai Utara's matrix of this year (one per test)."""
    from django.utils import timezone

    from cycle.models import RoleAssignment
    from cycle.selectors.roles import role_services

    year = timezone.localdate().year
    return RoleAssignment.objects.filter(district=w["hsu"]["district"]).first() or (
        RoleAssignment.objects.create(
            district=w["hsu"]["district"],
            year=year,
            service=role_services(year)[0],
            role="data",
            agency="Dinas Sosial",
            description="Data kepesertaan JKN-PBI",
        )
    )


def _hsu_data_request(w: dict):
    """A data request of Hulu Sungai Utara to another agency (one per test)."""
    from django.utils import timezone

    from cycle.models import DataRequest

    today = timezone.localdate()
    return DataRequest.objects.filter(district=w["hsu"]["district"]).first() or (
        DataRequest.objects.create(
            district=w["hsu"]["district"],
            year=today.year,
            agency="Dinas Sosial",
            data="DTSEN desil 1-4",
            asked_on=today,
        )
    )


OBJECTS |= {
    "cycle:role-matrix": lambda w: w["hsu"]["district"],
    "cycle:role-create": lambda w: w["hsu"]["district"],
    "cycle:role-copy": lambda w: w["hsu"]["district"],
    "cycle:role-edit": _hsu_role,
    "cycle:role-delete": _hsu_role,
    "cycle:role-links": _hsu_role,
    "cycle:role-proposals": _hsu_forum,
    "cycle:datarequest-list": lambda w: w["hsu"]["district"],
    "cycle:datarequest-create": lambda w: w["hsu"]["district"],
    "cycle:datarequest-edit": _hsu_data_request,
    "cycle:datarequest-status": _hsu_data_request,
    "cycle:datarequest-delete": _hsu_data_request,
}

# --- issue #16: package ---
OBJECTS |= {"cycle:package-detail": lambda w: w["hsu"]["district"]}

# Issue #17: registry
OBJECTS |= {
    "community:posyandu-detail": lambda w: w["hsu"]["service_point"],  # a posyandu
    "community:village": lambda w: w["hsu"]["villages"][0],
}

# Issue #17: indicators


def _kalsel_indicator_set(w: dict):
    """Kalimantan Selatan's UKBM indicator set with targets for Hulu Sungai Utara only: the
    district reads it (its targets); Banjarmasin, given none, does not open it."""
    from community.models import IndicatorSet, IndicatorTarget, UkbmIndicator

    indicator_set, _ = IndicatorSet.objects.get_or_create(province=w["kalsel"], year=2026)
    indicator = UkbmIndicator.objects.order_by("order").first()
    indicator_set.indicators.add(indicator)
    IndicatorTarget.objects.get_or_create(
        indicator_set=indicator_set,
        indicator=indicator,
        district=w["hsu"]["district"],
        defaults={"target": 74},
    )
    return indicator_set


OBJECTS |= {"community:indicator-set-edit": _kalsel_indicator_set}


# --- Issue #17: reviews ---
def _hsu_posyandu_review(w: dict):
    """This year's review of the Hulu Sungai Utara posyandu (a draft, one per test)."""
    from community.models import PosyanduReview

    from .community.factories import PosyanduReviewFactory

    point = w["hsu"]["service_point"]
    return PosyanduReview.objects.filter(service_point=point).first() or (
        PosyanduReviewFactory(service_point=point)
    )


def _hsu_village_review(w: dict):
    """This year's siaga aktif review of a Hulu Sungai Utara desa (a draft, one per test)."""
    from community.models import VillageReview

    from .community.factories import VillageReviewFactory

    village = w["hsu"]["villages"][0]
    return VillageReview.objects.filter(village=village).first() or (
        VillageReviewFactory(village=village)
    )


OBJECTS |= {
    "community:posyandu-review": _hsu_posyandu_review,
    "community:posyandu-review-step": _hsu_posyandu_review,
    "community:posyandu-review-open": lambda w: w["hsu"]["service_point"],
    "community:village-review": _hsu_village_review,
    "community:village-review-step": _hsu_village_review,
    "community:village-review-open": lambda w: w["hsu"]["villages"][0],
}


# --- Issue #17: cadres ---
def _hsu_cadre(w: dict):
    """A cadre of the Hulu Sungai Utara posyandu (one per test)."""
    from community.models import Cadre

    from .community.factories import CadreFactory

    point = w["hsu"]["service_point"]
    return Cadre.objects.filter(service_point=point).first() or CadreFactory(service_point=point)


def _hsu_training(w: dict):
    """A bimtek (training) meeting of the Hulu Sungai Utara puskesmas."""
    from .factories import MeetingFactory

    return MeetingFactory(puskesmas=w["hsu"]["puskesmas"], format="training")


OBJECTS |= {
    "community:cadre-create": lambda w: w["hsu"]["service_point"],  # a posyandu
    "community:cadre-detail": _hsu_cadre,
    "community:cadre-edit": _hsu_cadre,
    "community:cadre-assess": _hsu_cadre,
    "community:training-cadres": _hsu_training,
}


# Issue #18 supervision
def _hsu_supervision_visit(w: dict):
    """A planned supervision visit to the Hulu Sungai Utara puskesmas (one per test)."""
    from .assessments.factories import SupervisionVisitFactory

    return SupervisionVisitFactory(puskesmas=w["hsu"]["puskesmas"])


def _hsu_supervision_action(w: dict):
    """An RTL action of a supervision visit to the Hulu Sungai Utara puskesmas."""
    import datetime

    from assessments.models import SupervisionAction

    return SupervisionAction.objects.create(
        visit=_hsu_supervision_visit(w),
        finding="Lokmin tidak rutin",
        action="Jadwalkan lokmin bulanan",
        due_on=datetime.date(2026, 7, 1),
    )


OBJECTS |= {
    "assessments:supervision-detail": _hsu_supervision_visit,
    "assessments:supervision-edit": _hsu_supervision_visit,
    "assessments:supervision-record": _hsu_supervision_visit,
    "assessments:supervision-cancel": _hsu_supervision_visit,
    "assessments:supervision-action-edit": _hsu_supervision_action,
    "assessments:supervision-action-status": _hsu_supervision_action,
}


# Issue #18 pkp_review
def _hsu_pkp(w: dict):
    """A submitted PKP of the Hulu Sungai Utara puskesmas (one per test)."""
    from assessments.models import PkpAssessment

    from .assessments.pkp_review_fixtures import make_pkp

    puskesmas = w["hsu"]["puskesmas"]
    found = PkpAssessment.objects.filter(puskesmas=puskesmas, year=2026).first()
    return found or make_pkp(puskesmas, year=2026)


def _hsu_pkp_score(w: dict):
    return _hsu_pkp(w).scores.order_by("pk").first()


OBJECTS |= {
    "assessments:pkp-verify": _hsu_pkp,
    "assessments:pkp-feedback": _hsu_pkp,
    "assessments:pkp-return": _hsu_pkp,
    "assessments:pkp-approve": _hsu_pkp,
    "assessments:pkp-reopen": _hsu_pkp,
    "assessments:pkp-pdf": _hsu_pkp,
    "assessments:pkp-xlsx": _hsu_pkp,
    "assessments:pkp-verify-item": _hsu_pkp_score,
}


# Issue #18 mentoring
def _hsu_mentor_assignment(w: dict):
    from kernel.models import MentorAssignment

    from .assessments.factories import MentorAssignmentFactory

    district = w["hsu"]["district"]
    return MentorAssignment.objects.filter(district=district).first() or (
        MentorAssignmentFactory(district=district)
    )


def _hsu_mentoring(model_name: str):
    def make(w: dict):
        from .assessments import factories

        factory = getattr(factories, f"{model_name}Factory")
        model = factory._meta.model
        district = w["hsu"]["district"]
        return model.objects.filter(district=district).first() or factory(district=district)

    return make


OBJECTS |= {
    "assessments:mentoring-district": lambda w: w["hsu"]["district"],
    "assessments:capacity-detail": _hsu_mentoring("CapacityAssessment"),
    "assessments:capacity-edit": _hsu_mentoring("CapacityAssessment"),
    "assessments:mentoring-activity-edit": _hsu_mentoring("MentoringActivity"),
    "assessments:mentoring-activity-status": _hsu_mentoring("MentoringActivity"),
    "assessments:mentoring-visit-edit": _hsu_mentoring("MentoringVisit"),
    "assessments:mentoring-item-edit": _hsu_mentoring("MentoringItem"),
    "assessments:mentoring-item-status": _hsu_mentoring("MentoringItem"),
    "assessments:mentor-assignment-edit": _hsu_mentor_assignment,
}


# Issue #18 pkp
def _hsu_pkp_draft(w: dict):
    """A draft PKP 2025 of the Hulu Sungai Utara puskesmas, started by its head."""
    from assessments.models import PkpAssessment
    from assessments.services.pkp import pkp_start

    puskesmas = w["hsu"]["puskesmas"]
    return PkpAssessment.objects.filter(puskesmas=puskesmas, year=2025).first() or pkp_start(
        puskesmas=puskesmas, year=2025, by=_hsu_head(w)
    )


OBJECTS |= {
    "assessments:pkp-detail": _hsu_pkp_draft,
    "assessments:pkp-refresh": _hsu_pkp_draft,
    "assessments:pkp-submit": _hsu_pkp_draft,
    "assessments:pkp-service-edit": lambda w: _hsu_pkp_draft(w).service_results.first(),
    "assessments:pkp-score-edit": lambda w: _hsu_pkp_draft(w).scores.first(),
}
PUSKESMAS_OWNED |= {
    "assessments:pkp-refresh",
    "assessments:pkp-submit",
    "assessments:pkp-service-edit",
    "assessments:pkp-score-edit",
}


# Issue #19 API access: a Hulu Sungai Utara service account and one of its tokens.
def _hsu_service_account(w: dict):
    """A service account of the Hulu Sungai Utara district (one per test)."""
    from kernel.models import User

    from .factories import UserFactory

    found = User.objects.filter(is_service_account=True, district=w["hsu"]["district"]).first()
    if found is None:
        found = UserFactory(role="district_planner", district=w["hsu"]["district"])
        User.objects.filter(pk=found.pk).update(is_service_account=True)
        found.refresh_from_db()
    return found


def _hsu_service_token(w: dict):
    from api.services import token_create

    from .factories import UserFactory

    account = _hsu_service_account(w)
    keeper = UserFactory(role="district_planner", district=w["hsu"]["district"])
    return account.api_tokens.first() or token_create(user=account, name="t", by=keeper)[0]


OBJECTS |= {
    "apiaccess:token-revoke": _hsu_service_token,
    "apiaccess:service-account-detail": _hsu_service_account,
    "apiaccess:service-account-token-create": _hsu_service_account,
    "apiaccess:service-account-deactivate": _hsu_service_account,
}

# --- Issue #19: DHIS2 exchange (the district's mapping, export and import pages) ---
OBJECTS |= {
    f"exchange:dhis2-{page}": lambda w: w["hsu"]["district"]
    for page in ("district", "profile", "elements", "org-units", "export", "export-year", "import")
}

# URLs whose owner is sent on elsewhere (302) rather than shown a page.
REDIRECTING = {"kernel:notification-open"}

# URLs whose path holds a signed token instead of an id: the token says whose account it is
# (tests/test_accounts.py refuses a wrong, expired or used one).
TOKEN_URLS = {"kernel:first-login", "kernel:password-reset-confirm"}

# Django admin: staff only, for system administrators' support. The API (issue #19) answers
# tokens, not browser sessions: tests/api/ checks each of its ids from another area (404) and
# the fuzzing walks them all with tokens of two areas.
SKIPPED_NAMESPACES = {"admin", "api"}

# URLs whose id is national data, not an area's: every signed-in user reads them, so there is no
# other area to refuse (their own tests check who may change them). Issue #18: instruments
# (tests/assessments/test_instruments.py).
NATIONAL_URLS = {"assessments:instrument-detail", "assessments:instrument-export"}


def _walk(patterns, namespace: str = "", inherited: tuple[str, ...] = ()):
    for entry in patterns:
        converters = tuple(entry.pattern.converters) + inherited
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            full = f"{namespace}:{ns}".strip(":") if ns else namespace
            yield from _walk(entry.url_patterns, full, converters)
        elif isinstance(entry, URLPattern) and converters and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield name, converters


def id_taking_url_names() -> list[str]:
    return sorted(
        {
            name
            for name, _ in _walk(get_resolver().url_patterns)
            if name.split(":")[0] not in SKIPPED_NAMESPACES
            and name not in TOKEN_URLS
            and name not in NATIONAL_URLS
        }
    )


# --- issue #19: SATUSEHAT facility proposals ---
def _hsu_facility_proposal(w: dict):
    """A pending SATUSEHAT proposal of a new puskesmas in Hulu Sungai Utara."""
    from kernel.models import FacilityProposal, ImportJob

    from .factories import UserFactory

    planner = UserFactory(role="district_planner", district=w["hsu"]["district"])
    job = ImportJob.objects.create(
        kind=ImportJob.Kind.SATUSEHAT_FACILITIES,
        district=w["hsu"]["district"],
        file="imports/x.json",
        file_name="x.json",
        created_by=planner,
    )
    return FacilityProposal.objects.create(
        district=w["hsu"]["district"],
        job=job,
        satusehat_code="1000000001",
        name="Puskesmas Baru",
        kind=FacilityProposal.Kind.NEW,
    )


OBJECTS |= {
    "kernel:satusehat-accept": _hsu_facility_proposal,
    "kernel:satusehat-reject": _hsu_facility_proposal,
}


def test_every_id_taking_url_is_covered_by_this_test():
    missing = [name for name in id_taking_url_names() if name not in OBJECTS]
    assert not missing, f"Add these URL names to OBJECTS in {__file__}: {missing}"


@pytest.fixture
def other_area_users(other_district_user, other_province_user, world):
    from kernel.models import User

    from .factories import UserFactory

    other_head = UserFactory(
        username="other-head",
        role=User.Role.PUSKESMAS_HEAD,
        puskesmas=world["banjarmasin"]["puskesmas"],
    )
    return [other_district_user, other_province_user, other_head]


@pytest.mark.parametrize("name", sorted(OBJECTS))
def test_url_refuses_users_of_another_area(client, world, district_user, other_area_users, name):
    obj = OBJECTS[name](world)
    url = reverse(name, kwargs={"pk": obj.pk})
    # Control: the owner reaches it, so the 404s below come from scoping, not from a wrong id.
    client.force_login(_hsu_head(world) if name in PUSKESMAS_OWNED else district_user)
    assert client.get(url).status_code in ((302,) if name in REDIRECTING else (200, 405))
    for outsider in other_area_users:
        client.force_login(outsider)
        get = client.get(url)
        post = client.post(url, {"name": "changed by an outsider"})
        assert get.status_code in (403, 404, 405), f"GET {url} as {outsider.username}"
        assert post.status_code in (403, 404), f"POST {url} as {outsider.username}"
    fresh = type(obj).objects.get(pk=obj.pk)  # still there, unchanged by the outsiders
    assert getattr(fresh, "name", "") != "changed by an outsider"
    for field in ("status", "version"):
        assert getattr(fresh, field, None) == getattr(obj, field, None)


def test_a_province_reviewer_never_opens_a_district_or_puskesmas_import_job(
    client, world, province_user
):
    """Import jobs hold what the uploader typed, unapproved: the province reads approved data
    only, so it sees no job of its districts (issue #11)."""
    job = _hsu_import_job(world)
    client.force_login(province_user)
    for name in ("kernel:importjob-detail", "kernel:importjob-retry"):
        url = reverse(name, kwargs={"pk": job.pk})
        assert client.get(url).status_code in (404, 405)
        assert client.post(url).status_code == 404


def test_district_detail_of_another_province_is_404_for_reviewer(client, world, province_user):
    client.force_login(province_user)
    url = reverse("kernel:district-detail", kwargs={"pk": world["bontang"]["district"].pk})
    assert client.get(url).status_code == 404
