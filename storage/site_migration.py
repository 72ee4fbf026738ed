"""`autoweb sites migrate --to s3://…`: copy a local site store into another store, idempotently.

Every published version (`<project>/v<n>/` with its `v<n>.zip`) is published in the target the way a worker
would (files, zip, then the version is live), unless the target already has it; the projects' photos are copied
by name (their names are content hashes). Running it again copies only what is new since.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from storage.sites import PHOTOS, LocalSiteStore, SiteStore, site_files

_VERSION = re.compile(r"^v([1-9]\d*)$")


@dataclass
class Migration:
    versions: int = 0
    """Versions published in the target by this run."""
    objects: int = 0
    """Objects written (files, zips, manifests and photos)."""
    already: int = 0
    """Versions the target had before this run."""
    incomplete: int = 0
    """Version directories without their zip (a build stopped half way): left where they are."""


def _versions(root: Path) -> list[tuple[int, int, Path]]:
    found = []
    for project in sorted(p for p in root.iterdir() if p.is_dir() and p.name.isdigit()):
        for path in sorted(project.iterdir()):
            if (m := _VERSION.match(path.name)) and path.is_dir() and not path.is_symlink():
                found.append((int(project.name), int(m.group(1)), path))
    return found


def migrate(source: LocalSiteStore, target: SiteStore) -> Migration:
    """Copy what `target` lacks of `source`; StoreUnavailable if the target fails (a rerun resumes)."""
    if source.location == target.location:
        raise ValueError("the target is the store itself")
    result = Migration()
    if not source.root.is_dir():
        return result
    for project_id, number, path in _versions(source.root):
        archive = path.with_suffix(".zip")
        if not archive.is_file():
            result.incomplete += 1
        elif target.files(project_id, number):
            result.already += 1
        else:
            result.objects += target.publish(project_id, number, path, archive)
            result.versions += 1
    for project in sorted(p for p in source.root.iterdir() if p.is_dir() and p.name.isdigit()):
        prefix = f"{project.name}/{PHOTOS}"
        there = set(target.blobs(prefix))
        for name, file in site_files(project / PHOTOS):
            if f"{prefix}/{name}" not in there:
                target.put_blob(f"{prefix}/{name}", file.read_bytes())
                result.objects += 1
    return result
