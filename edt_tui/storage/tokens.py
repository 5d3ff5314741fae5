"""API tokens, stored by digest: a digest is issued once and never re-scoped."""

from __future__ import annotations

from edt_tui.service.records import Principal, TokenRole
from edt_tui.service.store import TokenCollisionError
from edt_tui.storage.directory import require_establishments
from edt_tui.storage.repository import Repository


class TokenRepository(Repository):
    def add_token(self, token_hash: str, principal: Principal) -> None:
        with self.db.transaction() as conn:
            if principal.uai is not None:
                require_establishments(conn, (principal.uai,))
            # No upsert: an existing digest keeps its role and establishment.
            added = conn.execute(
                "INSERT INTO api_tokens (token_hash, role, uai, label, created_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (token_hash) DO NOTHING",
                (token_hash, principal.role.value, principal.uai, principal.label, self.now()),
            )
            if added.rowcount != 1:
                raise TokenCollisionError(
                    "this token is already issued: it keeps its role and establishment",
                    hint="issue a new token (`edt-tui ent token create`)",
                )

    def principal_for(self, token_hash: str) -> Principal | None:
        with self.db.snapshot() as conn:
            row = conn.execute(
                "SELECT role, uai, label FROM api_tokens WHERE token_hash = ?", (token_hash,)
            ).fetchone()
        return Principal(TokenRole(row["role"]), row["uai"], row["label"]) if row else None
