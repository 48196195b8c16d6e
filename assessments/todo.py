"""What the assessments ask of each person, for the to-do home (kernel.todo).

- PKP (issue #18): a district planner sees the submitted PKPs waiting for verification; a
  puskesmas's heads and staff see their PKP returned by the district, with its reason.

Reads go through the selectors (scoped by `in_area`); one query per provider, none for a role
it has nothing for.
"""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kernel.models import User
from kernel.roles import is_district_planner, is_puskesmas_member
from kernel.todo import TodoItem, todo_register

from .models import PkpAssessment
from .selectors import pkp_review as selectors

PKP = gettext_lazy("Puskesmas performance assessment (PKP)")
Status = PkpAssessment.Status


def pkp_todo(user: User, today: datetime.date) -> list[TodoItem]:
    if is_district_planner(user) and user.district_id:
        waiting = selectors.readable_pkps(user=user).filter(status=Status.SUBMITTED)
        count = waiting.count()
        if not count:
            return []
        return [
            TodoItem(
                section=PKP,
                label=ngettext(
                    "%(count)s PKP waiting for your verification",
                    "%(count)s PKPs waiting for your verification",
                    count,
                )
                % {"count": count},
                count=count,
                url=f"{reverse('assessments:pkp-list')}?{urlencode({'status': Status.SUBMITTED})}",
                tone="warning",
            )
        ]
    if not (is_puskesmas_member(user) and user.puskesmas_id):
        return []
    return [
        TodoItem(
            section=PKP,
            label=_("PKP %(year)s returned: fix and submit again") % {"year": pkp.year},
            url=reverse("assessments:pkp-detail", args=[pkp.pk]),
            tone="danger",
            detail=pkp.return_reason,
        )
        for pkp in selectors.readable_pkps(user=user).filter(status=Status.RETURNED)[:3]
    ]


todo_register("assessments.pkp", pkp_todo, order=45)


MENTORING = gettext_lazy("Planning mentoring")


def mentoring_todo(user: User, today: datetime.date) -> list[TodoItem]:
    """A planning mentor, and a district's planners: the mentoring RTL items past their date
    and the plan's activities due in the next two weeks, per district (two queries)."""
    from django.db.models import Count

    from kernel.roles import is_mentor
    from kernel.scoping import in_area

    from .models import MentoringActivity, MentoringItem

    if not (is_mentor(user) or (is_district_planner(user) and user.district_id)):
        return []
    open_statuses = MentoringItem.OPEN_STATUSES
    late = (
        in_area(MentoringItem.objects.all(), user)
        .filter(status__in=open_statuses, due_on__lt=today)
        .values("district_id", "district__name")
        .annotate(n=Count("pk"))
        .order_by("district__name")
    )
    soon = (
        in_area(MentoringActivity.objects.all(), user)
        .filter(status__in=open_statuses, due_on__gte=today)
        .filter(due_on__lte=today + datetime.timedelta(days=14))
        .values("district_id", "district__name")
        .annotate(n=Count("pk"))
        .order_by("district__name")
    )
    items = []
    for row in late:
        items.append(
            TodoItem(
                section=MENTORING,
                label=ngettext(
                    "%(district)s: %(count)s mentoring RTL item past its date",
                    "%(district)s: %(count)s mentoring RTL items past their date",
                    row["n"],
                )
                % {"district": row["district__name"], "count": row["n"]},
                count=row["n"],
                url=reverse("assessments:mentoring-district", args=[row["district_id"]]),
                tone="danger",
            )
        )
    if is_mentor(user):
        for row in soon:
            items.append(
                TodoItem(
                    section=MENTORING,
                    label=ngettext(
                        "%(district)s: %(count)s plan activity due in two weeks",
                        "%(district)s: %(count)s plan activities due in two weeks",
                        row["n"],
                    )
                    % {"district": row["district__name"], "count": row["n"]},
                    count=row["n"],
                    url=reverse("assessments:mentoring-district", args=[row["district_id"]]),
                    tone="warning",
                )
            )
    return items


todo_register("assessments.mentoring", mentoring_todo, order=46)
