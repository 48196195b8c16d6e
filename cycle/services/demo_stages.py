def demo_stages() -> None:
    return None
