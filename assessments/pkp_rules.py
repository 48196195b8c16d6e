"""The PKP's data rules (issue #18): registered in data_rules.RULES.

Each rule takes the puskesmas, the year and the item, and `cache`: a dict the caller keeps for
one fill of one PKP, so the figures every item of a kind needs are read once (the SPM targets
and monthly values of all services in two queries, the lokmin counts in one). They read
through the models and selectors of indicators, workshops and planning, and never write.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.dates import MONTHS_3
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .data_rules import Filled, register

Cache = dict[str, Any]


def _cached(cache: Cache | None, key: str, load: Callable[[], Any]) -> Any:
    if cache is None:
        return load()
    if key not in cache:
        cache[key] = load()
    return cache[key]


def _months_text(months: list[int]) -> str:
    """1, 2, 3, 5 -> "Jan-Mar, Mei" (the month abbreviations of the user's language)."""
    runs: list[list[int]] = []
    for month in sorted(set(months)):
        if runs and runs[-1][-1] == month - 1:
            runs[-1].append(month)
        else:
            runs.append([month])

    def name(month: int) -> str:
        return str(MONTHS_3[month]).capitalize()

    return ", ".join(
        name(run[0]) if len(run) == 1 else f"{name(run[0])}-{name(run[-1])}" for run in runs
    )


# --- SPM services: target group and people served -----------------------------------------------


def _in_year_edition(year: int, prefix: str = "service__") -> Q:
    """The SPM edition that applies in `year` (an item of an older edition is mapped by code)."""
    return Q(**{f"{prefix}edition__first_year__lte": year}) & (
        Q(**{f"{prefix}edition__last_year__isnull": True})
        | Q(**{f"{prefix}edition__last_year__gte": year})
    )


def _spm_figures(puskesmas, year: int) -> dict[str, Any]:
    """The puskesmas's targets of record and people served per SPM code in `year` (2 queries)."""
    from indicators.models import MonthlyValue, SPMService, Target

    targets = {
        row["service__code"]: (row["total"], row["villages"])
        for row in Target.objects.filter(
            _in_year_edition(year),
            village__puskesmas=puskesmas,
            year=year,
            is_of_record=True,
            service__level=SPMService.Level.DISTRICT,
        )
        .values("service__code")
        .annotate(total=Sum("value"), villages=Count("village", distinct=True))
        .order_by()
    }
    served: dict[str, int] = defaultdict(int)
    months: dict[str, list[int]] = defaultdict(list)
    for row in (
        MonthlyValue.objects.filter(
            _in_year_edition(year),
            report__puskesmas=puskesmas,
            report__year=year,
            value__isnull=False,
        )
        .values("service__code", "report__month")
        .annotate(total=Sum("value"))
        .order_by()
    ):
        served[row["service__code"]] += row["total"] or 0
        months[row["service__code"]].append(row["report__month"])
    return {"targets": targets, "served": dict(served), "months": dict(months)}


@register("spm_service", gettext_lazy("SPM service: target group and people served"))
def spm_service(*, puskesmas, year: int, item, cache: Cache | None = None) -> Filled | None:
    if item.service_id is None:
        return None
    code = item.service.code
    figures = _cached(cache, "spm", lambda: _spm_figures(puskesmas, year))
    target = figures["targets"].get(code)
    months = figures["months"].get(code, [])
    if target is None and not months:
        return None
    parts = []
    if target is not None:
        parts.append(_("target of record of %(count)s desa") % {"count": target[1]})
    else:
        parts.append(_("no target of record"))
    if months:
        parts.append(_("served in %(months)s (monthly reports)") % {"months": _months_text(months)})
    else:
        parts.append(_("no monthly values"))
    return Filled(
        target_group=None if target is None else target[0],
        actual=figures["served"].get(code) if months else None,
        note="; ".join(parts)[:300],
    )


# --- Lokmin held ----------------------------------------------------------------------------------


def _lokmin(puskesmas, year: int) -> dict[str, Any]:
    from workshops.models import Meeting
    from workshops.selectors.scores import score_bands

    held = Meeting.objects.filter(
        puskesmas=puskesmas, status__in=Meeting.HELD_STATUSES, held_on__year=year
    ).aggregate(
        monthly=Count("pk", filter=Q(kind=Meeting.Kind.MONTHLY_LOKMIN)),
        quarterly=Count("pk", filter=Q(kind=Meeting.Kind.QUARTERLY_LOKMIN)),
    )
    return {"held": held, "bands": score_bands()}


@register("lokmin_monthly", gettext_lazy("Monthly lokmin held in the year"))
def lokmin_monthly(*, puskesmas, year: int, item=None, cache: Cache | None = None) -> Filled | None:
    data = _cached(cache, "lokmin", lambda: _lokmin(puskesmas, year))
    held = data["held"]["monthly"]
    score = data["bands"].monthly_score(held)
    if score is None:
        return None
    return Filled(score=Decimal(score), note=_("%(count)s monthly lokmin held") % {"count": held})


@register("lokmin_quarterly", gettext_lazy("Quarterly lokmin held in the year"))
def lokmin_quarterly(
    *, puskesmas, year: int, item=None, cache: Cache | None = None
) -> Filled | None:
    data = _cached(cache, "lokmin", lambda: _lokmin(puskesmas, year))
    held = data["held"]["quarterly"]
    score = data["bands"].quarterly_score(held)
    if score is None:
        return None
    return Filled(score=Decimal(score), note=_("%(count)s quarterly lokmin held") % {"count": held})


# --- Planning: RUK and RPK ------------------------------------------------------------------------

# RUK activities that rest on the situation analysis: an SPM gap or an RTL item of a meeting.
ANALYSED_ORIGINS = ("gap", "rtl")


@register("ruk_situation_analysis", gettext_lazy("Next year's RUK from a situation analysis"))
def ruk_situation_analysis(
    *, puskesmas, year: int, item=None, cache: Cache | None = None
) -> Filled | None:
    """0: no RUK for next year (or an empty one); 4: a RUK, none of its activities from an SPM
    gap or a meeting's RTL; 7: some are; 10: sent to the Dinkes (submitted or approved) with
    at least half of its activities from them."""
    from planning.models import Plan

    plan = (
        Plan.objects.filter(puskesmas=puskesmas, year=year + 1)
        .annotate(
            total=Count("activities"),
            analysed=Count("activities", filter=Q(activities__origin__in=ANALYSED_ORIGINS)),
        )
        .first()
    )
    if plan is None or not plan.total:
        return Filled(score=Decimal(0), note=_("no RUK for %(year)s") % {"year": year + 1})
    sent = plan.status in (Plan.Status.SUBMITTED, Plan.Status.APPROVED)
    if plan.analysed == 0:
        score = 4
    elif sent and plan.analysed * 2 >= plan.total:
        score = 10
    else:
        score = 7
    note = _(
        "RUK %(year)s (%(status)s): %(analysed)s of %(total)s activities from SPM gaps or RTL"
    ) % {
        "year": year + 1,
        "status": plan.get_status_display(),
        "analysed": plan.analysed,
        "total": plan.total,
    }
    return Filled(score=Decimal(score), note=note)


@register("rpk_detailed", gettext_lazy("RPK schedules every activity of the approved RUK"))
def rpk_detailed(*, puskesmas, year: int, item=None, cache: Cache | None = None) -> Filled | None:
    """0: no approved RUK of the year or nothing scheduled; 4: under half of its activities
    scheduled month by month; 7: half or more; 10: all."""
    from planning.models import Plan

    plan = (
        Plan.objects.filter(puskesmas=puskesmas, year=year, status=Plan.Status.APPROVED)
        .annotate(
            total=Count("activities", distinct=True),
            scheduled=Count(
                "activities", filter=Q(activities__schedule__isnull=False), distinct=True
            ),
        )
        .first()
    )
    if plan is None or not plan.total:
        return Filled(score=Decimal(0), note=_("no approved RUK for %(year)s") % {"year": year})
    if plan.scheduled == 0:
        score = 0
    elif plan.scheduled == plan.total:
        score = 10
    elif plan.scheduled * 2 >= plan.total:
        score = 7
    else:
        score = 4
    note = _("RPK %(year)s: %(scheduled)s of %(total)s activities scheduled") % {
        "year": year,
        "scheduled": plan.scheduled,
        "total": plan.total,
    }
    return Filled(score=Decimal(score), note=note)


# --- Last year's PKP ------------------------------------------------------------------------------


@register("pkp_last_year", gettext_lazy("Last year's PKP made, sent and answered"))
def pkp_last_year(*, puskesmas, year: int, item=None, cache: Cache | None = None) -> Filled | None:
    """0: none; 4: a draft (or returned); 7: submitted, or approved without feedback; 10:
    approved with the Dinkes's feedback."""
    from .models import PkpAssessment

    last = (
        PkpAssessment.objects.filter(puskesmas=puskesmas, year=year - 1)
        .only("status", "feedback")
        .first()
    )
    if last is None:
        return Filled(score=Decimal(0), note=_("no PKP for %(year)s") % {"year": year - 1})
    Status = PkpAssessment.Status
    if last.status == Status.APPROVED and last.feedback.strip():
        score = 10
    elif last.status in (Status.SUBMITTED, Status.APPROVED):
        score = 7
    else:
        score = 4
    note = _("PKP %(year)s: %(status)s") % {
        "year": year - 1,
        "status": last.get_status_display(),
    }
    if last.feedback.strip():
        note = _("%(note)s, with feedback") % {"note": note}
    return Filled(score=Decimal(score), note=note)
