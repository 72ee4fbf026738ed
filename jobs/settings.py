"""Settings of the job side: where sites go, how they are linked, what they cost."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.sites import SiteStore, open_store


class JobSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_ignore_empty=True)

    sites_dir: Path = Path("var/sites")
    """The local site store (the default): `SITES_DIR/<project>/v<version>/`, with a zip beside each version.
    `SITES_URL=file:///path` says the same."""
    sites_url: str | None = None
    """Where sites are kept (`storage.sites`): `file:///path` or `s3://bucket/prefix`; unset: SITES_DIR."""
    s3_endpoint_url: str | None = None
    """The S3 API of a store other than AWS: R2, MinIO, Ceph (`https://<account>.r2.cloudflarestorage.com`)."""
    aws_access_key_id: SecretStr | None = None
    aws_secret_access_key: SecretStr | None = None
    aws_region: str | None = None
    work_dir: Path = Path("var/work")
    """With an S3 store: where a worker renders a version before uploading it, and keeps its image cache."""
    public_base_url: str = "http://127.0.0.1:8080"
    """Base of preview links: `<PUBLIC_BASE_URL>/p/<project's preview token>/`."""
    build_cost: int = Field(10, ge=0)
    """Credits held when a build or edit is accepted and charged when it succeeds."""
    image_cost: int = Field(2, ge=0)
    """Credits per generated image set."""
    llm_api_url: str | None = None
    """Optional OpenAI-compatible API for copy and images; the local generator is used without it."""
    llm_api_key: SecretStr | None = None
    llm_model: str = "gpt-4o-mini"

    @model_validator(mode="after")
    def _local_url(self) -> JobSettings:
        """`SITES_URL=file:///path` is SITES_DIR by another name; anything else must be a store we know."""
        if self.sites_url:
            parts = urlsplit(self.sites_url.strip())
            if parts.scheme == "file":
                self.sites_dir = Path(unquote(parts.path))
            elif parts.scheme != "s3" or not parts.netloc:
                raise ValueError("SITES_URL must be file:///path or s3://bucket/prefix")
        return self

    @property
    def is_local(self) -> bool:
        return not self.sites_url or self.sites_url.strip().startswith("file:")

    @property
    def render_root(self) -> Path:
        """The local directory a worker renders into (and keeps photos and its image cache in): the store itself
        when it is local (a version then goes live with one rename), else WORK_DIR."""
        return self.sites_dir if self.is_local else self.work_dir

    @cached_property
    def site_store(self) -> SiteStore:
        """The site store these settings name (one client per settings object, so per process)."""
        secret = self.aws_secret_access_key
        return open_store(
            self.sites_url or str(self.sites_dir),
            endpoint_url=self.s3_endpoint_url,
            access_key=self.aws_access_key_id.get_secret_value() if self.aws_access_key_id else None,
            secret_key=secret.get_secret_value() if secret else None,
            region=self.aws_region,
        )

    def preview_url(self, token: str, version: int | None = None) -> str:
        """The one place preview links are made: a project's current version, or version `version`, under the
        project's unguessable preview token (`storage.models.Project.preview_token`)."""
        base = self.public_base_url.rstrip("/")
        return f"{base}/p/{token}/" + (f"v{version}/" if version else "")

    def download_url(self, token: str, version: int) -> str:
        """Version `version` of a project as a zip, under the project's preview token."""
        return f"{self.preview_url(token)}v{version}.zip"
