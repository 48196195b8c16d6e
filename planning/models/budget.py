"""Budget sub-activities (sub kegiatan) of the regional planning nomenclature, as data.

The codes of program 1.02.02 (Pemenuhan Upaya Kesehatan Perorangan dan Upaya Kesehatan
Masyarakat), activity 1.02.02.2.02: .0001 to .0012 are the 12 SPM services in order (DOMAIN.md §2);
the rest of the activity's sub-activities changed between nomenclature editions, so the ones that
could not be checked against the regulation's own text are marked unverified (editable in admin).
"""

from __future__ import annotations

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class BudgetSubActivity(models.Model):
    """One sub-activity code a plan's activity is budgeted under, tied to its SPM service by
    number where it is one of the 12 SPM codes."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name_id = models.CharField(_("name (Indonesian)"), max_length=250)
    name_en = models.CharField(_("name (English)"), max_length=250)
    # The SPM service (number, district level) this code budgets; empty for the others.
    spm_number = models.PositiveSmallIntegerField(
        _("SPM service number"), null=True, blank=True, unique=True
    )
    nomenclature = models.CharField(
        _("nomenclature"),
        max_length=150,
        help_text=_("The regulation that lists this code, e.g. a Kepmendagri on the nomenclature."),
    )
    is_verified = models.BooleanField(
        _("verified"),
        default=False,
        help_text=_("Ticked once the code and name were checked against the regulation's text."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("budget sub-activity")
        verbose_name_plural = _("budget sub-activities")

    def __str__(self) -> str:
        return f"{self.code} {self.label}"

    @property
    def label(self) -> str:
        return self.name_en if translation.get_language() == "en" else self.name_id
