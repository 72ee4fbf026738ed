"""A project's photos between the site store and the local directory they are read from and written to.

Photos are written by the service (`images #<project>` with files) and read by whichever worker renders the next
version. With a local store both use `<SITES_DIR>/<project>/photos/` and nothing moves. With an S3 store the
photos live under `<project>/photos/` in the bucket, under content-addressed names (`jobs/photos.py`: a photo's
id is the hash of its bytes), so copying is by name only: a name present on both sides is the same file.
"""

from __future__ import annotations

from pathlib import Path

from jobs.generator import safe_join
from jobs.settings import JobSettings
from storage.errors import ServiceUnavailable
from storage.sites import PHOTOS, StoreUnavailable


def photo_store(root: Path, project_id: int) -> Path:
    """Where a project's photos are kept, in every width a site shows (`jobs/photos.py`), beside its versions."""
    return safe_join(root, str(project_id), PHOTOS)


def _key(project_id: int) -> str:
    return f"{project_id}/{PHOTOS}"


def pull(settings: JobSettings, project_id: int) -> Path:
    """The project's local photo directory, holding every photo the store has (StoreUnavailable if it fails)."""
    local = photo_store(settings.render_root, project_id)
    if settings.is_local:
        return local
    store = settings.site_store
    for key in store.blobs(_key(project_id)):
        path = local / key.removeprefix(_key(project_id) + "/")
        if not path.exists() and (data := store.get_blob(key)) is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.part")
            tmp.write_bytes(data)
            tmp.replace(path)
    return local


def push(settings: JobSettings, project_id: int) -> int:
    """Copy the project's local photos the store lacks into it; how many. ServiceUnavailable if the store fails."""
    if settings.is_local:
        return 0
    store = settings.site_store
    local = photo_store(settings.render_root, project_id)
    try:
        there = set(store.blobs(_key(project_id)))
        sent = 0
        for path in sorted(local.rglob("*")) if local.is_dir() else []:
            key = f"{_key(project_id)}/{path.relative_to(local).as_posix()}"
            if path.is_file() and not path.name.startswith(".") and key not in there:
                store.put_blob(key, path.read_bytes())
                sent += 1
        return sent
    except StoreUnavailable as exc:
        raise ServiceUnavailable("site store", exc.problem) from None


def pull_for_service(settings: JobSettings, project_id: int) -> Path:
    """`pull` for the service, where a failing store is a `ServiceUnavailable` like any other."""
    try:
        return pull(settings, project_id)
    except StoreUnavailable as exc:
        raise ServiceUnavailable("site store", exc.problem) from None
