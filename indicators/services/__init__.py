"""Writes to areas and organisation. Each module holds one part; import from here."""

from .organisation import (  # noqa: F401
    partner_save,
    puskesmas_save,
    service_point_delete,
    service_point_save,
    unit_delete,
    unit_save,
)
from .users import user_save  # noqa: F401
