"""CPU time of every process a build touches, counted with psutil (bench/throughput.py).

A `CpuMeter` runs a sampling thread for one measured window. Each sample it looks at the pids that appeared
since the last one (psutil.pids(), then the command line of each new pid, once) and reads the cumulative CPU
time of every process it tracks:

- `workers`: the `autoweb worker` processes, own time plus their reaped children's (a forking worker's work
  horses are counted once the worker has waited for them, so the window is closed only when no horse is left);
- `postgres`: the PostgreSQL backends of the benchmark's database (found by the database name in their process
  title; CPU from /proc/<pid>/schedstat, exact to the ns; a backend that exits between two samples loses at most
  its last `interval` of CPU);
- `redis`: the redis-server (shared with other users of that server: what they do is counted too);
- `mongo`: the SecantusDB server the benchmark started;
- `bench`: this process (the load generator), less the CPU of the sampling thread and of `extra_threads`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psutil

GROUPS = ("workers", "postgres", "redis", "mongo", "bench")


def cpu_seconds(proc: psutil.Process, children: bool = False) -> float:
    """User + system CPU of `proc` (and of its reaped children when `children`)."""
    t = proc.cpu_times()
    return t.user + t.system + ((t.children_user + t.children_system) if children else 0.0)


def run_seconds(proc: psutil.Process) -> float:
    """CPU time of a single-threaded process in nanoseconds' precision (/proc/<pid>/schedstat): /proc/<pid>/stat
    counts in 10 ms ticks, so a Postgres backend that lives for one job (8 ms, say) would count as nothing."""
    try:
        return int(Path(f"/proc/{proc.pid}/schedstat").read_text().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        raise psutil.NoSuchProcess(proc.pid) from None


def _reading(tracked: Tracked) -> float:
    return run_seconds(tracked.proc) if tracked.group == "postgres" else cpu_seconds(tracked.proc, tracked.children)


class ThreadClock:
    """The CPU time a helper thread has used, readable from other threads (it updates it itself)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._last = 0.0

    def start(self) -> None:
        self._last = time.thread_time()

    def tick(self) -> None:
        now = time.thread_time()
        self.seconds += now - self._last
        self._last = now


@dataclass
class Tracked:
    group: str
    proc: psutil.Process
    base: float
    last: float
    children: bool = False
    alive: bool = True


@dataclass
class CpuMeter:
    """CPU seconds per group over the window between `start()` and `stop()`."""

    db_name: str
    redis_pid: int | None
    fixed: dict[int, str] = field(default_factory=dict)
    """Pids known up front (workers, Mongo server) and their group."""
    extra_threads: list[ThreadClock] = field(default_factory=list)
    interval: float = 0.02
    _tracked: dict[int, Tracked] = field(default_factory=dict)
    _seen: set[int] = field(default_factory=set)
    _clock: ThreadClock = field(default_factory=ThreadClock)
    _done: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self.overhead = 0.0
        """CPU seconds of the sampling thread itself (not in any group)."""
        self._seen = set(psutil.pids())
        for pid in self._seen:
            if group := self._classify(pid):
                self._track(pid, group, baseline=True)
        self._bench_base = cpu_seconds(psutil.Process()) - self._helpers()
        self._thread = threading.Thread(target=self._run, name="cpu-meter", daemon=True)
        self._thread.start()

    def stop(self) -> dict[str, float]:
        """Stop sampling and return CPU seconds per group (GROUPS) in the window."""
        self._done.set()
        if self._thread is not None:
            self._thread.join(5)
        self._sample()
        totals = dict.fromkeys(GROUPS, 0.0)
        for t in self._tracked.values():
            totals[t.group] += t.last - t.base
        totals["bench"] = cpu_seconds(psutil.Process()) - self._helpers() - self._bench_base
        self.overhead = self._clock.seconds
        return totals

    def _helpers(self) -> float:
        return self._clock.seconds + sum(c.seconds for c in self.extra_threads)

    def _run(self) -> None:
        self._clock.start()
        while not self._done.wait(self.interval):
            self._sample()
            self._clock.tick()

    def _sample(self) -> None:
        pids = psutil.pids()
        for pid in pids:
            if pid not in self._seen:
                self._seen.add(pid)
                if group := self._classify(pid):
                    self._track(pid, group, baseline=False)
        for t in self._tracked.values():
            if not t.alive:
                continue
            try:
                t.last = _reading(t)
            except psutil.Error:  # exited: its last sample stands
                t.alive = False

    def _classify(self, pid: int) -> str | None:
        if pid in self.fixed:
            return self.fixed[pid]
        if pid == self.redis_pid:
            return "redis"
        try:
            title = " ".join(psutil.Process(pid).cmdline())
        except psutil.Error:
            return None
        return "postgres" if title.startswith("postgres:") and f" {self.db_name} " in title else None

    def _track(self, pid: int, group: str, *, baseline: bool) -> None:
        try:
            tracked = Tracked(group, psutil.Process(pid), 0.0, 0.0, children=group == "workers")
            now = _reading(tracked)
        except psutil.Error:
            return
        tracked.base, tracked.last = (now if baseline else 0.0), now
        self._tracked[pid] = tracked


def wait_until(check: Callable[[], object], timeout: float, every: float = 0.05) -> bool:
    """Poll `check` until it is true or `timeout` seconds have passed; whether it became true."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(every)
    return bool(check())
