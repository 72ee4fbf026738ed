"""Every line of text the bot shows a user, one function each (tests assert on the same functions).

Every part that came from a person goes through `user()` (bot/chat_text.py): each surface escapes those parts.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from datetime import datetime

from bot.chat_text import clean, user
from jobs.events import ProgressEvent
from jobs.overview import QueueState
from storage.stats import FailedVersion

CMD = "/autoweb"
HELP = f"""Here is what I can do:
• `{CMD} build <what you want>` (e.g. `{CMD} build a landing page for Sweet Crumbs, a bakery in Leeds`)
• `{CMD} edit #<project> <change>` (or reply in the project's thread)
• `{CMD} images #<project> [n] [prompt]` · `{CMD} status [#project]` · `{CMD} projects`
• `{CMD} history #<project>` · `{CMD} rollback #<project> <version>` · `{CMD} cancel #<project>`
• `{CMD} credits` · `{CMD} templates [category]` · `{CMD} help`"""


def help_text() -> str:
    return HELP


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# --- grammar ------------------------------------------------------------------------------------------------
def unknown_command(verb: str, suggestion: str | None) -> str:
    hint = f" Did you mean `{CMD} {suggestion}`?" if suggestion else ""
    return f"I don't know `{user(verb)}`.{hint} `{CMD} help` lists everything."


def empty_prompt(verb: str) -> str:
    if verb == "edit":
        return f"Tell me what to change, e.g. `{CMD} edit #42 make the header dark green`."
    return (
        f"Tell me what to build, e.g. `{CMD} build a portfolio for a wedding photographer in Bath`. "
        f"`{CMD} help` lists everything."
    )


def prompt_too_long(length: int, limit: int) -> str:
    return f"That's {length:,} characters; please keep it under {limit:,}. Nothing was started or charged."


def needs_project(verb: str) -> str:
    return f"Which project? Use its number, e.g. `{CMD} {verb} #42`. `{CMD} projects` lists yours."


def needs_version() -> str:
    return f"Which version? e.g. `{CMD} rollback #42 v1`. `{CMD} history #42` lists them."


def bad_image_count(limit: int) -> str:
    return f"I can make between 1 and {limit} images at a time."


def grant_usage() -> str:
    return f"Use `{CMD} credits grant <user> <amount>`, e.g. `{CMD} credits grant @alice 50`."


def grant_bad_amount(limit: int) -> str:
    return f"The amount must be a whole number from 1 to {limit:,}. Nothing was granted."


# --- refusals -----------------------------------------------------------------------------------------------
def rate_limited(retry_after: int) -> str:
    return f"Easy there: too many commands at once. Try again in {max(retry_after, 1)} s."


def insufficient_credits(kind: str, cost: int, available: int, *, admin: str | None = None) -> str:
    """`admin`: the asker's own user id when they may grant credits themselves (the local console's user)."""
    what = {"build": "A build", "edit": "An edit", "rollback": "A rollback", "images": "That"}.get(kind, "That")
    more = (
        f"You are an admin here: `credits grant {admin} 100` adds more."
        if admin
        else f"Ask an admin for more (`{CMD} credits`)."
    )
    return f"{what} costs {cost} credits and you have {available}. {more} Nothing was charged."


def queue_unavailable(ref: str) -> str:
    return (
        f"I can't reach the job queue right now, so nothing was started or charged. "
        f"Please try again in a minute (ref {ref})."
    )


def database_unavailable(ref: str) -> str:
    return (
        f"I can't reach my database right now, so nothing was started or charged. "
        f"Please try again in a minute (ref {ref})."
    )


def internal_error(ref: str) -> str:
    return f"Something went wrong on my side and nothing was charged. Please try again (ref {ref})."


EDIT_LINES = 15
"""Most change lines one edit reply lists (a chat message has a size limit)."""


def edit_not_understood(project: int, unclear: Sequence[tuple[str, str, str]] = ()) -> str:
    """Nothing in the edit was understood: nothing is built or charged. `unclear`: (text, reason, example)."""
    if not unclear:
        return (
            f"I couldn't tell what to change. Try e.g. `{CMD} edit #{project} make the header dark green`, "
            f"`add a pricing page`, `remove the faq`, `rename to Crumbs & Co`. Nothing was charged."
        )
    return f"I couldn't make any change to #{project}, so nothing was built or charged:\n" + _not_done(
        unclear[:EDIT_LINES]
    )


def _not_done(unclear: Sequence[tuple[str, str, str]]) -> str:
    return "\n".join(
        f"• “{user(textwrap.shorten(text, 70, placeholder=' …'))}”: {user(reason or 'I did not understand that')}. "
        f"Try e.g. `{example}`"
        for text, reason, example in unclear
    )


def edit_accepted(accepted: str, changes: Sequence[tuple[str, str]], unclear: Sequence[tuple[str, str, str]]) -> str:
    """The queued edit's line, then each change (page: what), then each part not done with a phrasing that works."""
    order = list(dict.fromkeys(page for page, _ in changes))  # grouped by page, in the order they came
    ordered = sorted(changes, key=lambda c: order.index(c[0]))
    shown = [f"• {user(page or 'Every page')}: {user(what)}" for page, what in ordered]
    lines = [accepted, "Changes:", *shown[:EDIT_LINES]]
    if len(shown) > EDIT_LINES:
        lines.append(f"• … and {len(shown) - EDIT_LINES} more (`{CMD} history` lists the versions)")
    if unclear:
        lines += ["Not done:", _not_done(unclear[:EDIT_LINES])]
    return "\n".join(lines)


