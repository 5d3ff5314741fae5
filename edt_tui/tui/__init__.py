"""The Textual application: wizard screens, history, verification. No business rules here."""
