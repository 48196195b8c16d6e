"""Bearer tokens: the API acts as the token's user, with their role and area (issue #19)."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from .models import TOKEN_PREFIX, ApiToken, token_digest

# last_used_at is written at most this often per token: a busy integration must not turn every
# read into a write.
TOUCH_EVERY = datetime.timedelta(minutes=5)


class TokenAuth(HttpBearer):
    """`Authorization: Bearer smp_...`: an active token of an active user, or 401."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
            return None
        now = timezone.now()
        found = (
            ApiToken.objects.active(now)
            .select_related("user", "user__province", "user__district", "user__puskesmas")
            .filter(digest=token_digest(token), user__is_active=True)
            .first()
        )
        if found is None:
            return None
        if found.last_used_at is None or now - found.last_used_at > TOUCH_EVERY:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found
