"""moto in server mode: a real S3 HTTP API on 127.0.0.1 for the site store's tests (a test double for a service we
do not own, reached through S3_ENDPOINT_URL like any S3-compatible store)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import boto3
from pydantic import SecretStr

from jobs.settings import JobSettings

ACCESS_KEY = "AKIAAUTOWEBTEST00001"
SECRET_KEY = "autoweb-test-secret-never-logged"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class MotoServer:
    """`python -m moto.server` on a free port. `auth=True`: moto checks credentials (every key is unknown to it,
    so every request is refused as a wrong key would be)."""

    def __init__(self, log: Path, *, auth: bool = False) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.auth = auth
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> MotoServer:
        env = {**os.environ, "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}
        if self.auth:
            env["INITIAL_NO_AUTH_ACTION_COUNT"] = "0"
        cmd = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"moto server did not start; see {self.log}")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None

    def new_bucket(self) -> str:
        name = f"sites-{uuid.uuid4().hex[:12]}"
        client = boto3.client(
            "s3",
            endpoint_url=self.url,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name="us-east-1",
        )
        client.create_bucket(Bucket=name)
        return name


def on_s3(base: JobSettings, endpoint: str, bucket: str, work_dir: Path, *, secret: str = SECRET_KEY) -> JobSettings:
    """`base` with its site store in `bucket` at `endpoint` (everything else kept)."""
    keep = base.model_dump(
        exclude={"sites_url", "work_dir", "s3_endpoint_url", "aws_access_key_id", "aws_secret_access_key"}
    )
    return JobSettings(
        _env_file=None,
        **keep,
        sites_url=f"s3://{bucket}/sites",
        s3_endpoint_url=endpoint,
        aws_access_key_id=SecretStr(ACCESS_KEY),
        aws_secret_access_key=SecretStr(secret),
        work_dir=work_dir,
    )
