"""What the community layer asks of each person, for the to-do home (kernel.todo).

- Reviews (issue #17): a district planner sees the posyandu and desa siaga aktif reviews
  waiting for approval; a puskesmas's heads and staff see their reviews returned by the
  district, each with its reason.

Reads go through the selectors (scoped by `in_area`); each provider costs a fixed number of
queries whatever the area holds, none for a role it has nothing for.
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

from .selectors import reviews as review_selectors

REVIEWS = gettext_lazy("Posyandu and desa siaga aktif reviews")
RETURNED_SHOWN = 5  # returned reviews listed one by one; the rest as a count


def reviews_todo(user: User, today: datetime.date) -> list[TodoItem]:
    """District planners: the reviews waiting for approval (one item, to the list of them).
    Puskesmas staff: the returned reviews with their reasons. Two or four queries."""
    Status = review_selectors.Status
    if is_district_planner(user) and user.district_id:
        counts = review_selectors.waiting_counts(user=user)
        count = counts[Status.SUBMITTED]
        if not count:
            return []
        return [
            TodoItem(
                section=REVIEWS,
                label=ngettext(
                    "%(count)s review waiting for your approval",
                    "%(count)s reviews waiting for your approval",
                    count,
                )
                % {"count": count},
                count=count,
                url=f"{reverse('community:review-list')}?{urlencode({'status': Status.SUBMITTED})}",
                tone="warning",
            )
        ]
    if not (is_puskesmas_member(user) and user.puskesmas_id):
        return []
    items = []
    for queryset, kind, name in (
        (
            review_selectors.readable_posyandu_reviews(user=user).select_related("service_point"),
            review_selectors.POSYANDU,
            "community:posyandu-review",
        ),
        (
            review_selectors.readable_village_reviews(user=user).select_related("village"),
            review_selectors.VILLAGE,
            "community:village-review",
        ),
    ):
        for review in queryset.filter(status=Status.RETURNED).order_by("-decided_at")[
            :RETURNED_SHOWN
        ]:
            subject = review.service_point if kind == review_selectors.POSYANDU else review.village
            items.append(
                TodoItem(
                    section=REVIEWS,
                    label=_("%(name)s %(year)s returned: fix and submit again")
                    % {"name": subject.name, "year": review.year},
                    url=reverse(name, args=[review.pk]),
                    tone="danger",
                    detail=review.return_reason,
                )
            )
    return items


todo_register("community.reviews", reviews_todo, order=40)
