"""Reading PRONOTE/EDT exports: envelope, crypto, streaming parse, week arithmetic, samples."""
