"""One screen per wizard step, plus help and resume dialogs."""
