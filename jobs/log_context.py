"""The context every log line of a job carries: job id and queue, and for a version's job (a build, an edit, new
images) the version, its project, the chat platform and the project owner's user id.

Bound with structlog's contextvars around `perform_job`, which runs in the work horse: every line the job, RQ and
the libraries log while it runs carries these fields (`bot.logs` routes the standard library's records through
structlog's processors too)."""

from __future__ import annotations

from typing import Any

import structlog

from jobs import context
from storage.stats import version_owner

log = structlog.get_logger(__name__)
VERSION_JOBS = ("build_site", "generate_images")
"""Jobs whose first argument is a project version id."""


def job_fields(job_id: str, function: str, args: tuple[Any, ...] | list[Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {"job_id": job_id}
    if function not in VERSION_JOBS or not args or not isinstance(args[0], int):
        return fields
    fields["version_id"] = args[0]
    try:
        with context.current().db.session() as s:
            owner = version_owner(s, args[0])
    except Exception:  # the job reports its own failure; the log line keeps what is known
        log.warning("could not look up the version's project for the log context", **fields, exc_info=True)
        return fields
    if owner is not None:
        fields.update(project_id=owner.project_id, platform=owner.platform, user_id=owner.user_id)
    return fields
