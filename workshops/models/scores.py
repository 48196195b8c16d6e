"""The management score a puskesmas earns for the lokmin it holds (PKP, DOMAIN.md §3, P3).

The bands are data, loaded by a migration and editable in admin: monthly lokmin 9-12 a year score
10, 5-8 score 7, fewer score 4; quarterly lokmin 4 a year score 10, 2-3 score 7, fewer score 4.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .meetings import Meeting


class ManagementScoreBand(models.Model):
    kind = models.CharField(
        _("kind of meeting"),
        max_length=20,
        choices=[(kind.value, kind.label) for kind in Meeting.LOKMIN_KINDS],
    )
    min_held = models.PositiveSmallIntegerField(_("held at least"))
    max_held = models.PositiveSmallIntegerField(
        _("held at most"), null=True, blank=True, help_text=_("Empty: no upper limit.")
    )
    score = models.PositiveSmallIntegerField(_("score"))
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["kind", "-min_held"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "min_held"], name="score_band_unique_start")
        ]
        verbose_name = _("management score band")
        verbose_name_plural = _("management score bands")

    def __str__(self) -> str:
        upper = "" if self.max_held is None else f"-{self.max_held}"
        return f"{self.get_kind_display()} {self.min_held}{upper}: {self.score}"

    def covers(self, held: int) -> bool:
        return held >= self.min_held and (self.max_held is None or held <= self.max_held)
