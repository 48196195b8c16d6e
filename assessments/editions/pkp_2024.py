"""Shipped edition: pkp_2024 (placeholder structure; its part of issue #18 fills it)."""

EDITION: dict = {
    "kind": "pkp",
    "code": "pkp",
    "valid_from": 2024,
    "name": "pkp",
    "sections": [],
    "bands": [],
}
