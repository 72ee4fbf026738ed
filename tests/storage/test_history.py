"""`HistoryWriter`: chat history written by a background thread, in batches, on real Postgres."""

from __future__ import annotations

from sqlalchemy import select

from storage import accounts, projects
from storage.db import Database
from storage.history import HistoryWriter, ThreadBinding
from storage.models import ProjectMessage, UserSession


def row(text: str, project_id: int | None = None) -> dict[str, object]:
    return {"platform": "slack", "project_id": project_id, "user_id": None, "role": "user", "text": text}


def texts(db: Database) -> list[str]:
    with db.session() as s:
        return [m.text for m in s.execute(select(ProjectMessage).order_by(ProjectMessage.id)).scalars()]


def test_rows_are_written_in_order_by_flush(db):
    writer = HistoryWriter(db)
    for i in range(1_200):  # more than one batch
        writer.add([row(f"m{i}")])
    writer.flush()
    assert texts(db) == [f"m{i}" for i in range(1_200)]
    writer.close()


def test_a_batch_that_fails_is_dropped_and_the_writer_goes_on(db):
    writer = HistoryWriter(db)
    writer.add([row("orphan", project_id=999_999)])  # no such project: the batch breaks a foreign key
    writer.flush()
    writer.add([row("after")])
    writer.close()  # close writes what is queued
    assert texts(db) == ["after"]


def test_thread_bindings_and_messages_without_every_column_share_a_batch(db):
    """A relay's progress message (no user) and a thread binding queued with a command's rows: one batch writes
    them all; a binding without an account id is bound to the account behind the chat identity."""
    with db.session() as s:
        user, _ = accounts.get_or_create_user(s, "slack", "T1", "U1")
        project = projects.create_project(s, owner_id=user.id, platform="slack", team_id="T1", name="p", prompt="p")
        user_id, project_id = user.id, project.id
    writer = HistoryWriter(db)
    writer.add([{**row("build p", project_id), "user_id": user_id, "channel_id": "C1", "thread_id": ""}])
    writer.add([{"platform": "slack", "project_id": project_id, "role": "bot", "text": "Template: x"}])
    writer.bind(ThreadBinding("slack", "T1", "C1", "111.1", project_id, external_id="U1"))
    writer.bind(ThreadBinding("slack", "T1", "C1", "222.2", project_id, user_id=user_id))
    writer.bind(ThreadBinding("slack", "T1", "C1", "333.3", project_id, external_id="nobody"))
    writer.close()
    assert texts(db) == ["build p", "Template: x"]
    with db.session() as s:
        bound = {
            t: projects.project_for_thread(s, platform="slack", team_id="T1", channel_id="C1", thread_id=t)
            for t in ("111.1", "222.2", "333.3")
        }
        owners = set(s.execute(select(UserSession.user_id)).scalars())
    assert bound == {"111.1": project_id, "222.2": project_id, "333.3": None}
    assert owners == {user_id}


def test_a_thread_bound_twice_in_one_batch_ends_on_the_later_project(db):
    with db.session() as s:
        user, _ = accounts.get_or_create_user(s, "slack", "T1", "U1")
        first, second = (
            projects.create_project(s, owner_id=user.id, platform="slack", team_id="T1", name=n, prompt=n).id
            for n in ("a", "b")
        )
    writer = HistoryWriter(db)
    writer.bind(ThreadBinding("slack", "T1", "C1", "111.1", first, user_id=user.id))
    writer.bind(ThreadBinding("slack", "T1", "C1", "111.1", second, user_id=user.id))
    writer.close()
    with db.session() as s:
        assert (
            projects.project_for_thread(s, platform="slack", team_id="T1", channel_id="C1", thread_id="111.1") == second
        )
        assert s.execute(select(UserSession)).scalars().all()[0].project_id == second
