"""`autoweb demo` and `autoweb console`: the bot on this machine, on embedded servers for any URL left unset."""

from __future__ import annotations

import os
import signal
from typing import Annotated

import typer

from bot import commands, console, preview
from bot.chat_text import for_console
from bot.cli import VAR, _terminate, app, fail, out
from bot.errors import UserError
from bot.runtime import configure_logging, explain, open_service, storage_for_demo
from storage.errors import EmbeddedServersMissing, ServiceUnavailable
from storage.settings import StorageSettings


@app.command()
def demo(
    prompt: Annotated[str, typer.Argument(help="What to build, in plain words.")],
    serve: Annotated[bool, typer.Option("--serve", help="Then serve the preview until Ctrl-C.")] = False,
    port: Annotated[int, typer.Option(help="Port of the preview server (with --serve).")] = 8080,
) -> None:
    """Build one site end to end on embedded (or configured) services and show its live progress."""
    configure_logging("WARNING")
    try:
        commands.parse(f"build {prompt}")
    except UserError as exc:
        raise fail(for_console(exc.message), 2) from None
    signal.signal(signal.SIGTERM, _terminate)
    if serve:  # the links the demo prints point at the server it is about to run
        os.environ.setdefault("PUBLIC_BASE_URL", f"http://127.0.0.1:{port}")
    try:
        with (
            storage_for_demo(VAR, out.print) as settings,
            open_service(settings, prepare=True, local_admin=console.local_admin()) as service,
        ):
            chat = console.ConsoleChat(service, out, serving=serve)
            try:
                console.top_up_for_demo(chat)
                ok = console.run_build(chat, prompt)
            finally:
                chat.close()
            if ok and serve:
                _serve_preview(settings, port)
    except (ServiceUnavailable, EmbeddedServersMissing, KeyboardInterrupt) as exc:
        raise _exit_for(exc, "Interrupted; everything the demo started has been stopped.") from None
    if not ok:
        raise typer.Exit(1)


def _serve_preview(settings: StorageSettings, port: int) -> None:
    def ready(_: str) -> None:
        out.print(f"Serving the preview on http://127.0.0.1:{port}/ until Ctrl-C ...", markup=False)

    try:
        preview.run(settings, host="127.0.0.1", port=port, ready=ready)
    except OSError as exc:
        raise fail(f"Cannot serve the preview on port {port} ({exc.strerror}): pass --port N.", 2) from None


@app.command("console")
def console_cmd(
    no_worker: Annotated[bool, typer.Option("--no-worker", help="Leave builds to `autoweb worker`.")] = False,
) -> None:
    """Talk to the bot in the terminal, as the local user (embedded services when none are configured)."""
    configure_logging("WARNING")
    signal.signal(signal.SIGTERM, _terminate)
    try:
        with (
            storage_for_demo(VAR, out.print) as settings,
            open_service(settings, prepare=True, local_admin=console.local_admin()) as service,
        ):
            chat = console.ConsoleChat(service, out)
            try:
                console.interactive(chat, run_jobs=not no_worker)
            finally:
                chat.close()
    except (ServiceUnavailable, EmbeddedServersMissing, KeyboardInterrupt) as exc:
        raise _exit_for(exc, "Bye.") from None


def _exit_for(exc: BaseException, interrupted: str) -> typer.Exit:
    """The one line (and exit code) for what stops a local run: a service down, the demo extra missing, Ctrl-C."""
    if isinstance(exc, ServiceUnavailable):
        return fail(explain(exc))
    if isinstance(exc, KeyboardInterrupt):
        return fail(interrupted, 130)
    return fail(str(exc))
