"""API tokens: random bearer secrets, stored only as SHA-256 digests, scoped to establishments."""

from __future__ import annotations

import hashlib
import secrets

from edt_tui.service.records import Principal, TokenRole
from edt_tui.service.store import Store

TOKEN_PREFIX = "edt_"


def hash_token(token: str) -> str:
    """The only form a token is stored in: a leaked database yields no usable token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(store: Store, role: TokenRole, uai: str | None, *, label: str = "") -> str:
    """Create a token (shown once to whoever asked for it) and store its digest."""
    if role is TokenRole.ADMIN and not uai:
        raise ValueError("an establishment admin token needs a UAI")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    scope = uai if role is TokenRole.ADMIN else None
    store.add_token(hash_token(token), Principal(role, scope, label))
    return token


def authenticate(store: Store, token: str) -> Principal | None:
    return store.principal_for(hash_token(token))
