"""Exceptions raised by jobs.

JobError
 ├── BuildFailed        a build could not produce a site (recorded, hold released, user told)
 ├── EditNotUnderstood  an edit instruction with no change we know how to make
 └── UnsafePath         an output path would leave its render directory
"""

from __future__ import annotations


class JobError(Exception):
    """Base class of every error this package raises on purpose."""


class BuildFailed(JobError):
    def __init__(self, step: str, reason: str) -> None:
        super().__init__(f"failed while {step}: {reason}")
        self.step = step
        self.reason = reason


class UnsafePath(JobError):
    pass


class EditNotUnderstood(JobError):
    def __init__(self, instruction: str) -> None:
        super().__init__("no change understood")
        self.instruction = instruction
