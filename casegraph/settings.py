"""Settings, read from ``CASEGRAPH_*`` environment variables.

>>> Settings(neo4j_uri="bolt://127.0.0.1:7999").neo4j_uri
'bolt://127.0.0.1:7999'
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
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
    # Interactive reads (issue 13): the time a shortest-path search may take before it
    # answers "too far"; the graph stamp and /health state refresh interval; the answer
    # cache of hot reads (entries, 0: off; and MiB of answers together, per worker: the
    # bytes are the bound that matters; 256 MiB keeps a worker at 1M entities, with its
    # analytics projection mapped, under the 1.5 GiB of issue 13).
    path_timeout: float = 2.0
    state_interval: float = 0.5
    answer_cache_entries: int = 16384
    answer_cache_mb: int = Field(default=256, ge=1, le=65536)
    # Request threads per API worker: the routes that read Neo4j run in this many threads
    # at most (the rest wait in the event loop, at no cost), and the worker's driver pool
    # holds as many connections plus a few for its background tasks. More threads than the
    # cores and Neo4j can serve only add lock contention (issue 13).
    request_threads: int = Field(default=8, ge=1, le=256)
    # Where link analysis runs (issue 16): "local" (NetworkX/igraph in this process) or "gds"
    # (Neo4j Graph Data Science, server-side, through the graphdatascience client).
    analytics: Literal["local", "gds"] = "local"
    # Analytics at scale (issue 13): where the CSR projections shared by every worker are
    # kept (one folder per graph stamp and projection; older stamps removed), and the size
    # (entities of the projected kinds) from which a measure not yet computed is run in the
    # background and answered 202 with its progress instead of holding the request (0: never).
    analytics_cache_dir: Path = Path(".casegraph/analytics")
    analytics_async_nodes: int = 50_000
    # API
    host: str = "127.0.0.1"
    port: int = 8000
    max_upload_bytes: int = 256 * 1024 * 1024
    # The audit: authenticated requests go to audit_path, rotated at audit_max_bytes with
    # audit_keep old files (nothing of theirs is dropped before that); anonymous ones go to
    # a smaller log beside it (audit-anonymous.log), at most audit_anonymous_burst records
    # at once and audit_anonymous_rate per second per client, the rest counted.
    audit_path: Path = Path(".casegraph/audit.log")
    audit_max_bytes: int = 64 * 1024 * 1024
    audit_keep: int = 100
    audit_anonymous_max_bytes: int = 4 * 1024 * 1024
    audit_anonymous_keep: int = 2
    audit_anonymous_rate: float = 1.0
    audit_anonymous_burst: int = 30
    # Where audit records go: "file" (the logs above), "neo4j" (AuditRecord nodes, sealed:
    # the shared sink of API replicas; the file only takes what Neo4j could not) or "both".
    # audit_instance names this server in its records (default: host name and pid).
    audit_sink: Literal["file", "neo4j", "both"] = "file"
    audit_instance: str = ""
    # How long a server trusts its cached answer for an API key: a revocation made through
    # another replica (or the CLI) holds there within this many seconds; here, at once.
    key_cache_seconds: float = 5.0
    # Proxies whose X-Forwarded-For is believed: IPs or CIDR networks, comma-separated.
    trusted_proxies: str = ""
    max_json_bytes: int = 1024 * 1024
    # Hardening: JSON nesting limit; header and body read timeouts (seconds); the most
    # connections and requests a worker holds at once; the largest request head (bytes).
    max_json_depth: int = 64
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    keep_alive_timeout: int = 30
    limit_concurrency: int = 200
    max_header_bytes: int = 64 * 1024
    auth_disabled: bool = False
    # Victim protection: the key (base64 of 32 bytes), or a key file (created on first use,
    # mode 0600); by default `protection.key` beside the local database's folder.
    protection_key: str = ""
    protection_key_file: Path | None = None

    def protection_key_path(self) -> Path:
        return self.protection_key_file or self.neo4j_data.parent / "protection.key"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once)."""
    return Settings()
