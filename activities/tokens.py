"""API bearer tokens: created once, stored only as a SHA-256 hash, scoped to a district (and schools)."""

import hashlib
import secrets
from dataclasses import dataclass

import asyncpg


@dataclass(frozen=True)
class Principal:
    """Who a request acts as, and what it may read."""

    user_id: str
    kind: str  # "user" (acts as themselves; the domain authorizes) or "supervisor" (read-only)
    district_id: str
    school_ids: tuple[str, ...] = ()

    def may_read(self, district_id: str | None, school_id: str | None = None) -> bool:
        if district_id != self.district_id:
            return False
        return not self.school_ids or (school_id is not None and school_id in self.school_ids)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenStore:
    def __init__(self, pool: asyncpg.Pool):
        self._pool = pool

    async def create(self, user_id: str, kind: str, district_id: str, school_ids: tuple[str, ...] = ()) -> str:
        token = "plc_" + secrets.token_urlsafe(32)
        await self._pool.execute(
            "INSERT INTO api_tokens (token_hash, user_id, kind, district_id, school_ids) VALUES ($1, $2, $3, $4, $5)",
            _hash(token), user_id, kind, district_id, list(school_ids),
        )
        return token

    async def principal(self, token: str) -> Principal | None:
        row = await self._pool.fetchrow(
            "SELECT user_id, kind, district_id, school_ids FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
            _hash(token),
        )
        return Principal(row["user_id"], row["kind"], row["district_id"], tuple(row["school_ids"])) if row else None

    async def revoke(self, token: str) -> bool:
        done = await self._pool.execute("UPDATE api_tokens SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL", _hash(token))
        return done.endswith("1")
