"""RQ's web dashboard (rq-dashboard, a Flask app) served by waitress, a production WSGI server.

`autoweb dashboard` builds the app from the environment: REDIS_URL, and the basic-auth credentials
RQ_DASHBOARD_USERNAME / RQ_DASHBOARD_PASSWORD, which never appear on a command line (rq-dashboard's own CLI takes the
password as `--password`, visible to anyone who can list processes). Jobs are read with RQ's JSON serializer, the
one our queues use. `GET /healthz` answers without credentials, for container health checks. Needs the `dashboard`
extra.
"""

from __future__ import annotations

from typing import Any

import structlog

log = structlog.get_logger(__name__)
THREADS = 4


class DashboardMissing(RuntimeError):
    """rq-dashboard or waitress is not installed."""


def make_app(redis_url: str, username: str, password: str) -> Any:
    """The rq-dashboard Flask app behind basic auth, on `redis_url`, plus an open `GET /healthz`."""
    try:
        from rq.serializers import JSONSerializer
        from rq_dashboard.cli import make_flask_app
        from rq_dashboard.web import config as dashboard_config
        from rq_dashboard.web import setup_rq_connection
    except ImportError as exc:
        raise DashboardMissing(str(exc)) from None

    app = make_flask_app(None, username, password, "")
    app.config["RQ_DASHBOARD_REDIS_URL"] = (redis_url,)
    app.config["RQ_DASHBOARD_DISABLE_DELETE"] = False
    dashboard_config.serializer = JSONSerializer
    setup_rq_connection(app)
    app.add_url_rule("/healthz", "healthz", lambda: ("ok", 200, {"Content-Type": "text/plain"}))
    return app


def serve(app: Any, host: str, port: int) -> None:
    """Serve `app` with waitress until the process is stopped."""
    try:
        from waitress import create_server  # type: ignore[import-untyped]
    except ImportError as exc:
        raise DashboardMissing(str(exc)) from None
    server = create_server(app, host=host, port=port, threads=THREADS, ident="autoweb-dashboard")
    log.info("dashboard listening", host=host, port=server.effective_port)
    server.run()
