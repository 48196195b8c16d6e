"""Demo data of the SPM cycle (issue #16): Hulu Sungai Utara's four stages worksheets for the
maternal services and the role matrix of its cross-agency forum; idempotent."""

from __future__ import annotations


def demo_seed() -> None:
    from .demo_roles import demo_roles
    from .demo_stages import demo_stages

    demo_stages()
    demo_roles()
