"""The `autoweb` command line: one entry point per Procfile process, plus the demo and operator tools."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import os
import signal
import sys
from collections.abc import Callable, Coroutine
from importlib.metadata import version as package_version
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer
from prometheus_client import CollectorRegistry
from pydantic import ValidationError
from rich.console import Console

from bot import doctor, metrics, preview
from bot.runtime import configure_logging, explain, open_service
from bot.service import CommandService
from bot.settings import BotSettings
from jobs import reconcile as reconciler
from jobs.queue import QUEUE_NAMES
from jobs.worker import make_worker
from storage import legacy
from storage.db import Database, upgrade
from storage.errors import ServiceUnavailable, StorageError
from storage.redis_client import connect
from storage.settings import StorageSettings

app = typer.Typer(add_completion=False, no_args_is_help=True, help="AutoWebIQ Bot: websites built from chat.")
db_app = typer.Typer(no_args_is_help=True, help="PostgreSQL schema.")
catalog_app = typer.Typer(no_args_is_help=True, help="Template and component catalog in MongoDB.")
app.add_typer(db_app, name="db")
app.add_typer(catalog_app, name="catalog")

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)
VAR = Path("var")


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(message, markup=False, soft_wrap=True)
    return typer.Exit(code)


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds like Ctrl-C, so embedded services are stopped


def _require(settings: StorageSettings, *names: str) -> StorageSettings:
    """`settings`, or a one-line exit naming the variables that are unset (all three unless `names` says)."""
    wanted = names or ("database_url", "redis_url", "mongo_url")
    missing = [n.upper() for n in wanted if getattr(settings, n) is None]
    if missing:
        raise fail(f"Not configured: set {', '.join(missing)} (see .env.example), or use `autoweb demo`.")
    return settings


def _serve_metrics(port: int, registry: CollectorRegistry) -> None:
    try:
        metrics.serve(port, registry, BotSettings().host)
    except OSError as exc:
        raise fail(f"Cannot serve /metrics on port {port} ({exc.strerror}): set another METRICS_PORT.", 2) from None


@app.command()
def worker(
    queues: Annotated[list[str] | None, typer.Argument(help="Queues to serve (default: all).")] = None,
    burst: Annotated[bool, typer.Option("--burst", help="Quit when the queues are empty.")] = False,
    metrics_port: Annotated[int | None, typer.Option(help="Serve GET /metrics here (default: METRICS_PORT).")] = None,
    max_jobs: Annotated[int | None, typer.Option(min=1, help="Restart the process after this many jobs.")] = None,
    max_memory: Annotated[
        int | None, typer.Option(min=1, help="Restart the process after a job that leaves it above this many MB.")
    ] = None,
    fork: Annotated[bool, typer.Option("--fork", help="Fork a work horse per job (RQ's default) instead.")] = False,
) -> None:
    """Run an RQ worker for the builds, images and default queues (warm: jobs run in this process)."""
    configure_logging("INFO")
    names = queues or list(QUEUE_NAMES)
    unknown = [q for q in names if q not in QUEUE_NAMES]
    if unknown:
        raise fail(f"Unknown queue {unknown[0]!r}; the queues are {', '.join(QUEUE_NAMES)}.", 2)
    settings = _require(StorageSettings(), "redis_url", "database_url", "mongo_url")
    assert settings.redis_url
    client = connect(settings.redis_url)
    try:
        client.ping()
    except Exception:
        raise fail(explain(ServiceUnavailable("Redis", "no answer"))) from None
    if port := metrics_port if metrics_port is not None else BotSettings().metrics_port:
        _serve_metrics(port, metrics.registry_for(client=client))  # job durations are timed in this process
    running = make_worker(client, names, fork=fork, max_memory=max_memory * 2**20 if max_memory else None)
    if fork:
        gc.freeze()  # horses inherit these objects: never collecting them keeps their pages shared
    running.work(burst=burst, max_jobs=max_jobs)
    if not burst and (getattr(running, "restart_wanted", False) or (max_jobs and not running._stop_requested)):
        client.close()
        os.execv(sys.executable, [sys.executable, "-c", "from bot.cli import main; main()", *sys.argv[1:]])


@app.command()
def serve(
    port: Annotated[int, typer.Option(help="Port for the preview server.")] = 8080,
    host: Annotated[str | None, typer.Option(help="Address to bind (default: HOST, else 127.0.0.1).")] = None,
    metrics_port: Annotated[int | None, typer.Option(help="Serve GET /metrics here (default: METRICS_PORT).")] = None,
) -> None:
    """Serve every project's current version at /p/<token>/ and each version at /p/<token>/v<n>/."""
    configure_logging("INFO")
    storage = _require(StorageSettings(), "database_url")
    settings = BotSettings()
    if port_ := metrics_port if metrics_port is not None else settings.metrics_port:
        assert storage.database_url
        client = connect(storage.redis_url) if storage.redis_url else None
        _serve_metrics(port_, metrics.registry_for(client=client, db=Database(storage.database_url, pool_size=1)))
    preview.run(storage, host=host or settings.host, port=port)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the PostgreSQL schema to the newest migration (safe to run again)."""
    settings = _require(StorageSettings(), "database_url")
    assert settings.database_url
    try:
        upgrade(settings.database_url)
    except ServiceUnavailable as exc:
        raise fail(explain(exc)) from None
    out.print("Database schema is up to date.")


@catalog_app.command("seed")
def catalog_seed() -> None:
    """Load the shipped templates and components into MongoDB (idempotent) and drop the cached catalog."""
    from jobs.context import JobContext
    from jobs.settings import JobSettings

    try:
        ctx = JobContext.from_settings(
            _require(StorageSettings(), "mongo_url", "redis_url", "database_url"), JobSettings()
        )
        try:
            result = ctx.catalog.seed()
        finally:
            ctx.close()
    except StorageError as exc:
        raise fail(explain(exc) if isinstance(exc, ServiceUnavailable) else str(exc)) from None
    out.print(f"Catalog: {result.templates} templates, {result.components} components ({result.inserted} new).")


@app.command("migrate-legacy")
def migrate_legacy(
    source: Annotated[str, typer.Option("--from", help="Legacy MongoDB URL, database name in the path.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Read and check everything, write nothing.")] = False,
    batch: Annotated[int, typer.Option("--batch", min=1, max=100_000, help="Documents per transaction.")] = 1000,
    verify_only: Annotated[bool, typer.Option("--verify-only", help="Only compare legacy and migrated data.")] = False,
) -> None:
    """Move legacy users, projects, messages and credits from MongoDB into PostgreSQL (resumable, idempotent)."""
    configure_logging("WARNING")
    settings = _require(StorageSettings(), "database_url")
    assert settings.database_url
    db = Database(settings.database_url)
    try:
        report = legacy.migrate(source, db, dry_run=dry_run, batch=batch, verify_only=verify_only)
    except (ValueError, legacy.MigrationBusy) as exc:
        raise fail(str(exc), 2) from None
    except ServiceUnavailable as exc:
        raise fail(explain(exc) if exc.service in ("PostgreSQL",) else f"{exc}. Check --from.") from None
    finally:
        db.dispose()
    out.print(report.render(), markup=False, highlight=False, soft_wrap=True)
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def reconcile() -> None:
    """Fail the builds whose job Redis no longer has (e.g. after a restart without persistence): their credits are
    released and their threads told. `autoweb worker` does this every minute by itself."""
    from jobs.context import JobContext
    from jobs.settings import JobSettings

    configure_logging("WARNING")
    try:
        ctx = JobContext.from_settings(_require(StorageSettings()), JobSettings())
        try:
            result = reconciler.reconcile(ctx)
        finally:
            ctx.close()
    except ServiceUnavailable as exc:
        raise fail(explain(exc)) from None
    out.print(f"Checked {result.checked} active builds; {len(result.failed)} lost, released and reported.")


@app.command("doctor")
def doctor_cmd() -> None:
    """Check every configured service and print what to fix."""
    try:
        from jobs.settings import JobSettings

        jobs = JobSettings()
    except ValidationError:
        jobs = None  # reported by the site store's check
    ok = doctor.run(StorageSettings(), BotSettings(), out, jobs)
    if not ok:
        raise typer.Exit(1)


def _adapter_not_configured(platform: str, variables: str) -> typer.Exit:
    return fail(f"The {platform} adapter is not configured: set {variables} (see .env.example).")


def _run_adapter(storage: StorageSettings, main: Callable[[CommandService], Coroutine[None, None, None]]) -> None:
    """Run an adapter's event loop on a checked service; an outage or Ctrl-C ends it with one line."""
    configure_logging("INFO")
    signal.signal(signal.SIGTERM, _terminate)
    try:
        with open_service(storage) as service:
            asyncio.run(main(service))
    except ServiceUnavailable as exc:
        raise fail(explain(exc)) from None
    except KeyboardInterrupt:
        raise fail("Stopped.", 130) from None


