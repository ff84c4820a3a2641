"""Settings read from environment variables (prefix ``SIDESTREAM_``, plus ``DATABASE_URL``)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Runtime configuration; every field can be set from the environment."""

    model_config = SettingsConfigDict(env_prefix="SIDESTREAM_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///./sidestream.db",
        validation_alias=AliasChoices("DATABASE_URL", "SIDESTREAM_DATABASE_URL"),
    )
    host: str = "127.0.0.1"
    port: int = 8000
    #: The address users reach the site at (scheme, host, optional port and path prefix, no
    #: trailing slash needed). Links in messages (password reset) are built from it only, never
    #: from the request's Host header, which a caller controls.
    public_url: str = "http://127.0.0.1:8000"
    page_size_max: int = 500
    embedding_model_path: str | None = None
    classifier_backend: str = "auto"
    #: Threads of the bundled embedding model; one is fastest per query on a shared 2-core box.
    embedding_threads: int = Field(default=1, ge=1, le=64)
    #: Where embeddings of listing texts are kept between runs: auto, a file path, or off.
    embedding_cache: str = "auto"
    #: A facilitator's own knowledge files (patterns.csv / exchanges.csv layout), added to the
    #: bundled knowledge base for matching; several paths separated by ``os.pathsep`` (``:``).
    extra_patterns: str = ""
    extra_exchanges: str = ""

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("SIDESTREAM_PUBLIC_URL must start with http:// or https://")
        return value.rstrip("/")


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings (read once)."""
    return Settings()
