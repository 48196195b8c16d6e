"""Funding sources of health activities (DOMAIN.md §3, P1): shared by RTL items, Musrenbang
proposals and the puskesmas plans (RUK, RPK)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class FundingSource(models.TextChoices):
    APBD = "apbd", "APBD"
    DAK_PHYSICAL = "dak_fisik", _("DAK fisik (physical)")
    BOK = "bok", _("DAK non-fisik (BOK)")
    JKN = "jkn", _("JKN capitation")
    BLUD = "blud", "BLUD"
    VILLAGE_FUND = "dana_desa", "Dana Desa"
    # Tobacco excise revenue share; at least half prioritised for JKN (DOMAIN.md §7, issue #16).
    DBH_CHT = "dbh_cht", _("DBH-CHT (tobacco excise share)")
    OTHER = "other", _("Other")
