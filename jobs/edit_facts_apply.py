"""Fact operations on a spec: offerings and prices, hours, contact details, people, testimonials.

Each changes the stored brief and the copy that shows the fact, everywhere it is shown; the FAQ answers that
were made from the brief are made again from the new one, so no page says the old price or hours.
"""

from __future__ import annotations

import re
from typing import Any

from jobs import edit_common as core
from jobs.brief import Brief
from jobs.edit_facts import find
from jobs.edit_ops import (
    AddPerson,
    AddTestimonial,
    Change,
    Operation,
    RemoveOffering,
    RemovePerson,
    SetContact,
    SetHours,
    SetOffering,
    edit_words,
)
from jobs.facts import Offering, Person
from jobs.generator import PageSpec, SiteSpec
from jobs.plan_pages import faq


def apply(spec: SiteSpec, op: Operation) -> list[Change]:
    brief = Brief.model_validate(spec.brief) if spec.brief else None
    old_faq = faq(brief, spec.name) if brief else None
    handlers: dict[type, Any] = {
        SetOffering: _offering,
        RemoveOffering: _remove_offering,
        SetHours: _hours,
        SetContact: _contact,
        AddPerson: _add_person,
        RemovePerson: _remove_person,
        AddTestimonial: _testimonial,
    }
    changes: list[Change] = handlers[type(op)](spec, brief, op)
    if brief is not None:
        if spec.copy_text.get("faq") == old_faq:  # answers made from the brief: made again from the new one
            spec.copy_text["faq"] = faq(brief, spec.name)
        spec.brief = brief.model_dump(mode="json")
    return changes


def _offer_lists(spec: SiteSpec) -> list[list[dict[str, Any]]]:
    lists = [spec.copy_text.setdefault("offers", [])]
    lists += [p.content["offers"] for p in spec.pages if isinstance(p.content.get("offers"), list)]
    return lists


def _offer_pages(spec: SiteSpec, name: str) -> list[str]:
    options = edit_words().sections["offers"].components
    out = []
    for p in spec.pages:
        shown = p.content.get("offers", spec.copy_text.get("offers", []))
        if any(s in options for s in p.sections) and any(o.get("name") == name for o in shown):
            out.append(p.title)
    return out


def _offering(spec: SiteSpec, brief: Brief | None, op: SetOffering) -> list[Change]:
    lists = _offer_lists(spec)
    existing = find([str(o.get("name", "")) for lst in lists for o in lst], op.name)
    if existing is None and not op.add:
        raise core.Skip("no_offering", name=op.name)
    if existing is not None:
        olds = [o for lst in lists for o in lst if o.get("name") == existing]
        old = str(olds[0].get("price", ""))
        if old == op.price or not op.price:
            raise core.Skip("unchanged")
        for o in olds:
            o["price"] = op.price
        if brief is not None:
            for b in brief.offerings:
                if b.name == existing:
                    b.price = op.price
        text = core.line("price", name=existing, old=old or "no price", price=op.price)
        return [Change(page=p, text=text) for p in _offer_pages(spec, existing)]
    item = {"name": op.name, "price": op.price, "label": "", "description": ""}
    for target in [spec.copy_text["offers"], *(p.content["offers"] for p in _pages_for(spec, f"{op.name} {op.label}"))]:
        target.append(dict(item, label=str(target[0].get("label", "")) if target else ""))
    if brief is not None:
        brief.offerings.append(Offering(name=op.name, price=op.price))
    changes = core.ensure_section(spec, "offers")
    price = f" ({op.price})" if op.price else ""
    text = core.line("add_offering", name=op.name, price=price)
    return changes + [Change(page=p, text=text) for p in _offer_pages(spec, op.name)]


def _pages_for(spec: SiteSpec, name: str) -> list[PageSpec]:
    """The offers pages a new item goes on, as the plan places them: those whose title it names ("Student
    membership" → Membership), else the first."""
    pages = [p for p in spec.pages[1:] if isinstance(p.content.get("offers"), list)]
    low = name.lower()
    named = [p for p in pages if any(w[:5] in low for w in re.findall(r"[a-z]{3,}", p.title.lower()))]
    return named or pages[:1]


