"""Bounded parameter types: no value a client sends can overflow a database integer."""

from __future__ import annotations

from typing import Annotated

from ninja import Field

Id = Annotated[int, Field(ge=1, le=2_147_483_647)]
Year = Annotated[int, Field(ge=2000, le=2100)]
Month = Annotated[int, Field(ge=1, le=12)]
Quarter = Annotated[int, Field(ge=1, le=4)]
# A DHIS2 period as DHIS2 writes a month: 202611.
Period = Annotated[str, Field(pattern=r"^(20\d\d)(0[1-9]|1[0-2])$")]
