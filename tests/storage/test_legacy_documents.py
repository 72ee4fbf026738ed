"""The legacy migration's rules for messy fields (`storage.legacy.documents`): pure functions, no database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storage.accounts import normal_email
from storage.legacy.documents import ledger_type, version_status, when, whole_number

DEFAULT = datetime(2000, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2023-05-01T12:00:00Z", datetime(2023, 5, 1, 12, tzinfo=UTC)),
        ("2023-05-01T14:00:00+02:00", datetime(2023, 5, 1, 12, tzinfo=UTC)),
        ("2023-05-01T12:00:00", datetime(2023, 5, 1, 12, tzinfo=UTC)),
        ("2023-05-01", datetime(2023, 5, 1, tzinfo=UTC)),
        (datetime(2023, 5, 1, 12), datetime(2023, 5, 1, 12, tzinfo=UTC)),
        (1682942400000, datetime(2023, 5, 1, 12, tzinfo=UTC)),
        (1682942400, datetime(2023, 5, 1, 12, tzinfo=UTC)),
        ("yesterday", DEFAULT),
        (None, DEFAULT),
        ("", DEFAULT),
        (True, DEFAULT),
    ],
)
def test_dates_in_any_legacy_shape(raw, expected):
    assert when(raw, DEFAULT) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(12, 12), (-3, -3), (12.0, 12), ("12", 12), (" -7 ", -7), ("12.5", None), (12.5, None), ("ten", None),
     (True, None), (None, None), (2**70, None)],
)  # fmt: skip
def test_whole_numbers(raw, expected):
    assert whole_number(raw) == expected


def test_type_status_and_email_rules():
    assert [ledger_type(t, 10) for t in ("purchase", "Stripe", "refund", "signup_bonus", "admin", "")] == [
        "purchase", "purchase", "refund", "grant", "adjustment", "adjustment"
    ]  # fmt: skip
    assert ledger_type("purchase", -10) == "adjustment"
    assert [version_status(s) for s in ("completed", "Published", "error", "generating", None)] == [
        "succeeded", "succeeded", "failed", "cancelled", "cancelled"
    ]  # fmt: skip
    assert normal_email("  Ann@Example.COM ") == "ann@example.com"
    assert normal_email("not an email") is None and normal_email(None) is None
