"""Data exchange (issue #19): the DHIS2 mapping kept as data."""
