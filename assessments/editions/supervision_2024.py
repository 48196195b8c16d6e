"""Shipped edition: supervision_2024 (placeholder structure; its part of issue #18 fills it)."""

EDITION: dict = {
    "kind": "supervision",
    "code": "supervision",
    "valid_from": 2024,
    "name": "supervision",
    "sections": [],
    "bands": [],
}
