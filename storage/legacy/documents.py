"""Legacy MongoDB documents read leniently: messy fields become typed values, or a `Refused` with its reason.

The legacy app wrote whatever its code of the day produced, so every field is optional and may come in several
shapes (an ISO string or a date, a number or a numeric string). These functions hold the rules in one place, so
the migration, the documentation (docs/MIGRATION.md) and the tests agree on them. They touch no database.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bson import Binary, Decimal128, Int64, ObjectId, Regex, Timestamp

from storage.accounts import normal_email
from storage.ledger import MAX_GRANT

MAX_ID_LENGTH = 64
"""Legacy ids are kept in `String(64)` columns (UUIDs have 36 characters, ObjectIds 24)."""
MAX_SOURCE_ID_LENGTH = 200
"""`_id`s, as text, are kept in `String(200)` columns."""
MAX_CREDITS = 10**9
"""Most credits one legacy user document, or the documents merged into one user, may bring (far above any real
balance, far below what would overflow a `bigint` sum); more is refused as an error in the data."""
VALUE_LOST = frozenset({"bad_credits", "credits_too_large"})
"""Rejection codes of users whose credits exist but could not be migrated: the report is not OK while any exist."""
_NUMERIC_TEXT = re.compile(r"^[+]?(\d+|\d{1,3}(,\d{3})+)(\.0*)?$")
"""`"1000"`, `"1,000"`, `"+25"`, `"25.0"`: whole, non-negative numbers written as text."""

SUCCEEDED = frozenset({"completed", "complete", "done", "published", "live", "success", "succeeded", "ready"})
FAILED = frozenset({"failed", "error", "errored"})
PURCHASE = frozenset({"purchase", "payment", "topup", "top_up", "stripe", "buy"})
GRANT = frozenset({"grant", "signup", "signup_bonus", "bonus", "welcome", "promo", "gift", "free", "referral"})
REFUND = frozenset({"refund", "refunded"})
ROLES = {"user": "user", "human": "user", "assistant": "bot", "ai": "bot", "bot": "bot", "system": "system"}


BSON_ORDER: tuple[tuple[str, ...], ...] = (
    ("null",),
    ("double", "int", "long", "decimal"),
    ("string", "symbol"),
    ("object",),
    ("binData",),
    ("objectId",),
    ("bool",),
    ("date",),
    ("timestamp",),
    ("regex",),
)
"""MongoDB's sort order of the types an `_id` can have, each group named by its `$type` aliases."""