def _remove_offering(spec: SiteSpec, brief: Brief | None, op: RemoveOffering) -> list[Change]:
    pages = _offer_pages(spec, op.name)
    lists = _offer_lists(spec)
    if not any(o.get("name") == op.name for lst in lists for o in lst):
        raise core.Skip("no_offering", name=op.name)
    for lst in lists:
        lst[:] = [o for o in lst if o.get("name") != op.name]
    if brief is not None:
        brief.offerings = [o for o in brief.offerings if o.name != op.name]
    return [Change(page=p, text=core.line("remove_offering", name=op.name)) for p in pages or [core.EVERY_PAGE]]


def _day_key(days: str) -> set[str]:
    return {w[:3] for w in re.findall(r"[a-z]+", days.lower()) if w not in ("and", "to", "on", "every")}


_WEEK = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_SPANS = {"dai": _WEEK, "eve": _WEEK, "wee": _WEEK[:5]}


def _week_days(days: str) -> list[str]:
    """The days a line covers ("Daily", "Tue-Sat", "Mon, Wed") in week order; [] when it is not that plain."""
    low = re.sub(r"^\s*(?:open(?:ing)?|hours)\s*:?\s*", "", days.lower()).replace("–", "-").replace(" to ", "-")
    if re.fullmatch(r"\s*(?:daily|every\s*day|weekdays)\s*", low):
        return list(_SPANS[low.strip()[:3]])
    out: list[str] = []
    for part in re.split(r"\s*(?:,|&|\band\b)\s*", low.strip()):
        ends = [w[:3] for w in re.findall(r"[a-z]+", part)]
        if not ends or any(e not in _WEEK for e in ends) or len(ends) > 2:
            return []
        a, b = _WEEK.index(ends[0]), _WEEK.index(ends[-1])
        out += _WEEK[a : b + 1] if a <= b else _WEEK[a:] + _WEEK[: b + 1]
    return [d for d in _WEEK if d in out]


def _without_days(row: dict[str, str], closed: set[str]) -> dict[str, str]:
    """ "Daily 7am-9pm" once Sundays are closed → "Mon-Sat 7am-9pm"; other lines as they are."""
    days = _week_days(row.get("days", ""))
    left = [d for d in days if d not in closed]
    if _closed(row) or not days or len(left) == len(days) or not left:
        return row
    runs: list[list[str]] = []
    for d in left:
        if runs and _WEEK.index(d) == _WEEK.index(runs[-1][-1]) + 1:
            runs[-1].append(d)
        else:
            runs.append([d])
    text = ", ".join(r[0].title() if len(r) == 1 else f"{r[0].title()}-{r[-1].title()}" for r in runs)
    return {**row, "days": f"Open {text}" if row.get("days", "").lower().startswith("open") else text}


def _closed(row: dict[str, str]) -> bool:
    return row.get("time", "").strip().lower() in ("closed", "")


def _moved_end(time: str, new: str) -> str:
    """ "9am-4pm" with "from 8am" → "8am-4pm"; with "until 6pm" → "9am-6pm"; else the new time as said."""
    parts = re.split(r"\s*[-–]\s*", time)
    if len(parts) == 2 and new.startswith("from "):
        return f"{new[5:]}-{parts[1]}"
    if len(parts) == 2 and new.startswith("until "):
        return f"{parts[0]}-{new[6:]}"
    return new


