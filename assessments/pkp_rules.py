"""The PKP's data rules (issue #18, part 2 fills it): registered in data_rules.RULES."""