def edit_too_big(what: str, size: int, limit: int) -> str:
    return f"That edit is too big: {what} would be {size:,} (the cap is {limit:,}). Nothing was changed or charged."


def editing(project: int, reply: str) -> str:
    """A plain console line taken as an edit of the project last worked on."""
    return f"Editing #{project}: {reply}"


def nothing_to_edit() -> str:
    return (
        f"I don't know which site to change yet: build one first (`{CMD} build …`) or name it "
        f"(`{CMD} edit #42 …`). `{CMD} help` lists everything."
    )


def not_admin() -> str:
    return "Only admins can grant credits. Nothing was changed."


def unknown_user(who: str) -> str:
    return f"I don't know `{user(who)}` yet: they need to use `{CMD}` once first. Nothing was granted."


def no_such_project(project: int) -> str:
    return f"I can't find project #{project} among yours. `{CMD} projects` lists them."


def no_such_version(project: int, version: int) -> str:
    return f"Project #{project} has no finished v{version}. `{CMD} history #{project}` lists them."


def rolled_back(name: str, version: int, preview: str, kept: Sequence[str]) -> str:
    later = f" Later versions are kept: {kept[-1]}" if kept else ""
    return f"↩️ {user(name)} v{version} is live again: {preview} (instant, no charge).{later}"


def already_live(project: int, version: int) -> str:
    return f"v{version} of #{project} is already live. `{CMD} history #{project}` lists the others."


def project_busy(project: int) -> str:
    return f"Project #{project} is still building. Wait for it to finish or `{CMD} cancel #{project}`."


def nothing_to_cancel(project: int) -> str:
    return f"Project #{project} has nothing queued or running."


def duplicate_request(project: int) -> str:
    return f"Already on it: that request is project #{project}. Nothing extra was charged."


# --- replies ------------------------------------------------------------------------------------------------
def build_accepted(name: str, project: int, version: int, position: int | None, held: int) -> str:
    where = (
        "queued"
        if position is None
        else ("next in line" if position == 0 else f"queued, {ordinal(position + 1)} in line")
    )
    what = f"project #{project}" if version == 1 else f"project #{project} v{version}"
    return f"🧱 {user(name)} · {what} · {where} · {held} credits held"


def granted(amount: int, who: str, balance: int) -> str:
    return f"Granted {amount:,} credits to {user(who)}. Their balance is now {balance:,}."


OPERATION_WORDS = {
    "grant": "granted",
    "purchase": "bought",
    "refund": "refunded",
    "adjustment": "adjusted",
    "held": "held for",
    "charged": "for",
    "released": "back from",
}
"""How `credits` words each kind of operation (a hold and its capture or release are one line)."""


