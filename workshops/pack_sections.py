"""More sections of the meeting pack, from the apps above workshops (issue #17).

Workshops sits below apps such as community, so it cannot import them: an app registers a
provider here at startup (its AppConfig.ready), a callable `(meeting, user) -> PackSection |
None`, and the pack (selectors/pack.py) collects what each gives into
`MeetingPack.extra_sections`. The pack's page, PDF and workbook show every section the same
way: a title, an optional note and summary, and a table (one more sheet in the workbook).
A provider reads only what `user` may see, in a fixed number of queries, and returns None when
it has nothing to say about the meeting.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kernel.spreadsheets import safe_sheet_title

if TYPE_CHECKING:
    from kernel.models import User

    from .models import Meeting

logger = logging.getLogger(__name__)


@dataclass
class PackSection:
    """One more section of the pack: its title, table headings and rows (plain values: text,
    numbers, dates), an optional note under the table and summary figures above it."""

    key: str  # stable, for tests and anchors: "ukbm"
    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    note: str = ""
    summary: Sequence[tuple[str, Any]] = field(default_factory=list)  # (label, value)
    empty: str = ""  # shown instead of an empty table

    @property
    def sheet_title(self) -> str:
        return safe_sheet_title(str(self.title))


Provider = Callable[["Meeting", "User"], PackSection | None]

PROVIDERS: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Add a provider (once; usable as a decorator)."""
    if provider not in PROVIDERS:
        PROVIDERS.append(provider)
    return provider


def unregister(provider: Provider) -> None:
    if provider in PROVIDERS:
        PROVIDERS.remove(provider)


def sections_for(meeting: Meeting, user: User) -> list[PackSection]:
    """What every registered provider gives for the meeting, in registration order."""
    sections = []
    for provider in PROVIDERS:
        section = provider(meeting, user)
        if section is not None:
            sections.append(section)
    return sections
