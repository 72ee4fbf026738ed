"""`autoweb dashboard`: RQ's web dashboard under waitress (bot/dashboard.py)."""

from __future__ import annotations

import signal
from typing import Annotated

import typer

from bot.cli import _require, _terminate, app, fail
from bot.runtime import configure_logging
from bot.settings import BotSettings
from storage.settings import StorageSettings


@app.command()
def dashboard(
    port: Annotated[int, typer.Option(help="HTTP port.")] = 9181,
    host: Annotated[str | None, typer.Option(help="Address to bind (default: HOST, else 127.0.0.1).")] = None,
) -> None:
    """RQ's web dashboard behind basic auth (RQ_DASHBOARD_USERNAME / _PASSWORD from the environment, never from the
    command line), served by waitress. Needs the `dashboard` extra."""
    from bot import dashboard as rq_dashboard

    configure_logging("INFO")
    settings = BotSettings()
    storage = _require(StorageSettings(), "redis_url")
    if settings.rq_dashboard_password is None:
        raise fail("Not configured: set RQ_DASHBOARD_PASSWORD (and RQ_DASHBOARD_USERNAME, default admin).")
    try:
        application = rq_dashboard.make_app(
            storage.redis_url or "", settings.rq_dashboard_username, settings.rq_dashboard_password.get_secret_value()
        )
        signal.signal(signal.SIGTERM, _terminate)
        rq_dashboard.serve(application, host or settings.host, port)
    except rq_dashboard.DashboardMissing:
        raise fail("The dashboard needs its extra: pip install 'autowebiq-bot[dashboard]'.") from None
    except OSError as exc:
        raise fail(f"Cannot serve the dashboard on port {port} ({exc.strerror}).", 2) from None
    except KeyboardInterrupt:
        raise fail("Stopped.", 130) from None
