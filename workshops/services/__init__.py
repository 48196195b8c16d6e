"""Writes about meetings and what they produce; views call these, never the ORM directly.

One module per part; each is re-exported here.
"""
