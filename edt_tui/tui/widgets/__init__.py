"""Reusable widgets of the TUI (no business rules)."""
