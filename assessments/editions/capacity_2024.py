"""Shipped edition: capacity_2024 (placeholder structure; its part of issue #18 fills it)."""

EDITION: dict = {
    "kind": "capacity",
    "code": "capacity",
    "valid_from": 2024,
    "name": "capacity",
    "sections": [],
    "bands": [],
}
