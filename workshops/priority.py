"""Problem prioritisation methods and their scales (DOMAIN.md §3, P1).

- USG: urgency, seriousness and growth, each scored 1-5; the priority is their sum.
- Hanlon: size of the problem A (0-10), seriousness B (0-20), effectiveness of the available
  intervention C (0-10) and PEARL (propriety, economics, acceptability, resources, legality,
  each 0 or 1); the priority is (A + B) x C x P x E x A x R x L.
- CARL: capability, accessibility, readiness and leverage, each scored 1-5; the priority is their
  product.
A higher score ranks first. The meeting chooses the method; each problem gets a score per
criterion.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Criterion:
    code: str
    label: str
    low: int
    high: int


@dataclass(frozen=True)
class Method:
    code: str
    name: str
    criteria: tuple[Criterion, ...]
    formula: str

    def score(self, scores: Mapping[str, int]) -> Decimal:
        values = [int(scores[c.code]) for c in self.criteria]
        if self.code == "usg":
            return Decimal(sum(values))
        if self.code == "hanlon":
            a, b, c, *pearl = values
            return Decimal((a + b) * c * math.prod(pearl))
        return Decimal(math.prod(values))


_PEARL = tuple(
    Criterion(code, label, 0, 1)
    for code, label in (
        ("p", _("Propriety (P)")),
        ("e", _("Economics (E)")),
        ("a2", _("Acceptability (A)")),
        ("r", _("Resources (R)")),
        ("l", _("Legality (L)")),
    )
)

METHODS: dict[str, Method] = {
    "usg": Method(
        "usg",
        "USG",
        (
            Criterion("u", _("Urgency"), 1, 5),
            Criterion("s", _("Seriousness"), 1, 5),
            Criterion("g", _("Growth"), 1, 5),
        ),
        "U + S + G",
    ),
    "hanlon": Method(
        "hanlon",
        "Hanlon",
        (
            Criterion("a", _("Size of the problem (A)"), 0, 10),
            Criterion("b", _("Seriousness (B)"), 0, 20),
            Criterion("c", _("Effectiveness of the intervention (C)"), 0, 10),
            *_PEARL,
        ),
        "(A + B) × C × PEARL",
    ),
    "carl": Method(
        "carl",
        "CARL",
        (
            Criterion("c", _("Capability"), 1, 5),
            Criterion("a", _("Accessibility"), 1, 5),
            Criterion("r", _("Readiness"), 1, 5),
            Criterion("l", _("Leverage"), 1, 5),
        ),
        "C × A × R × L",
    ),
}


def clean_scores(method_code: str, raw: Mapping[str, object]) -> dict[str, int]:
    """Whole-number scores within each criterion's scale, or a ValidationError naming each bad
    criterion (keyed by criterion code). Missing criteria are errors too."""
    method = METHODS[method_code]
    cleaned, errors = {}, {}
    for criterion in method.criteria:
        value = raw.get(criterion.code)
        try:
            number = int(str(value).strip())
        except (TypeError, ValueError):
            errors[criterion.code] = _("%(criterion)s: enter a whole number.") % {
                "criterion": criterion.label
            }
            continue
        if not criterion.low <= number <= criterion.high:
            errors[criterion.code] = _(
                "%(criterion)s: %(value)s is outside the scale %(low)s to %(high)s."
            ) % {
                "criterion": criterion.label,
                "value": number,
                "low": criterion.low,
                "high": criterion.high,
            }
            continue
        cleaned[criterion.code] = number
    if errors:
        raise ValidationError(errors)
    return cleaned
