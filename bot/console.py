"""The console adapter (like Errbot's text backend): `autoweb console` and `autoweb demo`.

It turns each line into a command from the local user, prints the reply, and shows the live progress events it
receives over Redis pub/sub as rich progress bars. A line that is not a command is an edit of the project last
worked on (the reply says which), as a reply in a project's thread is on Slack and Discord. When standard input is
not a terminal, `scripted` reads one command a line (waiting out the rate limit) and exits after the last reply.
Tests drive it through `ConsoleChat.say` and `scripted`.
"""

from __future__ import annotations

import difflib
import getpass
import re
import shlex
import threading
import time
import uuid
from collections.abc import Iterable
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from bot import attachments, messages
from bot.chat_text import for_console, user
from bot.commands import VERBS, Actor
from bot.progress_feed import ProgressFeed
from bot.service import CommandService, Reply
from jobs.build_site import STEPS
from jobs.events import ProgressEvent
from jobs.worker import make_worker
from storage import accounts, ledger, projects


def local_admin() -> str:
    """The identity of the person at this terminal, who may grant credits on the deployment they run."""
    return f"console:local:{getpass.getuser()}"


class ConsoleChat:
    """One local user talking to the service."""

    def __init__(
        self, service: CommandService, console: Console, *, user: str | None = None, serving: bool = False
    ) -> None:
        self.service = service
        self.console = console
        self.user = user or getpass.getuser()
        self.serving = serving
        """True when this process serves the previews it links to (`autoweb demo --serve`)."""
        self.feed = ProgressFeed(service.ctx.redis)
        self.last_project: int | None = None
        """The project last worked on: a plain line edits it."""

    def actor(self) -> Actor:
        return Actor(
            platform="console",
            team_id="local",
            user_id=self.user,
            user_name=self.user,
            channel_id="console",
            event_id=uuid.uuid4().hex,
        )

    def say(self, text: str) -> Reply:
        """Run one line and print the reply."""
        reply = self.ask(text)
        self.console.print(for_console(reply.text), markup=False, highlight=False)
        return reply

    def ask(self, text: str) -> Reply:
        """Run one line: a command, or (a line that is not one) an edit of the project last worked on."""
        files, text = console_files(text)
        if files:  # `images #N path/a.jpg …`: the team's own photos
            return self.service.handle_files(self.actor(), text, attachments.read_local(files))
        line = text.strip().removeprefix(messages.CMD).strip()
        verb = line.split(" ", 1)[0].lower() if line else ""
        editing = None
        if line and verb not in VERBS and verb not in ("quit", "exit"):
            editing = self.last_project or self._newest_project()
            if editing is None and not difflib.get_close_matches(verb, VERBS, n=1, cutoff=0.75):  # a typo, or words
                return Reply(text=messages.nothing_to_edit(), ephemeral=True)
        reply = self.service.handle(self.actor(), f"edit #{editing} {line}" if editing else line)
        if editing:
            reply = reply.model_copy(update={"text": messages.editing(editing, reply.text)})
        if reply.project_id is not None:
            self.last_project = reply.project_id
        return reply

    def _newest_project(self) -> int | None:
        """The newest project this user (or their console team) has, when none was worked on in this session."""
        with self.service.ctx.db.session() as s:
            user = accounts.find_user(s, "console", "local", self.user)
            if user is None:
                return None
            found = projects.visible_projects(s, user_id=user.id, platform="console", team_id="local", limit=1)
            return found[0].id if found else None

    def follow(
        self, version_id: int, *, timeout: float = 120.0, stop: threading.Event | None = None
    ) -> ProgressEvent | None:
        """Render the progress of one version until its terminal event (returned), `timeout`, or `stop`."""
        tasks: dict[str, TaskID] = {}
        columns = (
            TextColumn(" {task.description:<18}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        deadline = time.monotonic() + timeout
        with Progress(*columns, console=self.console, transient=False) as bar:
            while time.monotonic() < deadline:
                event = self.feed.next(timeout=0.2)
                if event is None and stop is not None and stop.is_set():
                    return None
                if event is None or event.version_id != version_id:
                    continue
                if event.detail:
                    bar.console.print(
                        " " + for_console(messages.milestone(event.detail)), markup=False, highlight=False
                    )
                if event.terminal:
                    for task in tasks.values():
                        bar.update(task, completed=bar.tasks[task].total)
                    return event
                if event.step in STEPS and event.step not in tasks:
                    tasks[event.step] = bar.add_task(event.step, total=max(event.total or 1, 1))
                if event.step in tasks and event.done is not None:
                    bar.update(tasks[event.step], completed=event.done, total=max(event.total or 1, 1))
        return None

    def show_outcome(self, event: ProgressEvent | None, started: float) -> bool:
        if event is None:
            self.console.print(messages.console_no_outcome(), markup=False)
            return False
        if event.kind == "succeeded":
            site, archive = _shown(event.site_path or ""), _shown(event.zip_path or "")
            text = messages.console_done(time.monotonic() - started, site, archive, event, serving=self.serving)
            self.console.print(for_console(text), markup=False, highlight=False)
            return True
        text = messages.build_cancelled(event) if event.kind == "cancelled" else messages.build_failed(event, "-")
        self.console.print(for_console(text), markup=False, highlight=False)
        return False

    def close(self) -> None:
        self.feed.close()


def console_files(line: str) -> tuple[list[str], str]:
    """`images #N path/a.jpg "my photos/b.png" [hint…]`: the paths, and the command without them."""
    try:
        words = shlex.split(line)
    except ValueError:
        words = line.split()
    if len(words) < 2 or words[0].lower() != "images":
        return [], line
    paths = [w for w in words[2:] if attachments.looks_like_path(w)]
    rest = [w for w in words[2:] if not attachments.looks_like_path(w)]
    return paths, " ".join(words[:2] + rest)


def _shown(where: str) -> str:
    """A path relative to the working directory when it is below it (shorter to read); a URL (an S3 site
    store's `s3://…`) as it is."""
    if "://" in where:
        return where
    path = Path(where)
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def run_queued(chat: ConsoleChat, version_id: int, started: float) -> bool:
    """Run the queued jobs in this process with a burst worker while a thread renders their progress."""
    outcome: list[ProgressEvent | None] = []
    worker_done = threading.Event()
    follower = threading.Thread(target=lambda: outcome.append(chat.follow(version_id, stop=worker_done)), daemon=True)
    follower.start()
    try:
        make_worker(chat.service.ctx.redis, in_process=True).work(burst=True, logging_level="WARNING")
    finally:
        worker_done.set()  # the feed is drained first: events already published are still shown
        follower.join(10)
    return chat.show_outcome(outcome[0] if outcome else None, started)


def run_build(chat: ConsoleChat, prompt: str) -> bool:
    """One build end to end: command → in-process burst worker → live progress → outcome."""
    started = time.monotonic()
    reply = chat.say(f"build {prompt}")
    return reply.version_id is not None and run_queued(chat, reply.version_id, started)


def interactive(chat: ConsoleChat, *, run_jobs: bool = True) -> None:
    """Read commands until EOF or `quit`; queued builds run in this process unless a worker runs elsewhere."""
    chat.console.print("AutoWebIQ console. Type `help`, or `quit` to leave.", markup=False)
    while True:
        try:
            line = input("autoweb> ")
        except EOFError:
            break
        if line.strip().lower() in ("quit", "exit"):
            break
        started = time.monotonic()
        reply = chat.say(line)
        if reply.version_id is not None and run_jobs:
            run_queued(chat, reply.version_id, started)


def scripted(chat: ConsoleChat, lines: Iterable[str], *, run_jobs: bool = True) -> None:
    """Commands from a file or pipe, one a line: each is echoed, answered, and its build (if any) followed to its
    outcome before the next line is read; returns after the last reply at the end of input."""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if line.lower() in ("quit", "exit"):
            break
        chat.console.print(for_console(f"autoweb> {user(line)}"), markup=False, highlight=False)
        started = time.monotonic()
        reply = chat.ask(line)
        for _ in range(3):  # a script types faster than a person: wait out the rate limit, then say it again
            if (wait := _rate_limited(reply.text)) is None:
                break
            time.sleep(wait)
            reply = chat.ask(line)
        chat.console.print(for_console(reply.text), markup=False, highlight=False)
        if reply.version_id is None:
            continue
        if run_jobs:
            run_queued(chat, reply.version_id, started)
        else:
            chat.show_outcome(chat.follow(reply.version_id), started)


def _rate_limited(text: str) -> int | None:
    """The seconds to wait when `text` is the rate-limit reply, else None."""
    found = re.search(r"(\d{1,4}) s\.$", text)
    return int(found.group(1)) if found and text == messages.rate_limited(int(found.group(1))) else None


def top_up_for_demo(chat: ConsoleChat) -> None:
    """The demo is a local sandbox: give the local user one build's worth of credits when they run low."""
    ctx = chat.service.ctx
    cost = ctx.settings.build_cost
    with ctx.db.session() as s:
        user, _ = accounts.get_or_create_user(
            s,
            "console",
            "local",
            chat.user,
            display_name=chat.user,
            signup_credits=chat.service.settings.signup_credits,
        )
        available = ledger.balance_of(s, user.id).available
        if available < cost:
            ledger.credit(
                s,
                user.id,
                cost - available,
                key=f"demo-topup:{uuid.uuid4().hex}",
                type="grant",
                actor="autoweb demo",
                note="local demo top-up",
            )
