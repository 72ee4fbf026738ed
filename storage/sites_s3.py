"""The S3 backend of the site store (`SITES_URL=s3://bucket/prefix`), on boto3.

Layout under the prefix: `<project>/v<n>/<file…>` (each file with its Content-Type), `<project>/v<n>.zip`, and
`<project>/v<n>.json`, the version's manifest (every file and its ETag), written last: a reader finds a version
only through its manifest, so a version whose upload stopped half way is never seen. Manifests of numbered
versions never change, so they are cached in memory.

Every failure becomes `StoreUnavailable` with the problem in plain words (missing bucket, credentials refused,
endpoint unreachable): the key, the secret and signed URLs never appear in it.
"""

from __future__ import annotations

import json
import mimetypes
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError, NoCredentialsError

from storage.sites import Download, StoredFile, StoreUnavailable, etag_of, safe_name, site_files

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

T = TypeVar("T")
UPLOAD_THREADS = 8
"""Objects of one version uploaded at once."""
MANIFESTS_KEPT = 4096
_DENIED = {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken", "403"}
_MISSING = {"NoSuchKey", "404", "NotFound"}

mimetypes.add_type("image/webp", ".webp")


class S3SiteStore:
    def __init__(
        self,
        bucket: str,
        prefix: str,
        *,
        endpoint_url: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        region: str | None = None,
    ) -> None:
        self.bucket = bucket
        self.prefix = f"{prefix}/" if prefix else ""
        self.location = f"s3://{bucket}/{prefix}" + (f" at {endpoint_url}" if endpoint_url else "")
        config = Config(
            connect_timeout=3,
            read_timeout=15,
            retries={"max_attempts": 2, "mode": "standard"},
            s3={"addressing_style": "path"},
            signature_version="s3v4",  # R2 and MinIO accept only v4; presigned links are v4 too
            max_pool_connections=32,
        )
        self.client: S3Client = boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint_url,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            region_name=region or "us-east-1",
            config=config,
        )
        self._manifests: OrderedDict[tuple[int, int], dict[str, str]] = OrderedDict()
        self._lock = threading.Lock()

    # keys

    def _key(self, key: str) -> str:
        return self.prefix + "/".join(safe_name(key))

    def _version_key(self, project_id: int, version: int, suffix: str = "") -> str:
        return f"{self.prefix}{project_id}/v{version}{suffix}"

    def _call(self, action: Callable[[], T]) -> T:
        try:
            return action()
        except ClientError as exc:
            raise StoreUnavailable(self._explain(exc)) from None
        except NoCredentialsError:
            raise StoreUnavailable("no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY") from None
        except EndpointConnectionError:
            raise StoreUnavailable("the S3 endpoint is unreachable") from None
        except BotoCoreError as exc:
            raise StoreUnavailable(f"the S3 endpoint failed ({type(exc).__name__})") from None

    def _explain(self, exc: ClientError) -> str:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code == "NoSuchBucket":
            return f"the bucket {self.bucket!r} does not exist"
        if code in _DENIED:
            return f"the S3 credentials were refused ({code})"
        return f"S3 answered {code or 'an error'}"

    def _get(self, key: str) -> tuple[bytes, str] | None:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=key)
            return answer["Body"].read(), answer.get("ETag", "")
        except ClientError as exc:
            if str(exc.response.get("Error", {}).get("Code", "")) in _MISSING:
                return None
            raise

    # versions

    def publish(self, project_id: int, version: int, site: Path, archive: Path) -> int:
        manifest: dict[str, str] = {}
        base = self._version_key(project_id, version) + "/"

        def put(item: tuple[str, Path]) -> None:
            name, path = item
            data = path.read_bytes()
            manifest[name] = etag_of(data)
            kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
            self.client.put_object(Bucket=self.bucket, Key=base + name, Body=data, ContentType=kind)

        def upload() -> None:
            with ThreadPoolExecutor(UPLOAD_THREADS, thread_name_prefix="s3-upload") as pool:
                list(pool.map(put, site_files(site)))
            self.client.put_object(
                Bucket=self.bucket,
                Key=self._version_key(project_id, version, ".zip"),
                Body=archive.read_bytes(),
                ContentType="application/zip",
            )
            body = json.dumps({"files": dict(sorted(manifest.items()))}, separators=(",", ":")).encode()
            self.client.put_object(
                Bucket=self.bucket,
                Key=self._version_key(project_id, version, ".json"),
                Body=body,
                ContentType="application/json",
            )

        self._call(upload)
        with self._lock:
            self._manifests.pop((project_id, version), None)
        return len(manifest) + 2

    def _manifest(self, project_id: int, version: int) -> dict[str, str] | None:
        with self._lock:
            found = self._manifests.get((project_id, version))
        if found is not None:
            return found
        raw = self._call(lambda: self._get(self._version_key(project_id, version, ".json")))
        if raw is None:
            return None
        files: dict[str, str] = json.loads(raw[0])["files"]
        with self._lock:
            self._manifests[(project_id, version)] = files
            while len(self._manifests) > MANIFESTS_KEPT:
                self._manifests.popitem(last=False)
        return files

    def read(self, project_id: int, version: int, name: str) -> StoredFile | None:
        manifest = self._manifest(project_id, version)
        if manifest is None:
            return None
        try:
            parts = safe_name(name) if name else ()
        except ValueError:
            return None
        name = "/".join(parts)
        if name not in manifest:
            name = f"{name}/index.html" if name else "index.html"
            if name not in manifest:
                return None
        key = self._version_key(project_id, version) + "/" + name
        found = self._call(lambda: self._get(key))
        return StoredFile(found[0], manifest[name], name) if found is not None else None

    def files(self, project_id: int, version: int) -> list[str]:
        return sorted(self._manifest(project_id, version) or {})

    def delete(self, project_id: int, version: int) -> int:
        with self._lock:
            self._manifests.pop((project_id, version), None)

        def remove() -> int:
            self.client.delete_object(Bucket=self.bucket, Key=self._version_key(project_id, version, ".json"))
            keys = self._list(self._version_key(project_id, version) + "/")
            keys.append(self._version_key(project_id, version, ".zip"))
            for start in range(0, len(keys), 1000):
                batch: Any = {"Objects": [{"Key": k} for k in keys[start : start + 1000]], "Quiet": True}
                self.client.delete_objects(Bucket=self.bucket, Delete=batch)
            return len(keys) - 1

        return self._call(remove)

    def download(self, project_id: int, version: int, *, expires: int = 600) -> Download | None:
        if self._manifest(project_id, version) is None:
            return None
        name = f"project-{project_id}-v{version}.zip"
        params = {
            "Bucket": self.bucket,
            "Key": self._version_key(project_id, version, ".zip"),
            "ResponseContentDisposition": f'attachment; filename="{name}"',
        }
        url = self._call(lambda: self.client.generate_presigned_url("get_object", Params=params, ExpiresIn=expires))
        return Download(url=url)

    # other objects

    def put_blob(self, key: str, data: bytes) -> None:
        full = self._key(key)
        self._call(lambda: self.client.put_object(Bucket=self.bucket, Key=full, Body=data))

    def get_blob(self, key: str) -> bytes | None:
        full = self._key(key)
        found = self._call(lambda: self._get(full))
        return found[0] if found is not None else None

    def delete_blob(self, key: str) -> None:
        full = self._key(key)
        self._call(lambda: self.client.delete_object(Bucket=self.bucket, Key=full))

    def blobs(self, prefix: str) -> list[str]:
        base = self._key(prefix) + "/"
        keys = self._call(lambda: self._list(base))
        return [k.removeprefix(self.prefix) for k in keys]

    def _list(self, prefix: str) -> list[str]:
        keys: list[str] = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            keys += [item["Key"] for item in page.get("Contents", []) if "Key" in item]
        return sorted(keys)