def _hours(spec: SiteSpec, brief: Brief | None, op: SetHours) -> list[Change]:
    rows: list[dict[str, str]] = list(spec.copy_text.get("hours") or [])
    if op.replace_all:
        new_rows = [{"days": op.days, "time": op.time}]
        text = core.line("hours_all", days=op.days, time=op.time)
    elif not op.days:  # every day that is open
        new_rows = [r if _closed(r) else {**r, "time": _moved_end(r.get("time", ""), op.time)} for r in rows]
        text = core.line("hours_every", time=op.time)
    else:
        key = _day_key(op.days)
        at = next((i for i, r in enumerate(rows) if _day_key(r.get("days", "")) == key), None)
        new_rows = [dict(r) for r in rows]
        if at is None:
            time = op.time
            if time == "Closed":
                new_rows = [_without_days(r, key) for r in new_rows]
            new_rows.append({"days": op.days, "time": time})
        else:
            time = _moved_end(rows[at].get("time", ""), op.time)
            new_rows[at] = {"days": rows[at]["days"], "time": time}
        text = core.line("hours", days=op.days, time=time)
    if new_rows == rows:
        raise core.Skip("unchanged")
    spec.copy_text["hours"] = new_rows
    if brief is not None:
        brief.hours = [f"{r['days']} {r['time']}".strip() for r in new_rows]
    changes = core.ensure_section(spec, "hours")
    shown = set(edit_words().shows["hours"])
    pages = [p.title for p in spec.pages if shown & set(p.sections)]
    return changes + [Change(page=p, text=text) for p in pages or [core.EVERY_PAGE]]


def _contact(spec: SiteSpec, brief: Brief | None, op: SetContact) -> list[Change]:
    if getattr(spec, op.field) == op.value:
        raise core.Skip("unchanged")
    setattr(spec, op.field, op.value)
    if brief is not None:
        if op.field == "address":
            brief.address = op.value
        else:
            listed = brief.phones if op.field == "phone" else brief.emails
            listed[:] = [op.value, *listed[1:]]
    return [Change(page=core.EVERY_PAGE, text=core.line("contact", field=op.field, value=op.value))]


def _add_person(spec: SiteSpec, brief: Brief | None, op: AddPerson) -> list[Change]:
    team: list[dict[str, str]] = spec.copy_text.setdefault("team", [])
    if find([p.get("name", "") for p in team], op.name):
        raise core.Skip("unchanged")
    team.append({"name": op.name, "role": op.role, "bio": ""})
    if not spec.copy_text.get("team_title"):
        spec.copy_text["team_title"] = edit_words().defaults["team_title"]
    if brief is not None:
        brief.people.append(Person(name=op.name, role=op.role))
    about = next((p.slug for p in spec.pages if p.kind in ("people", "about")), "index")
    changes = core.ensure_section(spec, "team", about)
    role = f" ({op.role})" if op.role else ""
    text = core.line("add_person", name=op.name, role=role)
    return changes + [Change(page=p, text=text) for p in core.showing(spec, "team")]


def _remove_person(spec: SiteSpec, brief: Brief | None, op: RemovePerson) -> list[Change]:
    team = spec.copy_text.get("team") or []
    if not any(p.get("name") == op.name for p in team):
        raise core.Skip("no_person", name=op.name)
    spec.copy_text["team"] = [p for p in team if p.get("name") != op.name]
    if brief is not None:
        brief.people = [p for p in brief.people if p.name != op.name]
    text = core.line("remove_person", name=op.name)
    return [Change(page=p, text=text) for p in core.showing(spec, "team") or [core.EVERY_PAGE]]


def _testimonial(spec: SiteSpec, brief: Brief | None, op: AddTestimonial) -> list[Change]:
    quotes: list[dict[str, str]] = spec.copy_text.setdefault("testimonials", [])
    if any(q.get("quote") == op.quote for q in quotes):
        raise core.Skip("unchanged")
    quotes.append({"quote": op.quote, "author": op.author})
    if not spec.copy_text.get("testimonials_title"):
        spec.copy_text["testimonials_title"] = edit_words().defaults["testimonials_title"]
    said = edit_words().sections["testimonials"].words
    own = next((p.slug for p in spec.pages if p.slug in said or p.title.lower() in said), "index")
    changes = core.ensure_section(spec, "testimonials", own)
    text = core.line("testimonial", author=f" from {op.author}" if op.author else "")
    return changes + [Change(page=p, text=text) for p in core.showing(spec, "testimonials")]
