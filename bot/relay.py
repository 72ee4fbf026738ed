"""The progress relay: job events from Redis pub/sub become one live status message, milestone replies and a
final message in the project's chat thread, on any platform that implements `ChatSink`.

Several adapter processes may run a relay each, all subscribed to every event. Coordination is in Redis:
- each event is posted by the one relay that claims it (`SET NX` on the event id, with a TTL);
- where a build's thread is: one hash per version (thread, status message, newest state, last state shown),
  written by `open` in whichever process accepted the command, plus one hash per project (its latest thread);
- the status message is edited at most once per `update_interval` (a shared throttle key), by one relay at a time
  (an edit lease), always with the newest state; an edit a newer state supersedes is cancelled, even in a retry
  sleep, so a late step never lands after a newer state or the final (`bot/delivery.py`);
- every message created carries a key naming its event (status: the version; milestone: the event; final: the
  version and outcome), so a retry after an ambiguous failure never shows it twice (`bot/delivery.py`);
- the final message waits for milestone posts still in flight in other relays (a `pending` counter), so the
  thread reads in order, and is retried (honouring Retry-After) until `final_deadline`: it is never dropped.

Final messages are durable: the job writes each one to the Postgres outbox (storage/outbox.py) before publishing it.
A relay claims the outbox row (not a Redis key) before posting a final and marks it delivered once the platform
accepted it; on start, after every resubscription (a Redis outage or restart) and every `sweep_interval` it claims
and posts the rows no relay has delivered, so a final published while no relay listened still arrives, once. When
the Redis copy of a thread's mapping is gone, the thread comes from Postgres (`user_sessions`).
"""

from __future__ import annotations

import asyncio
import functools
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import Executor
from dataclasses import asdict
from typing import Any, TypeVar

import redis
import redis.asyncio as aioredis
import structlog
from pydantic import ValidationError
from redis.typing import EncodableT, FieldT

from bot import delivery, messages, metrics
from bot.chat_sink import Button, ChatSink, Outgoing, ThreadRef
from bot.chat_text import plain
from bot.commands import Actor
from bot.service import Reply
from jobs.context import JobContext
from jobs.events import ProgressEvent, parse
from storage import keys, outbox, projects
from storage.errors import NotFound
from storage.history import HistoryWriter, ThreadBinding
from storage.redis_client import db_number

log = structlog.get_logger(__name__)
T = TypeVar("T")

RELAY_PREFIX = f"{keys.PREFIX}:relay"
MAPPING_TTL = int(projects.SESSION_LIFETIME.total_seconds())
"""Seconds a version's or project's thread mapping stays in Redis (as long as the thread maps to the project)."""
CLAIM_TTL = 24 * 3600
"""Seconds an event's claim is kept: longer than pub/sub could ever deliver it late."""
SWEEP_BATCH = 100
"""Outbox rows claimed per query when a relay catches up."""
SWEEP_CONCURRENCY = 16
"""Final messages from the outbox posted at once while catching up."""
OPEN_DEADLINE = 60.0
"""Seconds a build's status message is retried through platform failures (its key makes retries safe)."""
EDIT_LEASE_MS = 10_000
"""How long a relay holds a status message's edit lease without renewing it (renewed while its edit is slow)."""


def version_key(platform: str, version_id: int) -> str:
    return f"{RELAY_PREFIX}:{platform}:version:{version_id}"


def project_key(platform: str, project_id: int) -> str:
    return f"{RELAY_PREFIX}:{platform}:project:{project_id}"


