"""API tests: a token per user, and a client that sends it (issue #19)."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache

from api.services import token_create


class ApiClient:
    """Django's test client with `Authorization: Bearer <token>` on every request."""

    def __init__(self, client, token: str):
        self.client, self.token = client, token

    def _headers(self, headers):
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}", **(headers or {})}

    def get(self, path, data=None, **headers):
        return self.client.get(path, data, **self._headers(headers))

    def post(self, path, body=None, **headers):
        return self.client.post(
            path, json.dumps(body or {}), content_type="application/json", **self._headers(headers)
        )

    def put(self, path, body=None, **headers):
        return self.client.put(
            path, json.dumps(body or {}), content_type="application/json", **self._headers(headers)
        )

    def patch(self, path, body=None, **headers):
        return self.client.patch(
            path, json.dumps(body or {}), content_type="application/json", **self._headers(headers)
        )


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()  # the per-token rate limits live in the cache
    yield


@pytest.fixture
def api_as(client):
    """`api_as(user)`: an ApiClient holding a new token of `user`."""

    def make(user, name="test"):
        _, token = token_create(user=user, name=name, by=user)
        return ApiClient(client, token)

    return make
