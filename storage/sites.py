"""The site store: every version of every project's site, its zip, and the project's photos.

One Protocol, two backends, chosen by `SITES_URL`:
- `file:///path` (or `SITES_DIR`, the default `var/sites`): a local directory, `<root>/<project>/v<n>/…` with
  `<root>/<project>/v<n>.zip` beside each version, as before. A version becomes visible by one directory rename.
- `s3://bucket/prefix`: any S3 API (AWS S3, Cloudflare R2, MinIO, Ceph) in `storage.sites_s3`. A version's objects
  are written under `<prefix>/<project>/v<n>/`, its zip beside them, and its manifest (`v<n>.json`: every file and
  its ETag) last: a version without its manifest does not exist for readers, so none is ever half visible.

Readers (the preview servers) ask for one file of one version; numbered versions never change once published, so
their files can be cached for good (`HotCache`). Names are checked here too (`safe_name`), whatever the caller did.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

PROBE_DIR = ".probe"
PROBE_KEY = f"{PROBE_DIR}/doctor"
"""Written, read and deleted by `autoweb doctor` to prove the store works (the one hidden name allowed)."""
PHOTOS = "photos"
"""A project's photos live under `<project>/photos/` in the store (content-addressed names, `jobs/photos.py`)."""


class StoreUnavailable(Exception):
    """The store could not be used. `problem` names the cause in words safe for logs and chat (never a key)."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class StoredFile:
    data: bytes
    etag: str
    """A strong validator of the content (quoted, as HTTP sends it)."""
    name: str = ""
    """The file's name in its version (a directory's `…/index.html`): its type follows from it."""


@dataclass(frozen=True, slots=True)
class Download:
    """A version's zip: a time-limited signed `url` (S3), or a local `path` to stream."""

    url: str | None = None
    path: Path | None = None


class SiteStore(Protocol):
    location: str
    """Where the store is, without credentials (logs, doctor)."""

    def publish(self, project_id: int, version: int, site: Path, archive: Path) -> int:
        """Put a version's files (the directory `site`) and its zip; live once this returns. Objects written."""
        ...

    def read(self, project_id: int, version: int, name: str) -> StoredFile | None:
        """One file of a published version (`name`: `/`-separated, inside it), or None."""
        ...

    def files(self, project_id: int, version: int) -> list[str]:
        """The names of a published version's files, sorted (empty: no such version)."""
        ...

    def delete(self, project_id: int, version: int) -> int:
        """Remove a version (unpublished first, then its objects); how many objects went."""
        ...

    def download(self, project_id: int, version: int, *, expires: int = 600) -> Download | None:
        """A version's zip, or None when there is none."""
        ...

    def put_blob(self, key: str, data: bytes) -> None:
        """Any other object (photos, the doctor's probe) under `key`, a `/`-separated name."""
        ...

    def get_blob(self, key: str) -> bytes | None: ...

    def delete_blob(self, key: str) -> None: ...

    def blobs(self, prefix: str) -> list[str]:
        """Keys under `prefix/`, sorted."""
        ...


def safe_name(name: str) -> tuple[str, ...]:
    """`name`'s segments, or ValueError for anything that could leave its directory or reach a hidden file."""
    parts = tuple(name.split("/"))
    for index, part in enumerate(parts):
        hidden = part.startswith(".") and not (index == 0 and part == PROBE_DIR)
        if not part or part in (".", "..") or hidden or "\\" in part or "\x00" in part:
            raise ValueError("unsafe name in the site store")
    return parts


def etag_of(data: bytes) -> str:
    return '"' + hashlib.blake2b(data, digest_size=16).hexdigest() + '"'


