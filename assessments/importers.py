"""The instrument import on the one import pipeline (issue #18, part 1 fills it)."""