def credits_summary(balance: int, held: int, recent: Sequence[tuple[str, int, str]]) -> str:
    """`recent`: (kind, net effect, what it was for) per operation, newest first (`storage.ledger.operations`)."""
    lines = [f"You have {balance - held:,} credits available ({balance:,} balance, {held:,} held)."]
    if recent:
        lines.append("Recent:")
        lines += [f"• {net:+,} {OPERATION_WORDS.get(kind, kind)} {label}".rstrip() for kind, net, label in recent]
    return "\n".join(lines)


IMPORTED = "imported"
"""The state `projects_list` and `history` show for a project migrated from the legacy app."""
IMPORTED_NOTE = "imported from the old AutoWebIQ app, not hosted here"


def projects_list(rows: Sequence[tuple[int, str, int | None, str]]) -> str:
    """`rows`: (id, name, live version, state of the newest version, or IMPORTED) per project."""
    if not rows:
        return f"No projects yet. Start one with `{CMD} build …`."
    return "Your projects:\n" + "\n".join(
        f"• #{pid} {user(name)} · "
        + (IMPORTED_NOTE if state == IMPORTED else (f"v{current} live" if current else "not built yet") + f" · {state}")
        for pid, name, current, state in rows
    )


def imported_status(project: int, name: str) -> str:
    return f"#{project} {user(name)}: {IMPORTED_NOTE}, so it has no preview link. `{CMD} build …` starts a new site."


def imported_unchangeable(project: int) -> str:
    return (
        f"#{project} was {IMPORTED_NOTE}, so it can't be edited, rolled back or given new images. "
        f"Start a new site with `{CMD} build …`. Nothing was charged."
    )


def project_status(
    project: int, name: str, version: int, state: str, step: str, progress: int, preview: str | None
) -> str:
    line = f"#{project} {user(name)} v{version}: {state}"
    if state in ("queued", "running"):
        line += (f" · {step}" if step and step != state else "") + f" · {progress} %"
    if preview:
        line += f" · {preview}"
    return line


def history(project: int, rows: Sequence[tuple[int, str, str, str]], live: int | None = None) -> str:
    """`rows`: (number, kind, state, instruction) per version; `live`: the number of the version served now."""
    if not rows:
        return f"Project #{project} has no versions yet."
    return f"History of #{project}:\n" + "\n".join(
        f"• v{n} {kind} · {state}"
        + (" · live" if n == live else "")
        + (f" · {user(textwrap.shorten(what, 60, placeholder=' …'))}" if what else "")
        for n, kind, state, what in rows
    )


def templates_list(rows: Sequence[tuple[str, str, str]], category: str | None) -> str:
    if not rows:
        return f"No templates in `{user(category)}`. Try `{CMD} templates` for all of them."
    return "Templates:\n" + "\n".join(f"• {name} ({cat} · {style})" for name, cat, style in rows)


def cancel_requested(project: int, version: int) -> str:
    return f"Cancelling #{project} v{version}. Held credits will be given back."


# --- progress -----------------------------------------------------------------------------------------------
def progress_bar(percent: int, width: int = 10) -> str:
    filled = max(0, min(width, round(percent * width / 100)))
    return "▰" * filled + "▱" * (width - filled)


def progress_line(event: ProgressEvent) -> str:
    count = f" {event.done}/{event.total}" if event.total and event.total > 1 else ""
    return f"{progress_bar(event.progress)} {event.progress} % · {event.step.lower()}{count}"


def build_succeeded(event: ProgressEvent) -> str:
    finish = f"\n   {user(event.detail)}" if event.detail else ""  # what would complete the site, from the job
    return (
        f"✅ {user(event.project_name)} v{event.version} is live: {event.preview_url}\n"
        f"   {event.pages} pages · {event.credits} credits charged · {event.balance} left{finish}"
    )


def build_failed(event: ProgressEvent, ref: str) -> str:
    return (
        f"❌ v{event.version} of {user(event.project_name)} failed while {event.step}. "
        f"Your {event.credits} credits are back (ref {ref}). Try again with `{CMD} build …`."
    )


def build_cancelled(event: ProgressEvent) -> str:
    return f"⏹ v{event.version} of {user(event.project_name)} was cancelled. Your {event.credits} credits are back."


