"""Chat history never waits on, deadlocks with, or loses rows to a build's or an edit's credit transaction.

History rows reference the user and the project (foreign keys take KEY SHARE locks on both). Accepting an edit
locks the user's row for the ledger and then the project's; a history batch that had referenced the project and
then waited on the user's row deadlocked with it, and the batch was lost. The ledger and the project locks are
FOR NO KEY UPDATE now (they never change a key), which foreign-key checks do not wait for.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select

from storage import accounts, ledger, projects
from storage.db import Database
from storage.history import HistoryWriter
from storage.models import ProjectMessage


@pytest.fixture
def owner(db: Database) -> tuple[int, int]:
    with db.session() as s:
        user, _ = accounts.get_or_create_user(s, "slack", "T1", "U1")
        ledger.credit(s, user.id, 1_000_000, key="seed", actor="test")
        project = projects.create_project(s, owner_id=user.id, platform="slack", team_id="T1", name="p", prompt="p")
        return user.id, project.id


def message(user_id: int, project_id: int, text: str) -> dict[str, object]:
    return {"platform": "slack", "project_id": project_id, "user_id": user_id, "role": "user", "text": text}


def count(db: Database) -> int:
    with db.session() as s:
        return int(s.execute(select(func.count()).select_from(ProjectMessage)).scalar_one())


def test_history_is_written_while_an_edit_holds_the_users_and_the_projects_locks(db, owner):
    user_id, project_id = owner
    writer = HistoryWriter(db, linger=0)
    with db.session() as s:  # an edit being accepted: the ledger locks the user, then the project is locked
        ledger.place_hold(s, user_id, 10, key="edit-1", reference="edit")
        writer.add([message(user_id, project_id, f"m{i}") for i in range(5)])
        flushed = threading.Thread(target=writer.flush)
        flushed.start()
        flushed.join(5)
        assert not flushed.is_alive(), "the history batch waited for the edit's transaction"
        projects.get_project(s, project_id, lock=True)
    writer.close()
    assert count(db) == 5


def test_concurrent_builds_edits_and_history_keep_every_row(db, owner):
    user_id, project_id = owner
    writer = HistoryWriter(db, linger=0.01)
    rounds, per_round = 40, 10
    errors: list[BaseException] = []

    def edits() -> None:  # what accepting an edit and then recording its outcome do to the two rows
        try:
            for n in range(rounds):
                with db.session() as s:
                    hold_id = ledger.place_hold(s, user_id, 1, key=f"edit-{n}", reference="edit").id
                    projects.get_project(s, project_id, lock=True)
                with db.session() as s:
                    ledger.capture(s, hold_id)
                    projects.get_project(s, project_id).name = f"p{n}"
                    projects.add_message(s, role="progress", platform="slack", project_id=project_id, text="done")
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    def chat() -> None:
        for n in range(rounds):
            writer.add([message(user_id, project_id, f"r{n}-{i}") for i in range(per_round)])
            time.sleep(0.002)

    threads = [threading.Thread(target=edits), threading.Thread(target=chat), threading.Thread(target=chat)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    writer.flush()
    writer.close()
    assert errors == []
    assert count(db) == 2 * rounds * per_round + rounds  # every chat row, and each outcome's message
