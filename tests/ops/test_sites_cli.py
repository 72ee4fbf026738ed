"""`autoweb doctor` probes the site store (and names what is wrong); `autoweb sites migrate --to s3://…` copies
a local store into a bucket, idempotently, with a count. Both as operators run them: `autoweb` subprocesses."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pydantic import SecretStr

from bot import doctor
from bot.settings import BotSettings
from jobs.settings import JobSettings
from storage.sites import LocalSiteStore, open_store
from tests.helpers import actor
from tests.s3_server import ACCESS_KEY, SECRET_KEY, MotoServer, free_port
from tests.security.preview_client import PROMPT

AUTOWEB = str(Path(sys.executable).with_name("autoweb"))


def s3_env(service_env: dict[str, str], server: str, url: str, secret: str = SECRET_KEY) -> dict[str, str]:
    return {
        **service_env,
        "SITES_URL": url,
        "S3_ENDPOINT_URL": server,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": secret,
    }


def test_doctor_probes_each_kind_of_store(storage_settings, job_settings, s3_server: MotoServer, tmp_path):
    bot = BotSettings(_env_file=None)

    def store_check(jobs: JobSettings) -> tuple[bool, str]:
        (found,) = [c for c in doctor.collect(storage_settings, bot, jobs) if c[0] == "Site store"]
        return found[1], found[2]

    assert store_check(job_settings) == (True, f"file://{job_settings.sites_dir.resolve()}: write, read, delete")
    bucket = s3_server.new_bucket()

    def on(url: str, endpoint: str = s3_server.url) -> JobSettings:
        return JobSettings(
            _env_file=None,
            sites_url=url,
            s3_endpoint_url=endpoint,
            aws_access_key_id=SecretStr(ACCESS_KEY),
            aws_secret_access_key=SecretStr(SECRET_KEY),
        )

    ok, detail = store_check(on(f"s3://{bucket}/sites"))
    assert ok and detail.endswith("write, read, delete")
    ok, detail = store_check(on("s3://not-made/sites"))
    assert not ok and detail.startswith("the bucket 'not-made' does not exist.")
    ok, detail = store_check(on(f"s3://{bucket}/sites", f"http://127.0.0.1:{free_port()}"))
    assert not ok and detail.startswith("the S3 endpoint is unreachable.") and SECRET_KEY not in detail


def test_doctor_names_a_missing_bucket_without_the_secret(service_env, s3_server: MotoServer):
    env = s3_env(service_env, s3_server.url, "s3://never-created/sites")
    done = subprocess.run([AUTOWEB, "doctor"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "never-created' does not exist" in done.stdout
    assert SECRET_KEY not in done.stdout + done.stderr and "Traceback" not in done.stdout + done.stderr


def test_migrate_copies_every_version_once_with_a_count(service, ctx, run_jobs, service_env, s3_server):
    first = service.handle(actor(), f"build {PROMPT}")
    service.handle(actor("bob"), f"build {PROMPT}")
    assert run_jobs()
    service.handle(actor(), f"edit #{first.project_id} make it purple")
    assert run_jobs()
    bucket = s3_server.new_bucket()
    env = s3_env(service_env, s3_server.url, "")
    env.pop("SITES_URL")
    target = f"s3://{bucket}/moved"
    once = subprocess.run([AUTOWEB, "sites", "migrate", "--to", target], env=env, capture_output=True, text=True)
    assert once.returncode == 0, once.stderr
    assert once.stdout.startswith("Copied 3 versions (") and "0 were already there" in once.stdout
    again = subprocess.run([AUTOWEB, "sites", "migrate", "--to", target], env=env, capture_output=True, text=True)
    assert again.stdout.startswith("Copied 0 versions (0 objects)") and "3 were already there" in again.stdout
    local = LocalSiteStore(ctx.settings.sites_dir)
    moved = open_store(target, endpoint_url=s3_server.url, access_key=ACCESS_KEY, secret_key=SECRET_KEY)
    for project_id, number in ((first.project_id, 1), (first.project_id, 2)):
        assert moved.files(project_id, number) == local.files(project_id, number)
        for name in local.files(project_id, number):
            there, here = moved.read(project_id, number, name), local.read(project_id, number, name)
            assert there is not None and here is not None and there.data == here.data


def test_migrate_refuses_a_bad_target_in_one_line(service_env):
    done = subprocess.run(
        [AUTOWEB, "sites", "migrate", "--to", "ftp://somewhere/x"], env=service_env, capture_output=True, text=True
    )
    assert done.returncode == 1 and done.stderr.strip().startswith("Cannot migrate: SITES_URL must be")
    assert "Traceback" not in done.stderr