# --- console ------------------------------------------------------------------------------------------------
def console_done(seconds: float, site: str, archive: str, event: ProgressEvent, *, serving: bool = False) -> str:
    preview = (
        f"Preview: {event.preview_url}"
        if serving
        else f"Open it in a browser, or add --serve to `autoweb demo` to browse it at {event.preview_url}"
    )
    return (
        f"✅ Done in {seconds:.1f} s: {site} (zip: {archive})\n"
        f"   {event.pages} pages · {event.credits} credits charged · {event.balance} left\n"
        f"   {preview}"
    )


def console_no_outcome() -> str:
    return "The build did not report back in time. `autoweb doctor` checks the workers."


# --- chat threads (Slack; Discord later): root, status message, milestones, final message, buttons ---------
THREAD_HINT = 'Reply here to change it — "make the header dark green", "add a pricing page".'


def thread_root(mention: str, reply_text: str) -> str:
    """The channel message a build's thread hangs off: who asked, and the accepted reply."""
    return f"{mention} {reply_text}".strip()


def status_queued(position: int | None) -> str:
    where = (
        "waiting for a worker"
        if position is None
        else ("next in line" if position == 0 else f"{ordinal(position + 1)} in line")
    )
    return f"⏳ Queued · {where}"


def status_running(event: ProgressEvent, elapsed: float) -> str:
    return f"{progress_line(event)} · {elapsed:.1f} s"


def status_finished(event: ProgressEvent, elapsed: float) -> str:
    if event.kind == "succeeded":
        return f"{progress_bar(100)} 100 % · done in {elapsed:.1f} s"
    if event.kind == "cancelled":
        return f"⏹ Cancelled after {elapsed:.1f} s"
    return f"❌ Stopped while {event.step.lower() or 'building'} after {elapsed:.1f} s"


def milestone(detail: str) -> str:
    return f"✓ {user(detail)}"


def build_succeeded_in_thread(event: ProgressEvent) -> str:
    return f"{build_succeeded(event)}\n{THREAD_HINT}"


def button_open_preview() -> str:
    return "Open preview"


def button_download_zip() -> str:
    return "Download zip"


def button_roll_back(version: int) -> str:
    return f"Roll back to v{version}"


def button_cancel() -> str:
    return "Cancel"


def cannot_post_here(reply_text: str, project: int | None) -> str:
    follow = f" or follow it with `{CMD} status #{project}`" if project else ""
    return (
        f"{reply_text}\nI can't post in this channel: invite me with `/invite @AutoWebIQ` to get a live thread{follow}."
    )


# --- Discord: app command descriptions, thread names, channel refusals ------------------------------------------
DISCORD_COMMANDS = {
    "autoweb": "Build and change websites from chat",
    "build": "Build a new website from a description",
    "edit": "Change a project (or just reply in its thread)",
    "images": "Generate new images for a project",
    "status": "Show how a project (or all of yours) is doing",
    "projects": "List your projects",
    "history": "List a project's versions",
    "rollback": "Make an earlier version live again",
    "cancel": "Cancel a project's queued or running build",
    "credits": "Show your credits",
    "credits-grant": "Give credits to someone (admins)",
    "templates": "List the site templates",
    "help": "Everything AutoWebIQ can do",
}
DISCORD_OPTIONS = {
    "prompt": "What to build, in plain words",
    "project": "Which project (start typing its name or number)",
    "instruction": 'What to change, e.g. "make the header dark green"',
    "n": "How many images (1-8)",
    "image_prompt": "What the images should show",
    "version": "Version number, e.g. 1",
    "user": "Who gets the credits",
    "amount": "How many credits",
    "category": "Only this category, e.g. food",
}


def discord_command(name: str) -> str:
    return DISCORD_COMMANDS[name]


def discord_option(name: str) -> str:
    return DISCORD_OPTIONS[name]


def discord_thread_name(project: int, name: str) -> str:
    """A thread title: Discord allows 100 characters."""
    return f"#{project} {clean(name)}"[:100]


