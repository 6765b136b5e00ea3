"""Settings, read from ``CASEGRAPH_*`` environment variables.

>>> Settings(neo4j_uri="bolt://127.0.0.1:7999").neo4j_uri
'bolt://127.0.0.1:7999'
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CASEGRAPH_", extra="ignore")

    neo4j_uri: str = "bolt://127.0.0.1:7687"
    neo4j_user: str = "neo4j"
    neo4j_password: str = ""
    neo4j_database: str = "neo4j"
    # Where `casegraph neo4j start` keeps the local database, its pid file and its log.
    neo4j_data: Path = Path(".casegraph/neo4j")
    neo4j_port: int = 7687
    neo4j_heap: str = "1g"
    neo4j_pagecache: str = "512m"
    # Writer batch size (rows per UNWIND transaction).
    batch_size: int = 5000
    # Saved and ad-hoc queries.
    query_timeout: float = 10.0
    query_row_limit: int = 10_000
    query_path: str = ""
    # API
    host: str = "127.0.0.1"
    port: int = 8000
    max_upload_bytes: int = 256 * 1024 * 1024
    audit_path: Path = Path(".casegraph/audit.log")
    audit_max_bytes: int = 16 * 1024 * 1024
    audit_keep: int = 5
    max_json_bytes: int = 1024 * 1024
    auth_disabled: bool = False


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once)."""
    return Settings()
