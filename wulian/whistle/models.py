"""Whistle and report."""
