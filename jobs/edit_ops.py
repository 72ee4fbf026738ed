"""The typed operations an edit instruction becomes, and the vocabulary it is read with (`jobs/data/edits.toml`).

`jobs.edit_parse` turns words into operations; `jobs.edit_apply` turns operations into the next spec and a list
of what changed. The service stores the operations with the version, the worker applies them again.
"""

from __future__ import annotations

import functools
import tomllib
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from jobs.errors import JobError
from jobs.vocabulary import DATA

MAX_INSTRUCTION = 1000
"""Longest edit instruction, in characters."""
MAX_VALUE = 200
"""Longest text one request may put on the site (a headline, a replacement, a name, an item)."""
MAX_SPEC_BYTES = 256 * 1024
"""Largest stored spec, as JSON."""
MAX_SITE_BYTES = 4 * 1024 * 1024
"""Largest rendered site (its pages and stylesheet, images aside)."""


class EditTooBig(JobError):
    """An edit over one of the caps: refused before anything is stored or charged."""

    def __init__(self, what: str, size: int, limit: int) -> None:
        super().__init__(f"{what} is {size} over the cap of {limit}")
        self.what, self.size, self.limit = what, size, limit


class SetText(BaseModel):
    op: Literal["set_text"] = "set_text"
    key: str
    value: str
    page: str = ""
    """The page whose own copy holds it ("" for the site's copy)."""


class ReplaceText(BaseModel):
    op: Literal["replace_text"] = "replace_text"
    old: str
    new: str


class Rename(BaseModel):
    op: Literal["rename"] = "rename"
    name: str


class AddSection(BaseModel):
    op: Literal["add_section"] = "add_section"
    kind: str
    page: str = "index"


class RemoveSection(BaseModel):
    op: Literal["remove_section"] = "remove_section"
    kind: str
    page: str = ""
    """"" for every page that has it."""
    optional: bool = False
    """True when a page of that name is removed too: no note when no page had the section."""


class MoveSection(BaseModel):
    op: Literal["move_section"] = "move_section"
    kind: str
    where: Literal["top", "bottom", "up", "down", "before", "after"]
    other: str = ""
    page: str = "index"


class AddPage(BaseModel):
    op: Literal["add_page"] = "add_page"
    title: str


class RemovePage(BaseModel):
    op: Literal["remove_page"] = "remove_page"
    slug: str


class RenamePage(BaseModel):
    op: Literal["rename_page"] = "rename_page"
    slug: str
    title: str


class MovePage(BaseModel):
    op: Literal["move_page"] = "move_page"
    slug: str
    where: Literal["first", "last", "before", "after"]
    other: str = ""


class SetOffering(BaseModel):
    op: Literal["set_offering"] = "set_offering"
    name: str
    price: str = ""
    add: bool = True
    """True when the item may be new; False when only an existing one's price changes."""
    label: str = ""
    """What a new item is, when said ("a class: Comp Night, $20"): it goes on the page of that name."""


class RemoveOffering(BaseModel):
    op: Literal["remove_offering"] = "remove_offering"
    name: str


class SetHours(BaseModel):
    op: Literal["set_hours"] = "set_hours"
    days: str
    """The days the line is about ("Sundays", "Mon-Fri"); "" for every day that is open."""
    time: str
    """"8am-4pm", "Closed"; or "from 8am" / "until 6pm" to move one end of the line's times."""
    replace_all: bool = False
    """True: these are now the only hours ("change the opening hours to Mon-Fri 9-5")."""


class SetContact(BaseModel):
    op: Literal["set_contact"] = "set_contact"
    field: Literal["phone", "email", "address"]
    value: str


class AddPerson(BaseModel):
    op: Literal["add_person"] = "add_person"
    name: str
    role: str = ""


class RemovePerson(BaseModel):
    op: Literal["remove_person"] = "remove_person"
    name: str


class AddTestimonial(BaseModel):
    op: Literal["add_testimonial"] = "add_testimonial"
    quote: str
    author: str = ""


class SetColour(BaseModel):
    op: Literal["set_colour"] = "set_colour"
    colour: str
    name: str


class SetFont(BaseModel):
    op: Literal["set_font"] = "set_font"
    stack: str
    name: str
    which: Literal["heading", "body", "both"] = "both"


class SetTone(BaseModel):
    op: Literal["set_tone"] = "set_tone"
    tone: str


class SwapTemplate(BaseModel):
    op: Literal["swap_template"] = "swap_template"
    slug: str


Operation = Annotated[
    SetText
    | ReplaceText
    | Rename
    | AddSection
    | RemoveSection
    | MoveSection
    | AddPage
    | RemovePage
    | RenamePage
    | MovePage
    | SetOffering
    | RemoveOffering
    | SetHours
    | SetContact
    | AddPerson
    | RemovePerson
    | AddTestimonial
    | SetColour
    | SetFont
    | SetTone
    | SwapTemplate,
    Field(discriminator="op"),
]
OPERATIONS: TypeAdapter[list[Operation]] = TypeAdapter(list[Operation])


class Unclear(BaseModel):
    """A part of the message that was not understood (or cannot be done), and a phrasing that works."""

    text: str
    example: str
    reason: str = ""


class Understood(BaseModel):
    """What an instruction asks: the operations read from it, and the parts that were not understood."""

    operations: list[Operation] = []
    sources: list[str] = []
    """The words each operation was read from (same order), quoted back when it cannot be done."""
    unclear: list[Unclear] = []


class Change(BaseModel):
    """One change made, on one page ("" for the whole site: colours, fonts, the name…)."""

    page: str
    text: str


class Section(BaseModel):
    model_config = ConfigDict(frozen=True)
    words: list[str]
    components: list[str]
    needs: str


class ToneLook(BaseModel):
    model_config = ConfigDict(frozen=True)
    heading: str
    radius: str
    feel: str


class EditWords(BaseModel):
    """`jobs/data/edits.toml`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    add: list[str]
    remove: list[str]
    change: list[str]
    rename: list[str]
    move: list[str]
    starts: list[str]
    fillers: list[str]
    texts: dict[str, list[str]]
    sections: dict[str, Section]
    facts: dict[str, list[str]]
    fonts: dict[str, str]
    font_names: list[str]
    look_refuse: list[str]
    font_families: dict[str, str]
    shows: dict[str, list[str]]
    tones: dict[str, str]
    tone_looks: dict[str, ToneLook]
    item_words: dict[str, str]
    people: dict[str, list[str]]
    price_fillers: list[str]
    colours: dict[str, str]
    examples: dict[str, str]
    lines: dict[str, str]
    skips: dict[str, str]
    defaults: dict[str, str]

    def section_of(self, component: str) -> str:
        """The kind of a component ("testimonials-cards" → "testimonials"), "" when it is none we edit."""
        return next((k for k, s in self.sections.items() if component in s.components), "")


@functools.cache
def edit_words() -> EditWords:
    return EditWords.model_validate(tomllib.loads((DATA / "edits.toml").read_text(encoding="utf-8")))