def site_files(site: Path) -> Iterator[tuple[str, Path]]:
    """(name, path) of every regular file of a rendered site, sorted; symlinks are not followed."""
    for path in sorted(site.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path.relative_to(site).as_posix(), path


class LocalSiteStore:
    """A local directory. Readers confine every path to its version's directory after resolving symlinks."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.location = f"file://{root.resolve()}"

    def version_dir(self, project_id: int, version: int) -> Path:
        return self.root / str(project_id) / f"v{version}"

    def publish(self, project_id: int, version: int, site: Path, archive: Path) -> int:
        final = self.version_dir(project_id, version)
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            count = sum(1 for _ in site_files(site))
            shutil.copyfile(archive, final.with_suffix(".zip.tmp"))
            final.with_suffix(".zip.tmp").replace(final.with_suffix(".zip"))
            shutil.rmtree(final, ignore_errors=True)
            if site.resolve().parent == final.parent.resolve():
                site.rename(final)  # the usual case: rendered beside it, one rename makes it visible
            else:
                staged = final.with_name(f".{final.name}.tmp-{os.getpid()}-copy")
                shutil.copytree(site, staged, symlinks=True)
                staged.rename(final)
        except OSError as exc:
            raise StoreUnavailable(f"cannot write to {self.root}: {type(exc).__name__}") from exc
        return count + 1

    def _inside(self, project_id: int, version: int, name: str) -> Path | None:
        root = self.version_dir(project_id, version).resolve()
        path = root.joinpath(*safe_name(name)).resolve() if name else root
        if root != path and root not in path.parents:
            return None
        if path.is_dir():
            path = (path / "index.html").resolve()
            if root not in path.parents:
                return None
        return path if path.is_file() else None

    def read(self, project_id: int, version: int, name: str) -> StoredFile | None:
        try:
            path = self._inside(project_id, version, name)
            if path is None:
                return None
            data = path.read_bytes()
            name = path.relative_to(self.version_dir(project_id, version).resolve()).as_posix()
        except ValueError:
            return None
        except OSError as exc:
            raise StoreUnavailable(f"cannot read {self.root}: {type(exc).__name__}") from exc
        return StoredFile(data, etag_of(data), name)

    def files(self, project_id: int, version: int) -> list[str]:
        return [name for name, _ in site_files(self.version_dir(project_id, version))]

    def delete(self, project_id: int, version: int) -> int:
        final = self.version_dir(project_id, version)
        count = len(self.files(project_id, version))
        final.with_suffix(".zip").unlink(missing_ok=True)
        shutil.rmtree(final, ignore_errors=True)
        return count

    def download(self, project_id: int, version: int, *, expires: int = 600) -> Download | None:
        path = self.version_dir(project_id, version).with_suffix(".zip")
        return Download(path=path) if path.is_file() and not path.is_symlink() else None

    def _blob_path(self, key: str) -> Path:
        return self.root.joinpath(*safe_name(key))

    def put_blob(self, key: str, data: bytes) -> None:
        path = self._blob_path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{threading.get_ident()}")
            tmp.write_bytes(data)
            tmp.replace(path)
        except OSError as exc:
            raise StoreUnavailable(f"cannot write to {self.root}: {type(exc).__name__}") from exc

    def get_blob(self, key: str) -> bytes | None:
        path = self._blob_path(key)
        try:
            return path.read_bytes() if path.is_file() else None
        except OSError as exc:
            raise StoreUnavailable(f"cannot read {self.root}: {type(exc).__name__}") from exc

    def delete_blob(self, key: str) -> None:
        self._blob_path(key).unlink(missing_ok=True)

    def blobs(self, prefix: str) -> list[str]:
        base = self._blob_path(prefix)
        return [f"{prefix}/{name}" for name, _ in site_files(base)] if base.is_dir() else []


class HotCache:
    """The files of numbered versions most recently served, up to `max_bytes` in all (least recently used go
    first). Safe across threads; a file larger than an eighth of the budget is never kept."""

    def __init__(self, max_bytes: int = 64 * 2**20) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._items: OrderedDict[tuple[int, int, str], StoredFile] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[int, int, str]) -> StoredFile | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple[int, int, str], item: StoredFile) -> None:
        if len(item.data) > self.max_bytes // 8:
            return
        with self._lock:
            old = self._items.pop(key, None)
            self.size -= len(old.data) if old else 0
            self._items[key] = item
            self.size += len(item.data)
            while self.size > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self.size -= len(dropped.data)


def open_store(
    url: str,
    *,
    endpoint_url: str | None = None,
    access_key: str | None = None,
    secret_key: str | None = None,
    region: str | None = None,
) -> SiteStore:
    """The store at `url` (`file:///path`, a plain path, or `s3://bucket/prefix`); ValueError for anything else."""
    parts = urlsplit(url.strip())
    if parts.scheme in ("", "file"):
        if parts.netloc not in ("", "localhost"):
            raise ValueError("a file:// SITES_URL names a local path: file:///var/lib/autoweb/sites")
        return LocalSiteStore(Path(unquote(parts.path) if parts.scheme else url))
    if parts.scheme == "s3":
        if not parts.netloc:
            raise ValueError("an s3:// SITES_URL needs a bucket: s3://bucket/prefix")
        from storage.sites_s3 import S3SiteStore  # boto3 is imported only by those who use S3

        return S3SiteStore(
            parts.netloc,
            parts.path.strip("/"),
            endpoint_url=endpoint_url,
            access_key=access_key,
            secret_key=secret_key,
            region=region,
        )
    raise ValueError("SITES_URL must be file:///path or s3://bucket/prefix")


def probe(store: SiteStore) -> str:
    """Write, read and delete a probe object; what was done, or StoreUnavailable naming the problem."""
    payload = os.urandom(16)
    store.put_blob(PROBE_KEY, payload)
    if store.get_blob(PROBE_KEY) != payload:
        raise StoreUnavailable("the probe object read back differs")
    store.delete_blob(PROBE_KEY)
    return f"{store.location}: write, read, delete"
