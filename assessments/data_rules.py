"""Rules that fill an instrument item from Simpul's own data (Item.rule is a key of RULES).

A rule gets the puskesmas and the year and returns a `Filled`: for a scored item the level
score it earns and a note saying what the data shows ("11 monthly lokmin held"); for an item of
the PKP service part the target group and the people served. None when the data cannot say
(the item stays for the puskesmas to fill). Rules read through selectors of the apps below
(indicators, workshops, planning); they never write.

The PKP part (issue #18, part 2) fills RULES; instruments validate `Item.rule` against it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Filled:
    score: Decimal | None = None  # a scored item: the level it earns
    target_group: int | None = None  # a service item: people in the target group
    actual: int | None = None  # a service item: people served
    note: str = ""  # what the data shows, in the user's language


Rule = Callable[..., "Filled | None"]  # rule(puskesmas=..., year=..., item=...) -> Filled | None

# key -> (label shown in the admin and the import, the rule)
RULES: dict[str, tuple[Any, Rule]] = {}


def register(key: str, label: Any) -> Callable[[Rule], Rule]:
    def wrap(rule: Rule) -> Rule:
        RULES[key] = (label, rule)
        return rule

    return wrap


def rule_choices() -> list[tuple[str, Any]]:
    return [("", "-")] + [(key, label) for key, (label, _rule) in sorted(RULES.items())]
