"""A site store that cannot be used (missing bucket, wrong credentials, unreachable endpoint) fails the build
cleanly: the hold is released, the thread is told, one log line names the problem and carries no secret."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from structlog.testing import capture_logs

from jobs.settings import JobSettings
from storage.models import OutboxEntry, ProjectMessage, ProjectVersion, User
from tests.helpers import actor, assert_ledger_consistent
from tests.s3_server import ACCESS_KEY, SECRET_KEY, MotoServer, free_port, on_s3
from tests.security.preview_client import PROMPT

PROBLEMS = {
    "missing bucket": "the bucket 'no-such-bucket' does not exist",
    "wrong credentials": "the S3 credentials were refused (InvalidAccessKeyId)",
    "unreachable endpoint": "the S3 endpoint is unreachable",
}


@pytest.fixture(scope="module")
def refusing_s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    """An S3 server that checks credentials and knows none: every key is a wrong key."""
    server = MotoServer(tmp_path_factory.mktemp("moto-auth") / "moto.log", auth=True).start()
    yield server
    server.stop()


@pytest.fixture(params=sorted(PROBLEMS))
def job_settings(
    request: pytest.FixtureRequest, job_settings: JobSettings, s3_server: MotoServer, tmp_path: Path
) -> JobSettings:
    work = tmp_path / "work"
    if request.param == "missing bucket":
        return on_s3(job_settings, s3_server.url, "no-such-bucket", work)
    if request.param == "wrong credentials":
        server = request.getfixturevalue("refusing_s3")
        return on_s3(job_settings, server.url, "any-bucket", work, secret="a-wrong-secret")
    return on_s3(job_settings, f"http://127.0.0.1:{free_port()}", "any-bucket", work)


@pytest.mark.timeout(60)
def test_the_build_fails_cleanly_and_says_why_without_secrets(service, ctx, run_jobs, request):
    """The worker meets the store first when it reads the project's photos: the build stops there."""
    problem = PROBLEMS[request.node.callspec.params["job_settings"]]
    reply = service.handle(actor(), f"build {PROMPT}")
    with capture_logs() as logs:
        run_jobs()
    with ctx.db.session() as s:
        version = s.execute(select(ProjectVersion).where(ProjectVersion.project_id == reply.project_id)).scalar_one()
        assert version.status == "failed" and version.step == "reading the site store"  # before any rendering
        user = s.execute(select(User)).scalar_one()
        assert user.held == 0  # the hold went back
        told = s.execute(select(ProjectMessage.text).where(ProjectMessage.role == "progress")).scalars().all()
        assert any("failed while reading the site store" in t and "credits released" in t for t in told)
        outcome = s.execute(select(OutboxEntry.payload)).scalar_one()
        assert outcome["kind"] == "failed" and outcome["error"] == "site store unavailable"
    assert_ledger_consistent(ctx.db)
    failures = [e for e in logs if e["event"] == "build failed"]
    assert len(failures) == 1 and failures[0]["problem"] == problem
    everything = json.dumps(logs, default=str) + json.dumps(outcome) + "".join(told)
    assert SECRET_KEY not in everything and "a-wrong-secret" not in everything and ACCESS_KEY not in everything
    assert "Traceback" not in json.dumps(failures)