# KEYS: claim key, version hash. ARGV: claim ttl, 1 if the claimer will post a milestone (counted until posted),
# mapping ttl. Returns 1 to the one caller that claims the event.
_CLAIM = """
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
if ARGV[2] == '1' then
  redis.call('HINCRBY', KEYS[2], 'pending', 1)
  redis.call('EXPIRE', KEYS[2], ARGV[3])
end
return 1
"""
# KEYS: version hash. ARGV: event ts, event json, 1 if terminal, mapping ttl. Keeps the newest state; a terminal
# state is never replaced (a cancel is published by the bot while the worker may still report steps).
_LATEST = """
if redis.call('HEXISTS', KEYS[1], 'final') == 1 then return 0 end
local ts = tonumber(redis.call('HGET', KEYS[1], 'latest_ts') or '-1')
if ARGV[3] ~= '1' and tonumber(ARGV[1]) <= ts then return 0 end
redis.call('HSET', KEYS[1], 'latest', ARGV[2], 'latest_ts', ARGV[1])
if ARGV[3] == '1' then redis.call('HSET', KEYS[1], 'final', '1') end
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
"""
# KEYS: lease key. ARGV: holder. Releases the lease only if this holder still has it.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
# KEYS: version hash. ARGV: ts of the state just shown. The mark only moves forward.
_SHOWN = """
if tonumber(redis.call('HGET', KEYS[1], 'shown_ts') or '-1') < tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'shown_ts', ARGV[1])
end
return 1
"""


def spawn(tasks: set[asyncio.Task[None]], coro: Coroutine[Any, Any, object]) -> None:
    """Run `coro` in the background, kept in `tasks` until done; a failure is logged, never lost silently."""

    async def logged() -> None:
        try:
            await coro
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("background chat task failed")

    task = asyncio.get_running_loop().create_task(logged())
    tasks.add(task)
    task.add_done_callback(tasks.discard)


