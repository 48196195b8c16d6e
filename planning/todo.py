"""What plans ask of each person, for the to-do home (kernel.todo).

- District planners: the puskesmas RUKs submitted for their review, per year.
- Puskesmas heads and staff: their RUK returned by the district, with its reason.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Min
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kernel.models import User
from kernel.roles import is_district_planner, is_puskesmas_member
from kernel.scoping import in_area
from kernel.todo import TodoItem, todo_register

from .models import Plan

PLANS = gettext_lazy("RUK")
SUBMITTED: str = Plan.Status.SUBMITTED.value


def district_plans_todo(user: User, today: datetime.date) -> list[TodoItem]:
    """The puskesmas RUKs of the planner's district waiting for review, per year (one query):
    the RUK itself when it is the only one of its year, else the year's compilation filtered to
    the submitted ones."""
    if not (is_district_planner(user) and user.district_id):
        return []
    rows = (
        in_area(Plan.objects.filter(status=Plan.Status.SUBMITTED, puskesmas__isnull=False), user)
        .values("year")
        .annotate(count=Count("pk"), first=Min("pk"))
        .order_by("year")
    )
    items = []
    for row in rows:
        count, year = row["count"], row["year"]
        query = urlencode({"year": str(year), "status": SUBMITTED})
        url = (
            reverse("planning:plan-detail", args=[row["first"]])
            if count == 1
            else f"{reverse('planning:ruk-list')}?{query}"
        )
        items.append(
            TodoItem(
                section=PLANS,
                label=ngettext(
                    "RUK %(year)s: %(count)s submitted for your review",
                    "RUK %(year)s: %(count)s submitted for your review",
                    count,
                )
                % {"year": year, "count": count},
                count=count,
                url=url,
                tone="warning",
                detail=_("Approve each one or return it with a reason."),
            )
        )
    return items


def puskesmas_plans_todo(user: User, today: datetime.date) -> list[TodoItem]:
    """The puskesmas's RUKs the district returned, with the reason (one query)."""
    if not (is_puskesmas_member(user) and user.puskesmas_id):
        return []
    plans = in_area(
        Plan.objects.filter(status=Plan.Status.RETURNED, puskesmas_id=user.puskesmas_id), user
    ).order_by("year")
    return [
        TodoItem(
            section=PLANS,
            label=_("RUK %(year)s returned: fix and submit again") % {"year": plan.year},
            url=reverse("planning:plan-detail", args=[plan.pk]),
            tone="danger",
            detail=plan.return_reason,
        )
        for plan in plans
    ]


todo_register("planning.district_plans", district_plans_todo, order=35)
todo_register("planning.puskesmas_plans", puskesmas_plans_todo, order=45)