class Refused(Exception):
    """A document that cannot be migrated; `code` groups the report, `reason` says why in words."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True, slots=True)
class LegacyUserDoc:
    source_id: str
    legacy_id: str
    email: str | None
    """Lower-cased and stripped: the key duplicates are merged on."""
    display_email: str | None
    name: str
    credits: int | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class LegacyMessage:
    role: str
    text: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class LegacyProjectDoc:
    source_id: str
    legacy_id: str
    owner_ref: str
    name: str
    prompt: str
    status: str
    """One of our version states: succeeded, failed or cancelled (a build the legacy app never finished)."""
    spec: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    messages: list[LegacyMessage] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class LegacyTransactionDoc:
    source_id: str
    legacy_id: str
    user_ref: str
    amount: int
    type: str
    """The ledger type: grant, purchase, refund or adjustment."""
    note: str
    created_at: datetime


def _bson_rank(value: Any) -> int:
    ranks: tuple[tuple[type | tuple[type, ...], int], ...] = (
        (bool, 6),
        ((int, float, Int64, Decimal128), 1),
        (str, 2),
        (dict, 3),
        ((bytes, Binary), 4),
        (ObjectId, 5),
        (datetime, 7),
        (Timestamp, 8),
        (Regex, 9),
    )
    return next((rank for kind, rank in ranks if isinstance(value, kind)), 0)


def after(last: Any) -> dict[str, Any]:
    """The query for the documents that sort after `_id` `last`.

    `$gt` only compares values of one type, so documents whose `_id` is of a type that sorts later (say,
    ObjectIds after a string checkpoint) are asked for explicitly, or a resumed run would never see them.
    """
    later = [alias for group in BSON_ORDER[_bson_rank(last) + 1 :] for alias in group]
    if not later:
        return {"_id": {"$gt": last}}
    return {"$or": [{"_id": {"$gt": last}}, {"_id": {"$type": later}}]}


def clean(value: str) -> str:
    """Text PostgreSQL accepts: the legacy app let NUL characters through, a `text` column refuses them."""
    return value.replace("\x00", "")


def source_id(value: Any) -> str:
    """A document's `_id` as text: an ObjectId's hex, anything else its `str`."""
    return clean(str(value))


def legacy_id(doc: dict[str, Any]) -> str:
    """The id the legacy app showed and referenced: the `id` field when set, else the `_id`."""
    raw = doc.get("id")
    value = source_id(doc["_id"]) if raw is None or str(raw).strip() == "" else clean(str(raw)).strip()
    if len(value) > MAX_ID_LENGTH or len(source_id(doc["_id"])) > MAX_SOURCE_ID_LENGTH:
        raise Refused("bad_id", f"id {value[:40]}… is too long to keep (at most {MAX_ID_LENGTH} characters)")
    return value


def reference(value: Any) -> str | None:
    """A `user_id` reference as text (the legacy app stored both UUID strings and ObjectIds), or None if unset."""
    if value is None or str(value).strip() == "":
        return None
    return clean(str(value)).strip()


def when(value: Any, default: datetime | Callable[[], datetime]) -> datetime:
    """A timestamp from a date, an ISO-8601 string or epoch seconds/milliseconds; `default` when unreadable
    (a callable default is only called then).

    Naive values are taken as UTC, which is what the legacy app (and MongoDB) stored.
    """
    parsed: datetime | None = None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and value.strip():
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            parsed = None
    elif isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        seconds = value / 1000 if value > 100_000_000_000 else value
        try:
            parsed = datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            parsed = None
    if parsed is None:
        return default if isinstance(default, datetime) else default()
    try:
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:59:59-05:00 is past the last datetime once in UTC
        raise Refused("bad_date", f"date {str(value)[:40]!r} is out of range") from None


def id_time(value: Any, now: datetime) -> Callable[[], datetime]:
    """When a document was created according to its ObjectId (else `now`): the fallback for a missing
    `created_at`, worked out only when needed."""
    return lambda: value.generation_time if isinstance(value, ObjectId) else now


def whole_number(value: Any) -> int | None:
    """An integer from an int, an integral float or a numeric string; None for anything else, and for numbers
    too large for a Postgres `bigint`."""
    number: int | None = None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str):
        try:
            parsed = float(value.strip())
        except ValueError:
            return None
        number = int(parsed) if parsed.is_integer() else None
    return number if number is not None and abs(number) < 2**62 else None


def credits_of(doc: dict[str, Any]) -> int | None:
    """A user document's `credits`: None when the field is absent or null (its transactions then count); else a
    whole number from 0 to MAX_CREDITS (an int, `Decimal128("100")`, an integral float, `"1,000"`), or Refused
    with the reason: a present value that cannot be read is never taken for "no credits"."""
    raw = doc.get("credits")
    if raw is None:
        return None
    shown = repr(raw)[:60]
    number: int | None = None
    if isinstance(raw, Decimal128):
        value = raw.to_decimal()
        number = int(value) if value.is_finite() and value == value.to_integral_value() else None
    elif isinstance(raw, int) and not isinstance(raw, bool):
        number = raw
    elif isinstance(raw, float):
        number = whole_number(raw)
    elif isinstance(raw, str) and _NUMERIC_TEXT.match(raw.strip()):
        number = int(raw.strip().lstrip("+").split(".")[0].replace(",", ""))
    elif isinstance(raw, str) and raw.strip().startswith("-") and _NUMERIC_TEXT.match(raw.strip()[1:]):
        number = -1
    if number is None:
        raise Refused("bad_credits", f"credits {shown} is not a whole number")
    if number < 0:
        raise Refused("bad_credits", f"credits {shown} is negative")
    if number > MAX_CREDITS:
        raise Refused("credits_too_large", f"credits {shown} is beyond the limit of {MAX_CREDITS:,}")
    return number


def parse_user(doc: dict[str, Any], now: datetime) -> LegacyUserDoc:
    email = normal_email(doc.get("email"))
    display = clean(str(doc["email"])).strip()[:320] if email else None
    name = clean(str(doc.get("name") or "")).strip() or (display.split("@")[0] if display else "legacy user")
    return LegacyUserDoc(
        source_id=source_id(doc["_id"]),
        legacy_id=legacy_id(doc),
        email=email,
        display_email=display,
        name=name[:200],
        credits=credits_of(doc),
        created_at=when(doc.get("created_at"), id_time(doc["_id"], now)),
    )


def version_status(raw: Any) -> str:
    """Legacy project status → our version state; an unfinished legacy build will never finish, so: cancelled."""
    status = str(raw or "").strip().lower()
    if status in SUCCEEDED:
        return "succeeded"
    if status in FAILED:
        return "failed"
    return "cancelled"


def jsonable(value: Any) -> Any:
    """A copy of a legacy value that `json.dumps` accepts (dates → ISO text, ObjectIds and the rest → text)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _messages(raw: Any, default: datetime) -> list[LegacyMessage]:
    """The embedded chat: every entry is kept (an entry that is not a document becomes an `unknown` message)."""
    if not isinstance(raw, list):
        return []
    messages = []
    for entry in raw:
        if not isinstance(entry, dict):
            messages.append(LegacyMessage(role="unknown", text=clean(json.dumps(jsonable(entry))), created_at=default))
            continue
        role = ROLES.get(str(entry.get("role") or "").strip().lower(), "unknown")
        text = entry.get("content")
        text = text if isinstance(text, str) else json.dumps(jsonable(text)) if text is not None else ""
        messages.append(LegacyMessage(role=role, text=clean(text), created_at=when(entry.get("timestamp"), default)))
    return messages


