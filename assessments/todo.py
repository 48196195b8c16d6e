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
