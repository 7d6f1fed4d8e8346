"""A fresh database on the session's PostgreSQL, for tests that look at a whole database (health, metrics)."""

from urllib.parse import urlsplit, urlunsplit
from uuid import uuid4

import asyncpg


async def fresh_database(pg_url: str, prefix: str = "t") -> str:
    name = f"{prefix}_{uuid4().hex[:10]}"
    conn = await asyncpg.connect(pg_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return urlunsplit(urlsplit(pg_url)._replace(path=f"/{name}"))