def parse_project(doc: dict[str, Any], now: datetime) -> LegacyProjectDoc:
    owner = reference(doc.get("user_id"))
    if owner is None:
        raise Refused("no_owner", "project has no user_id")
    created = when(doc.get("created_at"), id_time(doc["_id"], now))
    files = doc.get("files")
    spec = {
        "legacy": {
            "status": jsonable(doc.get("status")),
            "html": doc.get("html") if isinstance(doc.get("html"), str) else doc.get("generated_html"),
            "files": jsonable(files) if isinstance(files, list) else [],
        }
    }
    return LegacyProjectDoc(
        source_id=source_id(doc["_id"]),
        legacy_id=legacy_id(doc),
        owner_ref=owner,
        name=(clean(str(doc.get("name") or "")).strip() or "Untitled project")[:200],
        prompt=clean(str(doc.get("prompt") or "")),
        status=version_status(doc.get("status")),
        spec=spec,
        created_at=created,
        updated_at=when(doc.get("updated_at"), created),
        messages=_messages(doc.get("messages"), created),
    )


def ledger_type(raw: str, amount: int) -> str:
    """Legacy transaction type → ledger type. The ledger takes a negative amount only as an adjustment, and a
    type we do not recognise is booked as one too (its legacy name stays in the note)."""
    if amount < 0:
        return "adjustment"
    kind = raw.strip().lower()
    if kind in PURCHASE:
        return "purchase"
    if kind in REFUND:
        return "refund"
    if kind in GRANT:
        return "grant"
    return "adjustment"


def parse_transaction(doc: dict[str, Any], now: datetime) -> LegacyTransactionDoc:
    user = reference(doc.get("user_id"))
    if user is None:
        raise Refused("no_user", "transaction has no user_id")
    amount = whole_number(doc.get("amount"))
    if amount is None:
        raise Refused("bad_amount", f"amount {doc.get('amount')!r} is not a whole number")
    if amount == 0:
        raise Refused("zero_amount", "amount is 0: nothing to book")
    if abs(amount) > MAX_GRANT:
        raise Refused("amount_too_large", f"amount {amount:,} is beyond the ledger's limit of {MAX_GRANT:,}")
    raw_type = clean(str(doc.get("type") or "unknown"))
    description = clean(str(doc.get("description") or "")).strip()
    return LegacyTransactionDoc(
        source_id=source_id(doc["_id"]),
        legacy_id=legacy_id(doc),
        user_ref=user,
        amount=amount,
        type=ledger_type(raw_type, amount),
        note=f"legacy {raw_type}" + (f": {description}" if description else ""),
        created_at=when(doc.get("created_at"), id_time(doc["_id"], now)),
    )
