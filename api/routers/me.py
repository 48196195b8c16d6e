"""Who the token is: user, role, area, and what the API will show them."""

from __future__ import annotations

from ninja import Router, Schema

from kernel.roles import reads_approved_only

from ..errors import ERRORS

PREFIX = "/me"
router = Router(tags=["me"])


class Area(Schema):
    kind: str
    id: int
    code: str
    name: str


class Me(Schema):
    username: str
    name: str
    role: str
    is_service_account: bool
    area: Area | None
    reads_approved_only: bool
    token: str


@router.get("", response={200: Me, **ERRORS}, summary="The token's user, role and area")
def me(request):
    user = request.user
    area = user.area
    return {
        "username": user.username,
        "name": user.get_full_name() or user.username,
        "role": user.role,
        "is_service_account": user.is_service_account,
        "area": (
            {"kind": area.area_kind, "id": area.pk, "code": area.code, "name": area.name}
            if area is not None
            else None
        ),
        "reads_approved_only": bool(reads_approved_only(user)),
        "token": request.auth.name,
    }
