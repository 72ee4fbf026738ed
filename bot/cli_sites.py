"""`autoweb sites migrate --to s3://…`: copy the local site store into another one (`storage.site_migration`)."""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import ValidationError

from bot.cli import app, fail, out
from jobs.settings import JobSettings
from storage.site_migration import migrate
from storage.sites import LocalSiteStore, StoreUnavailable, open_store

sites_app = typer.Typer(no_args_is_help=True, help="The site store (SITES_URL / SITES_DIR).")
app.add_typer(sites_app, name="sites")


@sites_app.command("migrate")
def migrate_cmd(
    to: Annotated[str, typer.Option("--to", help="The target store: s3://bucket/prefix (or file:///path).")],
) -> None:
    """Copy every version and photo of the local store (SITES_DIR, or a file:// SITES_URL) to `--to`, with
    S3_ENDPOINT_URL and the AWS_* credentials. Idempotent: a second run copies only what is new."""
    try:
        settings = JobSettings()
        if not settings.is_local:
            raise fail("The source must be the local store: unset SITES_URL or point it at file:///path.")
        secret = settings.aws_secret_access_key
        target = open_store(
            to,
            endpoint_url=settings.s3_endpoint_url,
            access_key=settings.aws_access_key_id.get_secret_value() if settings.aws_access_key_id else None,
            secret_key=secret.get_secret_value() if secret else None,
            region=settings.aws_region,
        )
        result = migrate(LocalSiteStore(settings.sites_dir), target)
    except (ValidationError, ValueError) as exc:
        raise fail(f"Cannot migrate: {exc.errors()[0]['msg'] if isinstance(exc, ValidationError) else exc}.") from None
    except StoreUnavailable as exc:
        raise fail(f"The target store failed: {exc.problem}. Run the command again once it is fixed.") from None
    out.print(
        f"Copied {result.versions} versions ({result.objects} objects) to {target.location}; "
        f"{result.already} were already there"
        + (f"; {result.incomplete} unfinished builds left out." if result.incomplete else ".")
    )
