"""Hostile uploads (issue #11): files built in code, run through every registered importer."""