PR_SET_PDEATHSIG = 1


def _exit_with(parent: int) -> None:
    """Have the kernel send this process SIGTERM when `parent` dies, even by SIGKILL (Linux), so no adapter
    process is left holding the port."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # it died before the call
        os.kill(os.getpid(), signal.SIGTERM)


def _fork(count: int) -> int:
    """Run this command in `count` child processes: returns each child's index (0…count-1) in it; the parent
    waits for them, passes SIGTERM/SIGINT on, and stops them all when one fails. Called before anything connects
    or starts a thread."""
    children: set[int] = set()
    parent = os.getpid()
    for index in range(count):
        pid = os.fork()
        if pid == 0:
            _exit_with(parent)
            return index
        children.add(pid)

    def stop_all(signum: int = signal.SIGTERM, frame: FrameType | None = None) -> None:
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop_all)
    signal.signal(signal.SIGINT, stop_all)
    status = 0
    while children:
        try:
            pid, wait_status = os.wait()
        except ChildProcessError:
            break
        children.discard(pid)
        code = os.waitstatus_to_exitcode(wait_status)
        stopped = {0, 128 + signal.SIGTERM, 128 + signal.SIGINT, -signal.SIGTERM, -signal.SIGINT}
        if code not in stopped and not status:
            status = code if code > 0 else 1
            stop_all()
    raise typer.Exit(status)


@app.command()
def slack(
    port: Annotated[int, typer.Option(help="HTTP port for /slack/events.")] = 3000,
    host: Annotated[str | None, typer.Option(help="Address to bind (default: HOST, else 127.0.0.1).")] = None,
    socket: Annotated[bool, typer.Option("--socket", help="Use Socket Mode (needs SLACK_APP_TOKEN).")] = False,
    processes: Annotated[
        int, typer.Option(min=1, max=64, help="HTTP processes sharing the port (SO_REUSEPORT); one per core.")
    ] = 1,
    metrics_port: Annotated[
        int | None,
        typer.Option(help="Serve GET /metrics here (default: METRICS_PORT); process K of --processes adds K."),
    ] = None,
) -> None:
    """Run the Slack adapter (HTTP on /slack/events, or Socket Mode)."""
    from bot import slack as slack_adapter  # Bolt is imported only by the process that runs it

    settings = BotSettings()
    oauth = bool(settings.slack_client_id and settings.slack_client_secret)
    if settings.slack_signing_secret is None or (settings.slack_bot_token is None and not oauth):
        raise _adapter_not_configured(
            "Slack", "SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN (or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET)"
        )
    if socket and settings.slack_app_token is None:
        raise _adapter_not_configured("Slack Socket Mode", "SLACK_APP_TOKEN")
    if processes > 1 and (socket or port == 0):
        raise fail("--processes needs HTTP mode and a fixed --port.", 2)
    storage = _require(StorageSettings())
    assert storage.redis_url and storage.database_url
    index = _fork(processes) if processes > 1 else 0

    async def run(service: CommandService) -> None:
        if port_ := metrics_port if metrics_port is not None else settings.metrics_port:
            _serve_metrics(port_ + index, metrics.registry_for(client=service.ctx.redis, db=service.ctx.db))
        adapter = slack_adapter.SlackAdapter(
            service, settings, redis_url=storage.redis_url or "", database_url=storage.database_url or ""
        )
        stop = asyncio.Event()
        if socket:
            await slack_adapter.serve_socket_mode(adapter, stop)
        else:  # behind the operator's TLS proxy: HOST=0.0.0.0 in a container
            await slack_adapter.serve_http(adapter, host or settings.host, port, stop, reuse_port=processes > 1)

    _run_adapter(storage, run)


def _show_version(value: bool) -> None:
    if value:
        out.print(f"autoweb {package_version('autowebiq-bot')}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool, typer.Option("--version", help="Show the version and exit.", callback=_show_version, is_eager=True)
    ] = False,
) -> None:
    """AutoWebIQ Bot: websites built from chat."""


def _settings_problem(exc: ValidationError) -> str:
    """One line per bad setting: its variable and what is expected, never its value (it may hold a password)."""
    lines = [
        f"{'.'.join(str(p) for p in e['loc']).upper()}: {e['msg'].removeprefix('Value error, ')}" for e in exc.errors()
    ]
    return "Invalid configuration: " + "; ".join(lines) + " (see .env.example)."


def main() -> None:
    """Console entry point. Usage errors are one line (what is wrong, what to do), never a traceback."""
    try:
        code = app(standalone_mode=False)
    except ValidationError as exc:  # settings read from the environment or .env
        err.print(_settings_problem(exc), markup=False, soft_wrap=True)
        sys.exit(2)
    except typer.Abort:
        sys.exit(130)
    except typer.TyperException as exc:  # usage errors: unknown command, missing argument, bad option
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        err.print(f"{message} See `autoweb --help`.", markup=False, soft_wrap=True)
        sys.exit(getattr(exc, "exit_code", 2))
    except KeyboardInterrupt:
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)


from bot import cli_dashboard, cli_discord, cli_local, cli_sites  # noqa: E402, F401 - they add their commands to `app`
