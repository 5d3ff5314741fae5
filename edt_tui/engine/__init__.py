"""Pure import logic: matching, course derivation, occurrences, reconciliation, action plan."""
