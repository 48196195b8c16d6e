"""Forms of meetings and what they produce; one module per part."""