class Relay:
    def __init__(
        self,
        sink: ChatSink,
        ctx: JobContext,
        client: aioredis.Redis,
        executor: Executor,
        history: HistoryWriter,
        *,
        update_interval: float = 1.0,
        mapping_wait: float = 10.0,
        final_deadline: float = 600.0,
        sweep_interval: float = 60.0,
    ) -> None:
        self.sink, self.ctx, self.redis, self.executor, self.history = sink, ctx, client, executor, history
        self.platform = sink.platform
        self.update_interval, self.mapping_wait, self.final_deadline = update_interval, mapping_wait, final_deadline
        self.sweep_interval = sweep_interval
        self.claimer = f"{self.platform}:{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        """Who holds an outbox claim: unique per relay (a restarted process never takes an old claim for its own)."""
        self.ready = asyncio.Event()
        """Set once subscribed: events published after it are seen."""
        self._platforms: dict[int, str] = {}
        self._locks: dict[int, asyncio.Lock] = {}
        self._refreshing: set[int] = set()
        self._dirty: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    # --- the thread directory: used by adapters ---------------------------------------------------------------
    async def open(self, actor: Actor, where: ThreadRef, reply: Reply, *, accepted_at: float) -> None:
        """Follow a queued version in `where`: post its status message and remember the thread everywhere."""
        assert reply.project_id is not None and reply.version_id is not None
        project_id, version_id = reply.project_id, reply.version_id
        status = Outgoing(
            text=messages.status_queued(reply.queue_position),
            buttons=(self._cancel_button(project_id),),
            key=delivery.message_key("st", version_id),
        )
        # Retried for longer than other relays wait for the mapping: a status message that was made (an ambiguous
        # failure) but never recorded would stay "Queued" for good; events meanwhile are shown once it is.
        status_id = await delivery.deliver(lambda: self.sink.post(where, status), deadline=OPEN_DEADLINE)
        thread: dict[FieldT, EncodableT] = {
            "team": where.team_id,
            "channel": where.channel_id,
            "thread": where.thread_id,
        }
        vkey, pkey = version_key(self.platform, version_id), project_key(self.platform, project_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(vkey, mapping={**thread, "status": status_id, "accepted": accepted_at})
            pipe.expire(vkey, MAPPING_TTL)
            pipe.hset(pkey, mapping=thread)
            pipe.expire(pkey, MAPPING_TTL)
            pipe.hexists(vkey, "latest")
            events_came_first = (await pipe.execute())[-1]
        binding = ThreadBinding(
            **asdict(where), project_id=project_id, user_id=reply.user_id, external_id=actor.user_id
        )
        self.history.bind(binding)  # in Postgres for when Redis loses the mapping: written behind, in a batch
        # Events handled before the status message existed could not show themselves: show the newest now. An
        # event stored after this MULTI finds the status message and refreshes it itself.
        if events_came_first:
            self._schedule_refresh(version_id)

    async def is_open(self, version_id: int) -> bool:
        """True when the version already has its status message somewhere."""
        return bool(await self.redis.hexists(version_key(self.platform, version_id), "status"))

    async def project_thread(self, project_id: int) -> ThreadRef | None:
        h = await self._hash(project_key(self.platform, project_id))
        return self._thread(h) if h else None

    async def project_in_thread(self, where: ThreadRef) -> int | None:
        def find() -> int | None:
            with self.ctx.db.session() as s:
                return projects.project_for_thread(s, **asdict(where))

        return await self._sync(find)

    # --- the event loop --------------------------------------------------------------------------------------
    async def run(self) -> None:
        """Follow every progress event until cancelled (resubscribing after a Redis outage), and deliver the
        outbox's undelivered finals after each (re)subscription and every `sweep_interval`."""
        sweeper = asyncio.get_running_loop().create_task(self._sweep_every())
        try:
            await self._follow()
        finally:
            sweeper.cancel()

    async def _follow(self) -> None:
        while True:
            pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.psubscribe(keys.progress_pattern(db_number(self.redis)))
                self.ready.set()
                self._spawn(self.sweep())  # what was published while nobody listened is in the outbox
                async for message in pubsub.listen():
                    try:
                        event = parse(message["data"])
                    except ValidationError:
                        log.warning("ignored a malformed progress event")
                        continue
                    self._spawn(self._on_event(event))
            except (redis.RedisError, OSError):
                self.ready.clear()  # /readyz reports it until the subscription is back
                log.warning("progress subscription lost; resubscribing", exc_info=True)
                await asyncio.sleep(1)
            finally:
                await pubsub.aclose()

    async def close(self, grace: float = 5.0) -> None:
        """Let posts in flight finish (their events are claimed: no other relay will post them), then stop."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=grace)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _on_event(self, event: ProgressEvent) -> None:
        if not await self._is_ours(event.project_id):
            return
        self._bind_log_context(event)
        if event.terminal:
            await self._final(event)
            return
        key = version_key(self.platform, event.version_id)
        milestone = bool(event.detail)
        async with self._locks.setdefault(event.version_id, asyncio.Lock()):  # posted in the order published
            claim = f"{key}:claim:{event.id}"
            if not await self._eval(_CLAIM, [claim, key], CLAIM_TTL, int(milestone), MAPPING_TTL):
                return
            await self._eval(_LATEST, [key], event.ts, event.model_dump_json(), 0, MAPPING_TTL)
            where = await self._wait_for_thread(key)
            if where is None:
                log.warning("no thread for a build's progress", version_id=event.version_id, kind=event.kind)
                return
            if milestone:
                try:
                    line = Outgoing(
                        text=messages.milestone(event.detail),
                        key=delivery.message_key("ms", event.version_id, event.id),
                    )
                    await self._post(where, event.project_id, line, 30.0)
                    metrics.observe_relay(self.platform, "milestone", event.ts)
                finally:
                    await self.redis.hincrby(key, "pending", -1)
        self._schedule_refresh(event.version_id)

    # --- final messages: claimed in the outbox, delivered once ------------------------------------------------
    async def sweep(self) -> int:
        """Claim and post every undelivered final of this platform, a batch at a time with at most
        SWEEP_CONCURRENCY posts in flight (a claim is never held long before its post); returns how many were
        claimed. A batch with a failed post ends the sweep: the rest waits for the next one."""
        claimed, gate = 0, asyncio.Semaphore(SWEEP_CONCURRENCY)

        async def deliver(event: ProgressEvent) -> None:
            async with gate:
                await self._final(event, claimed=True)

        while True:
            try:
                payloads = await self._sync(self._claim_batch)
            except Exception:  # Postgres down: the next sweep tries again
                log.warning("could not read the outbox", exc_info=True)
                return claimed
            claimed += len(payloads)
            batch = []
            for payload in payloads:
                try:
                    batch.append(ProgressEvent.model_validate(payload))
                except ValidationError:
                    log.warning("an outbox row is not a progress event; left claimed")
            results = await asyncio.gather(*(deliver(e) for e in batch), return_exceptions=True)
            failed = [r for r in results if isinstance(r, BaseException)]
            for error in failed:
                log.warning("a final message from the outbox was not delivered", error=type(error).__name__)
            if failed or len(payloads) < SWEEP_BATCH:
                return claimed

    async def _sweep_every(self) -> None:
        while True:
            await asyncio.sleep(self.sweep_interval)
            await self.sweep()

    async def _final(self, event: ProgressEvent, *, claimed: bool = False) -> None:
        """Post a version's final message once across relays and mark its outbox row delivered.

        An event without an outbox row (published by hand, e.g. a benchmark) is claimed in Redis instead."""
        self._bind_log_context(event)
        durable = claimed
        if not claimed:
            state = await self._sync(functools.partial(self._claim_event, event.id))
            if state == "taken":  # another relay is posting it, or it was delivered already
                self._locks.pop(event.version_id, None)
                return
            durable = state == "claimed"
        key = version_key(self.platform, event.version_id)
        lock = self._locks.pop(event.version_id, None) or asyncio.Lock()  # this process is done with the version
        delivered, give_back = False, False
        try:
            async with lock:  # after this process's milestone posts of the version
                claim = f"{key}:claim:{event.id}"
                if not durable and not await self._eval(_CLAIM, [claim, key], CLAIM_TTL, 0, MAPPING_TTL):
                    return
                # Redis only keeps the status message and the thread order here: a final in the outbox is posted
                # even when Redis just lost its data or its connections (its thread then comes from Postgres).
                latest = self._eval(_LATEST, [key], event.ts, event.model_dump_json(), 1, MAPPING_TTL)
                await self._best_effort(latest, 0)
                where = await self._find_thread(key, event.project_id)
                if where is None:
                    log.warning("no thread for a build's final message", version_id=event.version_id)
                    return
                await self._best_effort(self._wait_for_pending(key), None)
                await self._post(where, event.project_id, self._outcome(event), self.final_deadline)
                delivered = True
                metrics.observe_relay(self.platform, "final", event.ts)
        except asyncio.CancelledError:  # shutting down: another relay may take it at once
            give_back = True
            raise
        finally:
            # Not delivered for another reason (the platform refused or timed out, no thread): the row stays
            # claimed and is tried again when its lease runs out, never in a tight loop.
            if durable and (delivered or give_back):
                await self._settle_claim(event.id, delivered)
        self._schedule_refresh(event.version_id)

    async def _find_thread(self, key: str, project_id: int) -> ThreadRef | None:
        """The version's thread from Redis; else the project's from Postgres (Redis lost its data); else wait for
        the status message that `open` may still be posting."""
        h = await self._best_effort(self._hash(key), {})
        if "status" in h:
            return self._thread(h)
        if (where := await self._sync(functools.partial(self._thread_in_db, project_id))) is not None:
            return where
        if (where := await self._best_effort(self._wait_for_thread(key), None)) is not None:
            return where
        return await self._sync(functools.partial(self._thread_in_db, project_id))

    @staticmethod
    async def _best_effort(step: Awaitable[T], default: T) -> T:
        try:
            return await step
        except (redis.RedisError, OSError):
            log.warning("Redis failed a final message's bookkeeping; going on without it", exc_info=True)
            return default

    async def _settle_claim(self, event_id: str, delivered: bool) -> None:
        def settle() -> None:
            with self.ctx.db.session() as s:
                if delivered:
                    outbox.mark_delivered(s, event_id)
                else:
                    outbox.release(s, event_id, self.claimer)

        try:
            await self._sync(settle)
        except Exception:  # the lease runs out and another sweep delivers it (at least once)
            log.warning("could not settle an outbox claim", delivered=delivered, exc_info=True)

    async def _is_ours(self, project_id: int) -> bool:
        if project_id not in self._platforms:

            def platform() -> str | None:
                with self.ctx.db.session() as s:
                    try:
                        return projects.get_project(s, project_id).platform
                    except NotFound:  # e.g. another deployment publishing on the same Redis server
                        return None

            try:
                found = await self._sync(platform)
            except Exception:
                log.warning("could not look up a project's platform", project_id=project_id, exc_info=True)
                return False
            if found is None:  # not cached: the id may yet be taken here
                return False
            if len(self._platforms) > 10_000:
                self._platforms.clear()
            self._platforms[project_id] = found
        return self._platforms[project_id] == self.platform

    async def _wait_for_thread(self, key: str) -> ThreadRef | None:
        deadline = time.monotonic() + self.mapping_wait
        while True:
            h = await self._hash(key)
            if "status" in h or time.monotonic() > deadline:
                return self._thread(h) if "status" in h else None
            await asyncio.sleep(0.01)

    async def _wait_for_pending(self, key: str, limit: float = 5.0) -> None:
        deadline = time.monotonic() + limit
        while int(await self.redis.hget(key, "pending") or 0) > 0 and time.monotonic() < deadline:
            await asyncio.sleep(0.01)

    # --- the status message ------------------------------------------------------------------------------------
    def _schedule_refresh(self, version_id: int) -> None:
        self._dirty.add(version_id)
        if version_id not in self._refreshing:
            self._refreshing.add(version_id)
            self._spawn(self._refresh(version_id))

    async def _refresh(self, version_id: int) -> None:
        """Bring the status message up to the newest state: one relay at a time (the edit lease), at most once per
        interval per message."""
        key = version_key(self.platform, version_id)
        lease = f"{key}:editing"
        try:
            while True:
                self._dirty.discard(version_id)
                h = await self._hash(key)
                if "status" not in h or "latest" not in h or float(h.get("shown_ts", -1)) >= float(h["latest_ts"]):
                    if version_id in self._dirty:
                        continue
                    return
                if not await self.redis.set(lease, self.claimer, nx=True, px=EDIT_LEASE_MS):
                    await asyncio.sleep(delivery.POLL)  # the holder shows the newest state, or we do once it is done
                    continue
                try:
                    await self._show_newest(key, lease)
                finally:
                    await self._eval(_RELEASE, [lease], self.claimer)
        finally:
            self._refreshing.discard(version_id)

    async def _show_newest(self, key: str, lease: str) -> None:
        """One throttled edit of the status message with the newest state; given up (not shown) as soon as a newer
        state is stored, by any relay: the caller's loop shows that one instead."""
        throttle = f"{key}:throttle"
        while not await self.redis.set(throttle, "1", nx=True, px=int(self.update_interval * 1000)):
            await asyncio.sleep(max(await self.redis.pttl(throttle), 10) / 1000)
        h = await self._hash(key)
        if float(h.get("shown_ts", -1)) >= float(h["latest_ts"]):  # the relay that held the lease showed it
            return
        event = parse(h["latest"])
        status = self._status(event, float(h.get("accepted", event.ts)))

        async def superseded() -> bool:
            async with self.redis.pipeline(transaction=False) as pipe:
                pipe.hget(key, "latest")
                pipe.pexpire(lease, EDIT_LEASE_MS)
                newest, _ = await pipe.execute()
            return bool(newest) and newest != h["latest"]

        edit = functools.partial(self.sink.edit, self._thread(h), h["status"], status)
        if await delivery.edit_newest(edit, superseded, deadline=60.0):
            metrics.observe_relay(self.platform, "status", event.ts)
            await self._eval(_SHOWN, [key], h["latest_ts"])

    def _status(self, event: ProgressEvent, accepted: float) -> Outgoing:
        if event.terminal:
            return Outgoing(text=messages.status_finished(event, max(event.ts - accepted, 0.0)))
        running = messages.status_running(event, max(time.time() - accepted, 0.0))
        return Outgoing(text=running, buttons=(self._cancel_button(event.project_id),))

    def _outcome(self, event: ProgressEvent) -> Outgoing:
        key = delivery.message_key("fin", event.version_id, event.kind)
        if event.kind == "cancelled":
            return Outgoing(text=messages.build_cancelled(event), key=key)
        if event.kind == "failed":
            ref = event.id[:4].upper()
            log.warning("build failed", ref=ref, version_id=event.version_id, error=event.error, step=event.step)
            return Outgoing(text=messages.build_failed(event, ref), key=key)
        buttons = [Button(label=messages.button_open_preview(), url=event.preview_url)]
        if event.download_url:
            buttons.append(Button(label=messages.button_download_zip(), url=event.download_url))
        if event.version > 1:
            back = event.version - 1
            buttons.append(
                Button(label=messages.button_roll_back(back), command=f"rollback #{event.project_id} v{back}")
            )
        return Outgoing(text=messages.build_succeeded_in_thread(event), buttons=tuple(buttons), key=key)

    @staticmethod
    def _cancel_button(project_id: int) -> Button:
        return Button(label=messages.button_cancel(), command=f"cancel #{project_id}")

    # --- delivery -------------------------------------------------------------------------------------------------
    async def _post(self, where: ThreadRef, project_id: int, message: Outgoing, deadline: float) -> None:
        await delivery.deliver(lambda: self.sink.post(where, message), deadline=deadline)
        thread = {"channel_id": where.channel_id, "thread_id": where.thread_id}
        text = plain(message.text)  # stored as people read it: without the marks around user text
        self.history.add([{"role": "bot", "text": text, "platform": self.platform, "project_id": project_id, **thread}])

    async def _eval(self, script: str, script_keys: list[str], *args: str | int | float) -> int:
        result = await self.redis.eval(script, len(script_keys), *script_keys, *args)
        return int(result)

    async def _hash(self, key: str) -> dict[str, str]:
        """A hash as text (the client decodes responses)."""
        return {str(k): str(v) for k, v in (await self.redis.hgetall(key)).items()}

    async def _sync(self, fn: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn)

    def _bind_log_context(self, event: ProgressEvent) -> None:
        """Every line this task logs (each event is handled in a task of its own) names the project and version."""
        structlog.contextvars.bind_contextvars(
            project_id=event.project_id, version_id=event.version_id, platform=self.platform
        )

    def _spawn(self, coro: Coroutine[Any, Any, object]) -> None:
        spawn(self._tasks, coro)

    def _thread(self, h: dict[str, str]) -> ThreadRef:
        return ThreadRef(platform=self.platform, team_id=h["team"], channel_id=h["channel"], thread_id=h["thread"])

    # --- Postgres (run on the executor) ---------------------------------------------------------------------------
    def _claim_event(self, event_id: str) -> outbox.ClaimState:
        with self.ctx.db.session() as s:
            return outbox.claim_event(s, event_id, self.claimer)

    def _claim_batch(self) -> list[dict[str, Any]]:
        with self.ctx.db.session() as s:
            return outbox.claim_batch(s, self.platform, self.claimer, limit=SWEEP_BATCH)

    def _thread_in_db(self, project_id: int) -> ThreadRef | None:
        with self.ctx.db.session() as s:
            found = outbox.latest_thread(s, self.platform, project_id)
        return self._thread(found) if found else None
