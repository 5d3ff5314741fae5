"""The HTTP API of the ENT import service (FastAPI): `create_app` builds it on a `Store`."""
