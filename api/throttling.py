"""Rate limit per token (ninja's AuthRateThrottle keys on str(token): "token <pk>")."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import AuthRateThrottle


class TokenRateThrottle(AuthRateThrottle):
    """A limit read from a setting on every request (so it follows the environment)."""

    def __init__(self, setting: str) -> None:
        self.setting = setting
        self.scope = setting.lower()  # each limit counts in its own cache key
        super().__init__(getattr(settings, setting))

    def allow_request(self, request: HttpRequest) -> bool:
        rate = getattr(settings, self.setting)
        if rate != self.rate:
            self.rate = rate
            self.num_requests, self.duration = self.parse_rate(rate)
        return super().allow_request(request)


def throttles() -> list[AuthRateThrottle]:
    """The limits every token has: a burst per minute and a budget per hour (settings)."""
    return [TokenRateThrottle("SIMPUL_API_RATE_MINUTE"), TokenRateThrottle("SIMPUL_API_RATE_HOUR")]
