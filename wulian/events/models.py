"""Release events."""
