"""The ENT import service: storage, HTTP API, queue and worker, automatic push."""
