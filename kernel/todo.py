"""The to-do home (issue #15, must-have 2): what waits for each person, one click from where
it is done.

The kernel imports no domain app, so each app declares what it knows from its own `todo.py`,
imported in its AppConfig.ready():

    todo_register("indicators.reports", provider)

A provider is `provider(user, today) -> list[TodoItem]`: the items waiting for `user` on
`today`, read through the app's selectors (every queryset through `kernel.scoping.in_area`),
in a fixed number of queries whatever the area holds, and none for a role it has nothing for.
`todo_for(user, today)` calls every provider and groups their items by section. The kernel's
own provider here lists the unread notifications.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import User
from .selectors.notifications import latest_unread, unread_count

# How urgent an item is: late (danger), due soon or waiting on the user (warning), news (info).
TONES = ("danger", "warning", "info")


@dataclass(frozen=True)
class TodoItem:
    """One thing waiting: `label` says what, `count` how many (None: one thing, no number),
    `url` where it is done, `detail` a line more (a return's reason), `due_on` by when."""

    section: str | Promise
    label: str | Promise
    url: str
    count: int | None = None
    tone: str = "info"
    detail: str | Promise = ""
    due_on: datetime.date | None = None

    def __post_init__(self) -> None:
        if self.tone not in TONES:
            raise ValueError(f"tone must be one of {TONES}, not {self.tone!r}")


Provider = Callable[[User, datetime.date], list[TodoItem]]


@dataclass(frozen=True)
class _Entry:
    provider: Provider
    order: int


_PROVIDERS: dict[str, _Entry] = {}


def todo_register(name: str, provider: Provider, *, order: int = 100) -> None:
    """Declare a provider of to-do items (apps call this from their `todo.py`, imported in
    AppConfig.ready); sections show by `order`, then by registration. Registering a name
    again replaces its provider."""
    _PROVIDERS[name] = _Entry(provider, order)


@dataclass
class TodoSection:
    title: str | Promise
    items: list[TodoItem] = field(default_factory=list)

    @property
    def tone(self) -> str:
        """The section's most urgent tone."""
        return min((item.tone for item in self.items), key=TONES.index, default="info")


def todo_for(user: User, today: datetime.date) -> list[TodoSection]:
    """Everything waiting for `user` on `today`, by section (in the providers' order); within a
    section the most urgent first, then by due date. Empty when nothing waits."""
    entries = sorted(_PROVIDERS.values(), key=lambda entry: entry.order)  # stable: registration
    sections: dict[str, TodoSection] = {}
    for entry in entries:
        for item in entry.provider(user, today):
            key = str(item.section)
            sections.setdefault(key, TodoSection(item.section)).items.append(item)
    far = datetime.date.max
    for section in sections.values():
        section.items.sort(key=lambda item: (TONES.index(item.tone), item.due_on or far))
    return list(sections.values())


# --- The kernel's own provider: unread notifications ----------------------------------------


def notifications_todo(user: User, today: datetime.date) -> list[TodoItem]:
    """The unread notifications: how many (to the inbox), and the newest few, each opening its
    object and marking it read (two queries)."""
    count = unread_count(user)
    if not count:
        return []
    section = gettext_lazy("Notifications")
    summary = TodoItem(
        section=section,
        label=_("Unread notifications"),
        count=count,
        url=reverse("kernel:inbox"),
        tone="info",
    )
    return [summary] + [
        TodoItem(
            section=section,
            label=note.title,
            url=reverse("kernel:notification-open", args=[note.pk]),
            tone="info",
        )
        for note in latest_unread(user, limit=3)
    ]


todo_register("kernel.notifications", notifications_todo, order=900)