def discord_cannot_start_thread(project: int | None) -> str:
    follow = f" Follow it with `{CMD} status project:{project}`." if project else ""
    return f"I can't start a thread here: give me the Send Messages and Create Public Threads permissions.{follow}"


def discord_missed_interaction(mention: str, verb: str) -> str:
    """An interaction that reached the bot too late to be answered (Discord allows 3 s; e.g. after an outage): said
    once in its channel. `verb` is the command's first word, from our grammar, never user text."""
    command = f"{CMD} {verb} …" if verb else f"{CMD} …"
    return f"{mention} I missed your `{command}` during a Discord outage — please send it again"


# --- operators ----------------------------------------------------------------------------------------------
def ago(seconds: float) -> str:
    if seconds < 90:
        return f"{max(int(seconds), 0)} s ago"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min ago"
    if seconds < 36 * 3600:
        return f"{round(seconds / 3600)} h ago"
    return f"{round(seconds / 86400)} days ago"


def admin_status(queues: Sequence[QueueState], failures: Sequence[FailedVersion], now: datetime) -> str:
    """`status` for an admin: every queue, its live workers, and the newest failed builds."""
    lines = ["Queues:"]
    for q in queues:
        workers = f"{q.workers} worker{'s' * (q.workers != 1)}" if q.workers else "⚠️ no worker"
        lines.append(f"• {q.name}: {q.depth} waiting · {q.running} running · {workers} · {q.failed} failed")
    if failures:
        lines.append("Recent failures:")
        for f in failures:
            when = f" · {ago((now - f.finished_at).total_seconds())}" if f.finished_at else ""
            step = f" while {f.step[:1].lower()}{f.step[1:]}" if f.step else ""
            lines.append(f"• #{f.project_id} {user(f.project_name)} v{f.version} failed{step}{when}")
    else:
        lines.append("No failed builds.")
    lines.append(f"Failed jobs stay in the dashboard for a week. Your own projects: `{CMD} projects`.")
    return "\n".join(lines)


# --- photos from chat ---------------------------------------------------------------------------------------
PHOTO_REFUSALS = {
    "format": "not a JPEG, PNG or WebP photo (those are the kinds I take)",
    "pixels": "too many pixels (60 megapixels at most)",
    "too_big": "larger than 20 MB",
    "corrupt": "damaged or cut short: it could not be read",
    "empty": "empty",
    "host": "not from the chat's own file storage, so I did not fetch it",
    "redirect": "its download led away from the chat's own file storage, so I stopped",
    "download": "could not be downloaded (try sending it again)",
    "too_many": "one file too many: I take 10 per message",
    "missing": "no such file",
}


def file_name(name: str) -> str:
    """A file's name as chat shows it: a person's text (each surface escapes it), one line, at most 60 characters."""
    kept = clean(name).strip()
    return user(kept[:57] + "…" if len(kept) > 60 else kept) if kept else "file"


def photo_refused(name: str, reason: str) -> str:
    return f"{file_name(name)}: {PHOTO_REFUSALS.get(reason, 'could not be used')}"


def no_usable_photos(refused: Sequence[tuple[str, str]]) -> str:
    lines = "\n".join(f"• {photo_refused(n, r)}" for n, r in refused) or "• no file came with the message"
    return f"No photo I could use, so nothing changed and nothing was charged:\n{lines}"


def photos_placed(placed: Sequence[tuple[str, str]], refused: Sequence[tuple[str, str]]) -> str:
    """Where each photo went (file name, place), then what was skipped and why."""
    went = "\n".join(f"• {file_name(n)} → {place}" for n, place in placed)
    skipped = "".join(f"\n• skipped {photo_refused(n, r)}" for n, r in refused)
    return f"📷 Your photos:\n{went}{skipped}"


def photos_need_a_project() -> str:
    return f"Send photos in a project's thread, or use `{CMD} images #<project>` with them attached."


def images_drawn(count: int) -> str:
    """The `images` reply's note when no image service is configured: what will be drawn, and the better way."""
    what = "a new picture" if count == 1 else f"{count} new pictures"
    return (
        f"🎨 I'll draw {what} in your site's colours (no image service is set up, so I can't paint the words of "
        "a prompt). For real pictures, drop your photos in the project's thread."
    )
