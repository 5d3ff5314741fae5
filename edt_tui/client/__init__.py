"""Async ENT client (httpx) shared by the CLI and the TUI."""
