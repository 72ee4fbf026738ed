"""Settings of the job side: where sites go, how they are linked, what they cost."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class JobSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_ignore_empty=True)

    sites_dir: Path = Path("var/sites")
    """Built sites go to `SITES_DIR/<project>/v<version>/`, with a zip beside each version."""
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

    def preview_url(self, token: str, version: int | None = None) -> str:
        """The one place preview links are made: a project's current version, or version `version`, under the
        project's unguessable preview token (`storage.models.Project.preview_token`)."""
        base = self.public_base_url.rstrip("/")
        return f"{base}/p/{token}/" + (f"v{version}/" if version else "")

    def download_url(self, token: str, version: int) -> str:
        """Version `version` of a project as a zip, under the project's preview token."""
        return f"{self.preview_url(token)}v{version}.zip"
