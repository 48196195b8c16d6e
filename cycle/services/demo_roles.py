def demo_roles() -> None:
    return None
