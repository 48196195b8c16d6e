"""The UKBM situation of a meeting's area, as a section of its pack (issue #17, must-have 5).

Workshops cannot import community (it sits below), so this module registers a provider on
`workshops.pack_sections` at startup (CommunityConfig.ready). For a lokmin: the puskesmas's
posyandu; for a district meeting: those of every puskesmas of the district; nothing for a
provincial meeting. Per posyandu its desa, latest stratum up to the meeting's year and that
year, whether it runs ILP and its active cadres; then how many posyandu stand in each stratum.

A review counts once approved; a puskesmas's own users also see its reviews not yet approved
(marked with their status). Four queries whatever the number of posyandu.
"""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from kernel.models import ServicePoint, User
from kernel.scoping import in_area
from workshops.models import Meeting
from workshops.pack_sections import PackSection, register
from workshops.selectors.outcomes import service_points_of_meeting

from .models import Cadre, PosyanduReview, Stratum

KEY = "ukbm"


def _visible_reviews(user: User):
    """Reviews the pack reader may count: approved ones, and their own puskesmas's."""
    seen = Q(status=PosyanduReview.Status.APPROVED)
    if user.puskesmas_id:
        seen |= Q(puskesmas_id=user.puskesmas_id)
    return in_area(PosyanduReview.objects.all(), user).filter(seen)


def ukbm_section(meeting: Meeting, user: User) -> PackSection | None:
    """The pack section of the posyandu of the meeting's area, or None (a provincial meeting,
    or an area without posyandu)."""
    if meeting.level == "province":
        return None
    points = list(
        in_area(service_points_of_meeting(meeting), user)
        .filter(kind=ServicePoint.Kind.POSYANDU, is_active=True)
        .select_related("village", "puskesmas")
        .order_by("puskesmas__name", "village__name", "name", "pk")
    )
    if not points:
        return None
    ids = [point.pk for point in points]
    latest: dict[int, PosyanduReview] = {}
    reviews = (
        _visible_reviews(user)
        .filter(service_point_id__in=ids, year__lte=meeting.year)
        .exclude(stratum="")
        .only("service_point_id", "year", "stratum", "status")
        .order_by("service_point_id", "-year")
    )
    for review in reviews:
        latest.setdefault(review.service_point_id, review)
    cadres = dict(
        in_area(Cadre.objects.filter(service_point_id__in=ids, is_active=True), user)
        .values("service_point_id")
        .annotate(count=Count("pk"))
        .values_list("service_point_id", "count")
    )
    strata = dict(Stratum.choices)
    district_wide = meeting.level == "district"
    rows, counts = [], Counter()
    for point in points:
        review = latest.get(point.pk)
        if review is None:
            stratum, year = _("Not reviewed"), None
            counts[""] += 1
        else:
            stratum, year = str(strata.get(review.stratum, review.stratum)), review.year
            if review.status != PosyanduReview.Status.APPROVED:
                stratum = f"{stratum} ({review.get_status_display().lower()})"
            counts[review.stratum] += 1
        row = [
            point.name,
            point.village.name if point.village_id else "",
            stratum,
            year,
            _("Yes") if point.runs_ilp else _("No"),
            cadres.get(point.pk, 0),
        ]
        rows.append([point.puskesmas.name, *row] if district_wide else row)
    headers = [
        _("Posyandu"),
        _("Desa"),
        _("Latest stratum"),
        _("Review year"),
        _("Runs ILP"),
        _("Active cadres"),
    ]
    summary = [(str(label), counts[value]) for value, label in Stratum.choices]
    summary.append((_("Not reviewed"), counts[""]))
    summary.append((_("Running ILP"), sum(point.runs_ilp for point in points)))
    return PackSection(
        key=KEY,
        title=_("UKBM situation: posyandu and their strata"),
        headers=["Puskesmas", *headers] if district_wide else headers,
        rows=rows,
        summary=summary,
        note=_(
            "The latest yearly review up to %(year)s of each active posyandu; a stratum counts "
            "once the district has approved the review."
        )
        % {"year": meeting.year},
    )


def register_pack_section() -> None:
    """Called from CommunityConfig.ready: the pack of every meeting gets the UKBM section."""
    register(ukbm_section)
