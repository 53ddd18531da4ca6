"""Wulian (五联): a community co-governance platform."""
