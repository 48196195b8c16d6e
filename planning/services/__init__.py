"""Writes about plans (RUK, RPK, budgets)."""
