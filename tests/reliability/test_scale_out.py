"""Two hosts of each kind and no shared disk: two `autoweb worker` processes and two `autoweb serve` processes,
each in a directory of its own, with the sites in one S3 bucket (moto in server mode). Builds enqueued through
the service land via either worker, and each preview server serves every version byte-identical to what the
worker rendered (the version's zip, made from the rendered directory before upload)."""

from __future__ import annotations

import io
import subprocess
import urllib.request
import zipfile
from pathlib import Path

import pytest
from rq.job import Job
from rq.serializers import JSONSerializer
from sqlalchemy import select

from jobs.settings import JobSettings
from storage.models import ProjectVersion
from tests.helpers import actor, preview_token
from tests.reliability.processes import AUTOWEB, stop, wait_until
from tests.s3_server import ACCESS_KEY, SECRET_KEY, MotoServer, free_port, on_s3
from tests.security.preview_client import PROMPT

BUILDS = 8


@pytest.fixture
def job_settings(job_settings: JobSettings, s3_server: MotoServer, tmp_path: Path) -> JobSettings:
    return on_s3(job_settings, s3_server.url, s3_server.new_bucket(), tmp_path / "service" / "work")


def host_env(service_env: dict[str, str], settings: JobSettings, host: Path) -> dict[str, str]:
    """An `autoweb` process on a host of its own: its own working directory, SITES_DIR and WORK_DIR."""
    host.mkdir(parents=True)
    return {
        **service_env,
        "SITES_URL": settings.sites_url or "",
        "S3_ENDPOINT_URL": settings.s3_endpoint_url or "",
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "SITES_DIR": str(host / "sites"),
        "WORK_DIR": str(host / "work"),
    }


def start(args: list[str], env: dict[str, str], host: Path) -> subprocess.Popen[bytes]:
    with (host / "log").open("ab") as log:
        return subprocess.Popen(args, env=env, cwd=host, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return bytes(answer.read())


def serving(port: int) -> bool:
    try:
        return get(f"http://127.0.0.1:{port}/healthz") == b"ok"
    except OSError:
        return False


@pytest.mark.timeout(180)
def test_two_workers_and_two_preview_servers_share_nothing_but_the_bucket(service, ctx, service_env, tmp_path):
    hosts = [tmp_path / name for name in ("worker-a", "worker-b", "preview-c", "preview-d")]
    envs = [host_env(service_env, ctx.settings, host) for host in hosts]
    ports = [free_port(), free_port()]
    procs = [start([AUTOWEB, "worker"], envs[i], hosts[i]) for i in (0, 1)]
    procs += [start([AUTOWEB, "serve", "--port", str(ports[i - 2])], envs[i], hosts[i]) for i in (2, 3)]
    try:
        version_ids = [service.handle(actor(f"user{i}"), f"build {PROMPT}").version_id for i in range(BUILDS)]

        def finished() -> bool:
            with ctx.db.session() as s:
                rows = s.execute(select(ProjectVersion.status).where(ProjectVersion.id.in_(version_ids))).scalars()
                return all(status == "succeeded" for status in rows)

        wait_until(finished, 120, every=0.3)
        with ctx.db.session() as s:
            first = s.get(ProjectVersion, version_ids[0])
            assert first is not None
            project_id = first.project_id
        edit = service.handle(actor("user0"), f"edit #{project_id} make it purple")  # v2, on either worker
        version_ids.append(edit.version_id)
        wait_until(finished, 60, every=0.3)
        wait_until(lambda: all(serving(p) for p in ports), 30)
        with ctx.db.session() as s:
            versions = s.execute(select(ProjectVersion).where(ProjectVersion.id.in_(version_ids))).scalars().all()
            jobs = [v.job_id for v in versions]
            built = [(v.project_id, v.number) for v in versions]
        ran_on = {Job.fetch(j, connection=ctx.redis, serializer=JSONSerializer).worker_name for j in jobs}
        assert len(ran_on) == 2  # both workers took builds

        for project_id, number in built:
            token = preview_token(ctx.db, project_id)
            for port in ports:
                base = f"http://127.0.0.1:{port}/p/{token}/v{number}"
                rendered = zipfile.ZipFile(io.BytesIO(get(f"{base}.zip")))  # follows the signed link
                names = rendered.namelist()
                assert "index.html" in names and len(names) > 5
                for name in (n for n in names if n != "robots.txt"):  # previews answer robots.txt with Disallow
                    assert get(f"{base}/{name}") == rendered.read(name), (port, project_id, number, name)
        for host in hosts:  # no host kept a site: SITES_DIR never made, no rendered version left in WORK_DIR
            assert not (host / "sites").exists()
            assert not list((host / "work").glob("*/.v*")) and not list((host / "work").glob("*/v*"))
    finally:
        for proc in procs:
            stop(proc)
