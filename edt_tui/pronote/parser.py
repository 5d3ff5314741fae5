"""Streaming, hardened parse of the cleartext `ExportEmploiDuTemps` into the immutable model.

Real exports never carry a DOCTYPE: any DTD or entity declaration is refused before libxml2 sees
it (billion laughs, XXE), and the parser runs with entity resolution, DTD loading and network off
and the default size limits (no huge_tree).

The document (in memory already) is handed to libxml2 in one call, cheaper than feeding slices,
and read through a parser *target* (SAX style): no tree is ever built, each entry (`Eleve`,
`Cours`…) becomes a model object when it ends and nothing of it is kept, so memory stays flat
whatever the file size. Source lines (a session's `line`, the
line of a warning) are found afterwards by an exact scan of the bytes for the few elements that
need one. Everything odd but survivable becomes an `ExportWarning`; only unreadable XML raises.
"""

from __future__ import annotations

import codecs
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from datetime import date, time
from typing import Any, NamedTuple

from lxml import etree

from edt_tui.gc_pause import cyclic_gc_paused
from edt_tui.pronote.encoding import check_encoding, is_utf16, utf16_to_utf8
from edt_tui.pronote.errors import (
    EXCERPT_CHARS,
    HostileXmlError,
    LimitExceededError,
    MalformedXmlError,
    NotAnExportError,
    excerpt,
    shorten,
)
from edt_tui.pronote.limits import LIMITS, ReaderLimits, size_text
from edt_tui.pronote.model import (
    ClassPart,
    DatedMembership,
    Equipment,
    ExportWarning,
    Group,
    Guardian,
    ItemKind,
    Room,
    SchoolClass,
    SchoolYear,
    Session,
    SessionItem,
    Slot,
    StaffMember,
    Student,
    Subject,
    Teacher,
    TimeGrid,
    Timetable,
    frozen_map,
)
from edt_tui.pronote.weeks import parse_mask

TIMETABLE_ROOT = "ExportEmploiDuTemps"

PROLOG_SCAN_BYTES = 1 << 16
"""How much of the file head is examined first for a DOCTYPE (real prologs are tiny)."""

SAFE_PARSER_OPTIONS: dict[str, bool] = {
    "resolve_entities": False,
    "no_network": True,
    "huge_tree": False,
    "load_dtd": False,
    "dtd_validation": False,
    "remove_comments": True,
    "remove_pis": True,
}
"""lxml parser options for every export and envelope we read."""

# ----------------------------------------------------------------------------- prolog checks

_NAME_RE = re.compile(r"<([^\s/>!?]+)")


def _markup_text(data: bytes, limit: int | None) -> str:
    """The file (head) as text, for scanning markup only (exact for ASCII-compatible encodings)."""
    head = data if limit is None else data[:limit]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", errors="ignore")
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
    return head.decode("latin-1")


def _scan_prolog(data: bytes, source: str | None) -> tuple[str, int] | None:
    """(text, offset of the root start tag), raising on a DOCTYPE; None if there is no root.

    Linear in the prolog's length, so an entity bomb is refused before any expansion.
    """
    check_encoding(data, source)
    text = _markup_text(data, PROLOG_SCAN_BYTES)
    whole = len(data) <= PROLOG_SCAN_BYTES
    pos = 0
    while True:
        if pos >= len(text) or (text.find(">", pos) < 0 and not whole):
            if whole:
                return None
            text, whole = _markup_text(data, None), True  # abnormally long prolog: scan it all
            continue
        char = text[pos]
        if char in " \t\r\n\ufeff":
            pos += 1
            continue
        if text.startswith("<?", pos):
            end, closing = text.find("?>", pos + 2), 2
        elif text.startswith("<!--", pos):
            end, closing = text.find("-->", pos + 4), 3
        elif text.startswith("<!", pos):
            raise HostileXmlError(
                "the file declares a DOCTYPE (DTD or entities), which exports never contain; "
                "refused without reading it",
                source=source,
                line=text.count("\n", 0, pos) + 1,
            )
        else:
            return text, pos
        if end < 0:
            if whole:
                return None
            text, whole = _markup_text(data, None), True
            continue
        pos = end + closing


def refuse_doctype(data: bytes, *, source: str | None = None) -> None:
    """Raise `HostileXmlError` if the prolog (before the root element) holds a DOCTYPE."""
    _scan_prolog(data, source)


def root_local_name(data: bytes, *, source: str | None = None) -> str | None:
    """Local name of the root element (prefix dropped), after the DOCTYPE check; None if none."""
    found = _scan_prolog(data, source)
    if found is None:
        return None
    text, pos = found
    match = _NAME_RE.match(text, pos)
    return match.group(1).rpartition(":")[2] if match else None


# ----------------------------------------------------------------------------- value parsing


def _parse_date(value: str) -> date:
    """`YYYY-MM-DD` (schema) or `DD/MM/YYYY` (seen in real files); ValueError otherwise."""
    value = value.strip()
    if "/" in value:
        day, month, year = value.split("/")
        return date(int(year), int(month), int(day))
    return date.fromisoformat(value[:10])


def _parse_time(value: str) -> time:
    """`HH:MM:SS`, `HH:MM` or `H:MM` slot label; ValueError otherwise."""
    parts = value.strip().split(":")
    if not 2 <= len(parts) <= 3 or not all(p.isdigit() and p.isascii() for p in parts):
        raise ValueError(f"not a time: {value!r}")
    hour, minute, *second = (int(p) for p in parts)
    return time(hour, minute, second[0] if second else 0)


def _text(value: str | None) -> str:
    """An attribute's text. With entity resolution off, libxml2 hands every `&` of an attribute
    value over as `&#38;` (and nothing else that way), so this replacement is exact."""
    if not value:
        return ""
    if "&" in value:
        value = value.replace("&#38;", "&")
    return value.strip()


def _clean(value: str | None) -> str | None:
    """An optional attribute: its text, or None when absent or blank (`_text`, inlined: hot)."""
    if not value:
        return None
    if "&" in value:
        value = value.replace("&#38;", "&")
    return value.strip() or None


_ENTRY_NAMES = {
    "Matieres": "Matiere",
    "Professeurs": "Professeur",
    "Personnels": "Personnel",
    "Classes": "Classe",
    "Groupes": "Groupe",
    "Salles": "Salle",
    "Materiels": "Materiel",
    "Eleves": "Eleve",
    "Cours": "Cours",
}
"""Sections made of entries, and the name of their entries."""
_HANDLERS = {
    "Matiere": "subject",
    "Professeur": "teacher",
    "Personnel": "staff_member",
    "Classe": "school_class",
    "Groupe": "group",
    "Salle": "room",
    "Materiel": "equipment_item",
    "Eleve": "student",
    "Cours": "session",
}
"""The target's method turning an entry into a model object, by name: bound methods kept on the
target would make it a reference cycle, left (with everything it holds) to the cyclic collector."""
_ITEM_KINDS = {kind.value: kind for kind in ItemKind}
_TYPE_NAMES = {
    "subject": "subject (Matiere)",
    "teacher": "teacher (Professeur)",
    "staff": "staff member (Personnel)",
    "class": "class (Classe)",
    "class_part": "class part (PartieDeClasse)",
    "group": "group (Groupe)",
    "room": "room (Salle)",
    "equipment": "equipment (Materiel)",
    "student": "student (Eleve)",
}
_KIND_TYPES = {
    ItemKind.TEACHER: "teacher",
    ItemKind.STAFF: "staff",
    ItemKind.CLASS: "class",
    ItemKind.CLASS_PART: "class_part",
    ItemKind.GROUP: "group",
    ItemKind.ROOM: "room",
    ItemKind.EQUIPMENT: "equipment",
    ItemKind.STUDENT: "student",
}

Attrib = Mapping[str, str]
Where = tuple[str, int]


class _Warning(NamedTuple):
    """A warning while parsing: located by (element, rank) until lines are known."""

    code: str
    message: str
    where: Where | None
    case: str
    params: dict[str, str]


def _param(text: str) -> str:
    """A value quoted by a warning, cut as `shorten` cuts it but without English words."""
    return text if len(text) <= EXCERPT_CHARS else f"{text[:EXCERPT_CHARS]}…"
"""An element's local name and its 1-based rank among the elements of that name."""
Child = tuple[str, Attrib, int]
"""A child of an entry: local name, attributes, rank."""


# ----------------------------------------------------------------------------- source lines

_ANY_START_TAG = re.compile(
    rb"<(?:!--.*?-->|!\[CDATA\[.*?\]\]>|\?.*?\?>|((?:[A-Za-z_][\w.-]*:)?[A-Za-z_][\w.-]*)"
    rb"(?=[\s/>]))",
    re.S,
)
"""Any start tag (group 1: its qualified name), or a comment, CDATA section or PI to skip."""
_SCANS_PER_NAME = 4
"""Up to this many names, one fast scan per name beats one slow scan of every tag."""


class _LineLocator:
    """Lines (and texts) of elements known by (name, rank), from an exact scan of the bytes.

    Comments, CDATA sections and processing instructions are skipped; attribute values and text
    cannot contain a raw `<`, so the n-th start tag found is the n-th element of that name.
    A few names are each found by a scan for that name alone (fast: the regex skips everything
    else); more are found together in one scan of every start tag, so the cost stays linear
    however many names are wanted.
    """

    def __init__(self, data: bytes, source: str | None) -> None:
        if is_utf16(data):
            data = utf16_to_utf8(data, source)
        self.data = data

    def _start_tags(self, name: str, ranks: set[int]) -> Iterator[tuple[int, re.Match[bytes]]]:
        """(rank, match) of the wanted start tags of `name`, in document order."""
        pattern = re.compile(
            rb"<(?:!--.*?-->|!\[CDATA\[.*?\]\]>|\?.*?\?>|((?:[A-Za-z_][\w.-]*:)?"
            + re.escape(name.encode())
            + rb")[\s/>])",
            re.S,
        )
        last_rank = max(ranks, default=0)
        rank = 0
        for match in pattern.finditer(self.data):
            if match.group(1) is None:
                continue
            rank += 1
            if rank in ranks:
                yield rank, match
            if rank >= last_rank:
                return

    def _all_start_tags(
        self, wanted: Mapping[str, set[int]]
    ) -> Iterator[tuple[str, int, re.Match[bytes]]]:
        """(name, rank, match) of the wanted start tags of any name, in one scan."""
        seen: dict[bytes, int] = {}
        targets = {name.encode(): ranks for name, ranks in wanted.items()}
        for match in _ANY_START_TAG.finditer(self.data):
            qualified = match.group(1)
            if qualified is None:
                continue
            key = qualified.rpartition(b":")[2]
            ranks = targets.get(key)
            if ranks is None:
                continue
            rank = seen[key] = seen.get(key, 0) + 1
            if rank in ranks:
                yield key.decode(), rank, match

    def lines(self, wanted: Mapping[str, set[int]]) -> dict[tuple[str, int], int]:
        """The line of each wanted (name, rank) found."""
        matches: list[tuple[int, str, int]] = []
        if len(wanted) <= _SCANS_PER_NAME:
            for name, ranks in wanted.items():
                matches += ((m.start(), name, rank) for rank, m in self._start_tags(name, ranks))
            matches.sort()
        else:
            matches = [(m.start(), name, rank) for name, rank, m in self._all_start_tags(wanted)]
        found: dict[tuple[str, int], int] = {}
        line, offset = 1, 0
        for start, name, rank in matches:
            line += self.data.count(b"\n", offset, start)
            offset = start
            found[(name, rank)] = line
        return found

    def line(self, name: str, rank: int) -> int | None:
        return self.lines({name: {rank}}).get((name, rank))

    def check_runs(self, limits: ReaderLimits, source: str | None) -> None:
        """Refuse a start tag or text longer than `limits.run_bytes` (one regex scan)."""
        match = re.compile(rb"<[^<]{%d}" % limits.run_bytes).search(self.data)
        if match is None:
            return
        start = match.start()
        name = _ANY_START_TAG.match(self.data, start)
        element = name.group(1).decode("utf-8", "replace") if name and name.group(1) else None
        close = self.data.find(b">", start, match.end())
        what = "a start tag" if close < 0 else "a text"
        if close >= 0:  # the text after a tag belongs to the element that tag opens or closes
            tag = re.match(rb"</?([^\s/>]+)", self.data[start : close + 1])
            element = tag.group(1).decode("utf-8", "replace") if tag else element
        raise LimitExceededError(
            f"{what} is too long (no real export has attribute values or texts this long)",
            size_text(limits.run_bytes),
            name="run_bytes",
            source=source,
            line=self.data.count(b"\n", 0, start) + 1,
            element=element.rpartition(":")[2] if element else None,
        )

    def texts(self, name: str, ranks: set[int]) -> dict[int, str]:
        """Raw text content of simple elements like `<Jour>1</Jour>`."""
        found: dict[int, str] = {}
        data = self.data
        for rank, match in self._start_tags(name, ranks):
            close = data.find(b">", match.end() - 1)
            if close < 0 or data[close - 1 : close] == b"/":
                found[rank] = ""
                continue
            end = data.find(b"<", close + 1)
            found[rank] = data[close + 1 : end if end >= 0 else len(data)].decode(
                "utf-8", "replace"
            )
        return found


# ----------------------------------------------------------------------------- the target


class _TimetableTarget:
    """lxml parser target: turns start/end events into model objects, entry by entry."""

    def __init__(self, data: bytes, source: str | None, limits: ReaderLimits) -> None:
        self.source = source
        self.limits = limits
        self.locator = _LineLocator(data, source)
        self.locator.check_runs(limits, source)
        self.max_elements = limits.elements
        self.max_children = limits.children
        self.elements = 0
        self.dropped_warnings = 0
        self.depth = 0
        self.locals: dict[object, str] = {}
        self.ranks: dict[str, int] = {}
        self.root_attrib: Attrib = {}
        self.section: str | None = None
        self.entry_name: str | None = None
        self.entry: tuple[Attrib, int] | None = None
        self.grid_part_name: str | None = None
        self.children: list[Child] | None = None
        self.grid_attrib: Attrib | None = None
        self.grid_days: list[int] = []
        self.grid_slots: dict[int, Slot] = {}
        self.seen_sections: set[str] = set()
        self.unknown_entries: set[tuple[str, str]] = set()
        # (code, message, where) — lines are resolved once the whole file is read.
        self.warnings: list[_Warning] = []
        self.masks: dict[str, int] = {}
        self.dates: dict[str, date | None] = {}
        self.memberships: dict[tuple[str, str | None, str | None, str | None], DatedMembership]
        self.memberships = {}
        self.items: dict[tuple[str, str | None, str | None], SessionItem] = {}
        self.refs: dict[tuple[str, str], tuple[Where, tuple[str, str]]] = {}
        self.school_year: SchoolYear | None = None
        self.time_grid: TimeGrid | None = None
        self.subjects: dict[str, Subject] = {}
        self.teachers: dict[str, Teacher] = {}
        self.staff: dict[str, StaffMember] = {}
        self.classes: dict[str, SchoolClass] = {}
        self.class_parts: dict[str, ClassPart] = {}
        self.groups: dict[str, Group] = {}
        self.rooms: dict[str, Room] = {}
        self.equipment: dict[str, Equipment] = {}
        self.students: dict[str, Student] = {}
        # Sessions wait for their line: (number, rank of the Cours element, fields…).
        self.sessions: list[
            tuple[int, int, int, int, int, str | None, tuple[SessionItem, ...], int]
        ] = []

    # -- lxml target interface ----------------------------------------------------------

    def doctype(self, name: str, pubid: str | None, system: str | None) -> None:
        raise HostileXmlError(
            "the file declares a DOCTYPE (DTD or entities), which exports never contain",
            source=self.source,
        )

    def start(self, tag: str, attrib: Attrib) -> None:
        local = self.locals.get(tag)
        if local is None:
            local = self.new_name(tag)
        ranks = self.ranks
        rank = ranks[local] = ranks.get(local, 0) + 1
        elements = self.elements = self.elements + 1
        if elements > self.max_elements:
            self.refuse("too many elements", "elements", (local, rank))
        depth = self.depth
        self.depth = depth + 1
        if depth == 3:
            children = self.children
            if children is not None:
                children.append((local, attrib, rank))
                if len(children) > self.max_children:
                    self.too_many_children()
        elif depth == 2:
            self.entry_start(local, attrib, rank)
        elif depth == 1:
            self.section_start(local, attrib, rank)
        elif depth == 0:
            self.root_attrib = attrib
        elif depth >= self.limits.depth:
            self.refuse("elements nested deeper than allowed", "depth", (local, rank))

    def end(self, tag: str) -> None:
        depth = self.depth = self.depth - 1
        if depth == 2:
            entry = self.entry
            if entry is not None and self.entry_name is not None:
                handler = getattr(self, _HANDLERS[self.entry_name])
                handler(entry[0], self.children or [], entry[1])
                self.entry = self.children = None
            elif self.grid_part_name is not None:
                self.grid_part(self.grid_part_name, self.children or [])
                self.grid_part_name = self.children = None
        elif depth == 1:
            self.section_end()

    def close(self) -> None:
        return None

    # -- structure ------------------------------------------------------------------------

    def section_start(self, local: str, attrib: Attrib, rank: int) -> None:
        self.section = local
        entry_name = _ENTRY_NAMES.get(local)
        if entry_name is not None:
            self.seen_sections.add(local)
            if local == "Cours" and "Jour" in attrib:  # a session without the container
                self.entry_name = None
                self.entry, self.children = (attrib, rank), []
            else:
                self.entry_name = entry_name
        elif local == "AnneeScolaire":
            self.seen_sections.add(local)
            self.school_year_section(attrib, rank)
        elif local == "GrilleHoraire":
            self.seen_sections.add(local)
            self.grid_attrib = attrib
        else:
            self.warn(
                "unknown_section",
                f"unknown section <{shorten(local)}> skipped with everything inside it",
                (local, rank),
                element=local,
            )

    def section_end(self) -> None:
        if self.entry is not None:  # the session without container
            self.session(self.entry[0], self.children or [], self.entry[1])
            self.entry = self.children = None
        elif self.grid_attrib is not None:
            self.time_grid_section(self.grid_attrib)
            self.grid_attrib = None
        self.section = self.entry_name = None

    def entry_start(self, local: str, attrib: Attrib, rank: int) -> None:
        if self.entry_name is not None:
            if local == self.entry_name:
                self.entry, self.children = (attrib, rank), []
            else:
                self.unknown_entry(self.section or "", local, rank)
        elif self.entry is not None:  # child of a session without container
            if self.children is not None:
                self.children.append((local, attrib, rank))
        elif self.grid_attrib is not None and local in ("JoursOuvres", "PlacesParJour"):
            self.grid_part_name, self.children = local, []

    # -- limits --------------------------------------------------------------------------

    def refuse(self, what: str, limit_name: str, where: Where | None) -> None:
        """Stop reading: the file passes one of the limits (located when `where` is known)."""
        raise LimitExceededError(
            what,
            str(getattr(self.limits, limit_name)),
            name=limit_name,
            source=self.source,
            line=self.locator.line(*where) if where else None,
            element=where[0] if where else None,
        )

    def new_name(self, tag: str) -> str:
        """The local name of a tag not seen yet, counted against the distinct names limit."""
        local = self.locals[tag] = tag.rpartition("}")[2]
        if len(self.locals) > self.limits.element_names:
            self.refuse("too many distinct element names", "element_names", (local, 1))
        return local

    def too_many_children(self) -> None:
        entry = self.entry
        where = (self.entry_name or "Cours", entry[1]) if entry is not None else None
        if self.grid_part_name is not None:
            where = (self.grid_part_name, self.ranks.get(self.grid_part_name, 1))
        self.refuse("an entry with too many children", "children", where)

    def check_people(self, where: Where) -> None:
        if len(self.teachers) + len(self.staff) > self.limits.people:
            self.refuse("too many teachers and staff", "people", where)

    # -- helpers -------------------------------------------------------------------------

    def warn(
        self, code: str, message: str, where: Where | None = None, *, case: str = "",
        **params: object,
    ) -> None:
        """Keep one warning: the English `message`, and its `case` and `params` for wording it
        in another language (`ExportWarning`)."""
        if len(self.warnings) < self.limits.warnings:
            quoted = {name: _param(str(value)) for name, value in params.items()}
            self.warnings.append(_Warning(code, message, where, case, quoted))
        else:
            self.dropped_warnings += 1

    def ident(self, attrib: Attrib, what: str, rank: int) -> str | None:
        value = attrib.get("Ident")
        if value is None or not value.strip():
            self.warn(
                "bad_value", f"<{what}> without Ident skipped", (what, rank), case="no_ident",
                element=what,
            )
            return None
        return value.strip()

    def date_attr(self, attrib: Attrib, name: str, where: Where) -> date | None:
        value = attrib.get(name)
        if value is None or not value.strip():
            return None
        cached = self.dates.get(value, False)
        if cached is not False:
            return cached  # type: ignore[return-value]
        try:
            parsed: date | None = _parse_date(value)
        except ValueError:
            parsed = None
            self.warn(
                "bad_value",
                f"{name}={excerpt(value)} on <{where[0]}> is not a date (ignored)",
                where,
                case="bad_date", attribute=name, value=value, element=where[0],
            )
        self.dates[value] = parsed
        return parsed

    def mask_attr(self, attrib: Attrib, where: Where, *names: str) -> int:
        for name in names:
            value = attrib.get(name)
            if value is not None:
                break
        else:
            self.warn(
                "bad_value",
                f"<{where[0]} Ident={excerpt(attrib.get('Ident') or '')}> has no {names[0]} "
                "week mask (it never occurs)",
                where,
                case="no_weeks", element=where[0], ident=attrib.get("Ident") or "",
                attribute=names[0],
            )
            return 0
        mask = self.masks.get(value)
        if mask is None:
            try:
                mask = parse_mask(value)
            except ValueError:
                self.warn(
                    "bad_value",
                    f"{name}={excerpt(value)} on <{where[0]}> is not a week mask (it never occurs)",
                    where,
                    case="bad_weeks", attribute=name, value=value, element=where[0],
                )
                return 0
            self.masks[value] = mask
        return mask

    @staticmethod
    def int_attr(attrib: Attrib, name: str) -> int | None:
        value = attrib.get(name)
        try:
            return int(value) if value is not None else None
        except ValueError:
            return None

    def refer(self, kind: str, ident: str, where: Where, who: tuple[str, str]) -> None:
        """Remember the first place referring to (kind, ident) — and who refers to it: (`session`,
        number), (`class`, `group` or `student`, ident); checked once parsing is done."""
        if (kind, ident) not in self.refs:
            self.refs[(kind, ident)] = (where, who)

    def add(self, table: dict[str, Any], ident: str, value: object, where: Where) -> None:
        if ident in table:
            self.warn(
                "duplicate_ident",
                f"{where[0]} Ident {shorten(ident)} declared twice: the first one is kept",
                where,
                element=where[0], ident=ident,
            )
            return
        table[ident] = value

    def unknown_entry(self, section: str, name: str, rank: int) -> None:
        if (section, name) not in self.unknown_entries:
            self.unknown_entries.add((section, name))
            self.warn(
                "unknown_element",
                f"unknown element <{shorten(name)}> in <{shorten(section)}> skipped",
                (name, rank),
                element=name, section=section,
            )

    # -- year and grid -------------------------------------------------------------------

    def school_year_section(self, attrib: Attrib, rank: int) -> None:
        try:
            start = _parse_date(attrib.get("DateDebut") or "")
            end = _parse_date(attrib.get("DateFin") or "")
            monday = _parse_date(attrib.get("DatePremierJourSemaine1") or "")
        except ValueError:
            self.warn(
                "bad_value",
                "<AnneeScolaire> has missing or invalid DateDebut/DateFin/"
                "DatePremierJourSemaine1: no occurrence can be dated",
                ("AnneeScolaire", rank),
                case="bad_school_year",
            )
            return
        first, last = self.limits.first_year, self.limits.last_year
        odd = [day for day in (start, end, monday) if not first <= day.year <= last]
        if odd:
            self.warn(
                "bad_value",
                f"<AnneeScolaire> has a date in year {odd[0].year:04d}, outside {first}-{last}: "
                "no occurrence can be dated",
                ("AnneeScolaire", rank),
                case="school_year_out_of_range", year=f"{odd[0].year:04d}", first=first,
                last=last,
            )
            return
        self.school_year = SchoolYear(start=start, end=end, week1_monday=monday)

    def grid_day(self, text: str, rank: int) -> None:
        try:
            self.grid_days.append(int(text.strip()))
        except ValueError:
            self.warn(
                "bad_value", f"<Jour>{shorten(text)}</Jour> ignored", ("Jour", rank),
                case="bad_day", value=text,
            )

    def grid_part(self, local: str, children: list[Child]) -> None:
        if local == "JoursOuvres":
            # Texts are read from the bytes: a data() callback would cost a call per text node.
            ranks = {rank for name, _attrib, rank in children if name == "Jour"}
            texts = self.locator.texts("Jour", ranks)
            for rank in sorted(ranks):
                self.grid_day(texts.get(rank, ""), rank)
            return
        for name, attrib, rank in children:
            if name != "Place":
                continue
            try:
                number = int(attrib.get("Numero") or "")
                slot = Slot(
                    number,
                    _parse_time(attrib.get("LibelleHeureDebut") or ""),
                    _parse_time(attrib.get("LibelleHeureFin") or ""),
                )
            except ValueError:
                self.warn(
                    "bad_value",
                    "<Place> with a missing or invalid Numero or time label ignored",
                    ("Place", rank),
                    case="bad_slot",
                )
                continue
            self.grid_slots[number] = slot

    def time_grid_section(self, attrib: Attrib) -> None:
        self.time_grid = TimeGrid(
            slots_per_day=self.int_attr(attrib, "NombrePlacesParJour"),
            slot_minutes=self.int_attr(attrib, "DureePlace"),
            working_days=tuple(self.grid_days),
            slots=frozen_map(dict(sorted(self.grid_slots.items()))),
        )

    # -- entries ---------------------------------------------------------------------------

    def subject(self, attrib: Attrib, children: list[Child], rank: int) -> None:
        ident = self.ident(attrib, "Matiere", rank)
        if ident is not None:
            code = _text(attrib.get("Code"))
            label = _text(attrib.get("Libelle"))
            self.add(self.subjects, ident, Subject(ident, code, label), ("Matiere", rank))

    def teacher(self, attrib: Attrib, children: list[Child], rank: int) -> None:
        ident = self.ident(attrib, "Professeur", rank)
        if ident is None:
            return
        get = attrib.get
        where = ("Professeur", rank)
        teacher = Teacher(
            ident,
            _text(get("Nom")),
            _text(get("Prenom")),
            birth_date=self.date_attr(attrib, "DateNaissance", where),
            idpn=_clean(get("IDPN")),
            idcas=_clean(get("IDCAS")),
            idsts=_clean(get("IDSTS")),
            postcode=_clean(get("CodePostal")),
        )
        self.add(self.teachers, ident, teacher, where)
        self.check_people(where)

    def staff_member(self, attrib: Attrib, children: list[Child], rank: int) -> None:
        ident = self.ident(attrib, "Personnel", rank)
        if ident is None:
            return
        get = attrib.get
        member = StaffMember(
            ident,
            _text(get("Nom")),
            _text(get("Prenom")),
            idpn=_clean(get("IDPN")),
            idcas=_clean(get("IDCAS")),
        )
        self.add(self.staff, ident, member, ("Personnel", rank))
        self.check_people(("Personnel", rank))

    def school_class(self, attrib: Attrib, children: list[Child], rank: int) -> None:
        ident = self.ident(attrib, "Classe", rank)
        if ident is None:
            return
        parts: list[str] = []
        main_teachers: list[str] = []
        for name, child, child_rank in children:
            if name == "PartieDeClasse":
                part = self.ident(child, name, child_rank)
                if part is None:
                    continue
                parts.append(part)
                self.add(
                    self.class_parts,
                    part,
                    ClassPart(part, ident, _clean(child.get("Nom"))),
                    (name, child_rank),
                )
            elif name == "ProfesseurPrincipal":
                teacher = self.ident(child, name, child_rank)
                if teacher is not None:
                    main_teachers.append(teacher)
                    self.refer("teacher", teacher, (name, child_rank), ("class", ident))
            else:
                self.unknown_entry("Classe", name, child_rank)
        school_class = SchoolClass(
            ident, _text(attrib.get("Nom")), tuple(parts), tuple(main_teachers)
        )
        self.add(self.classes, ident, school_class, ("Classe", rank))

    def group(self, attrib: Attrib, children: list[Child], rank: int) -> None:
        ident = self.ident(attrib, "Groupe", rank)
        if ident is None:
            return
        members: dict[str, list[str]] = {"Classe": [], "PartieDeClasse": [], "Eleve": []}
        kinds = {"Classe": "class", "PartieDeClasse": "class_part", "Eleve": "student"}
        for name, child, child_rank in children:
            bucket = members.get(name)
            if bucket is None:
                self.unknown_entry("Groupe", name, child_rank)
                continue
            member = self.ident(child, name, child_rank)
            if member is not None:
                bucket.append(member)
                self.refer(kinds[name], member, (name, child_rank), ("group", ident))
        group = Group(
            ident,
            _text(attrib.get("Nom")),
            tuple(members["Classe"]),
            tuple(members["PartieDeClasse"]),
            tuple(members["Eleve"]),
        )
        self.add(self.groups, ident, group, ("Groupe", rank))

    def room(self, attrib: Attrib, children: list[Child], rank: int) -> None:
        ident = self.ident(attrib, "Salle", rank)
        if ident is not None:
            room = Room(ident, _text(attrib.get("Nom")))
            self.add(self.rooms, ident, room, ("Salle", rank))

    def equipment_item(self, attrib: Attrib, children: list[Child], rank: int) -> None:
        ident = self.ident(attrib, "Materiel", rank)
        if ident is not None:
            item = Equipment(ident, _text(attrib.get("Nom")))
            self.add(self.equipment, ident, item, ("Materiel", rank))

    def student(self, attrib: Attrib, children: list[Child], rank: int) -> None:
        ident = self.ident(attrib, "Eleve", rank)
        if ident is None:
            return
        guardians: list[Guardian] = []
        classes: list[DatedMembership] = []
        parts: list[DatedMembership] = []
        memo, refs = self.memberships, self.refs
        for name, child, child_rank in children:
            if name == "Classe" or name == "PartieDeClasse":
                cget = child.get
                key = (name, cget("Ident"), cget("DateEntree"), cget("DateSortie"))
                membership = memo.get(key)
                if membership is None:
                    member = self.ident(child, name, child_rank)
                    if member is None:
                        continue
                    where = (name, child_rank)
                    membership = DatedMembership(
                        member,
                        self.date_attr(child, "DateEntree", where),
                        self.date_attr(child, "DateSortie", where),
                    )
                    memo[key] = membership
                    ref = ("class" if name == "Classe" else "class_part", member)
                    if ref not in refs:
                        refs[ref] = (where, ("student", ident))
                if name == "Classe":
                    classes.append(membership)
                else:
                    parts.append(membership)
            elif name == "Responsable":
                guardian_ident = self.ident(child, name, child_rank)
                if guardian_ident is None:
                    continue
                cget = child.get
                guardians.append(
                    Guardian(
                        guardian_ident,
                        self.int_attr(child, "RespLegal"),
                        _text(cget("Nom")),
                        _text(cget("Prenom")),
                        civility=_clean(cget("Civilite")),
                        idpn=_clean(cget("IDPN")),
                        idcas=_clean(cget("IDCAS")),
                    )
                )
            else:
                self.unknown_entry("Eleve", name, child_rank)
        get = attrib.get
        student = Student(
            ident,
            _text(get("Nom")),
            _text(get("Prenom")),
            birth_date=self.date_attr(attrib, "DateNaissance", ("Eleve", rank)),
            sex=_clean(get("Sexe")),
            ine=_clean(get("NumeroNational")),
            idsconet=_clean(get("IDSconet")),
            idpn=_clean(get("IDPN")),
            idcas=_clean(get("IDCAS")),
            id_etablissement=_clean(get("IDEtablissement")),
            postcode=_clean(get("CodePostal")),
            guardians=tuple(guardians),
            class_memberships=tuple(classes),
            part_memberships=tuple(parts),
        )
        if ident in self.students:
            self.add(self.students, ident, student, ("Eleve", rank))
        else:
            self.students[ident] = student
            if len(self.students) > self.limits.students:
                self.refuse("too many students", "students", ("Eleve", rank))

    def session_item(self, name: str, child: Attrib, rank: int, number: int) -> SessionItem | None:
        """A new (kind, ident, mask) item of a session, or None (reported) if unusable."""
        kind = _ITEM_KINDS.get(name)
        if kind is None:
            self.unknown_entry("Cours", name, rank)
            return None
        ident = self.ident(child, name, rank)
        if ident is None:
            return None
        where = (name, rank)
        self.refer(_KIND_TYPES[kind], ident, where, ("session", str(number)))
        return SessionItem(
            kind, ident, self.mask_attr(child, where, "Semaines", "SemainesInclusion")
        )

    def session(self, attrib: Attrib, children: list[Child], rank: int) -> None:
        number = len(self.sessions) + 1
        where = ("Cours", rank)
        if number > self.limits.sessions:
            self.refuse("too many sessions", "sessions", where)
        get = attrib.get
        try:
            day = int(get("Jour"))  # type: ignore[arg-type]
            start = int(get("NumeroPlaceDebut"))  # type: ignore[arg-type]
            count = int(get("NombrePlaces"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            self.warn(
                "bad_value",
                f"session #{number} has a missing or invalid Jour/NumeroPlaceDebut/NombrePlaces "
                "and is skipped",
                where,
                case="bad_session", session=number,
            )
            self.sessions.append((number, rank, 0, 0, 0, None, (), 0))
            return
        cancelled = 0
        if get("SemainesAnnulation") is not None:
            cancelled = self.mask_attr(attrib, where, "SemainesAnnulation")
        subject: str | None = None
        items: list[SessionItem] = []
        memo = self.items
        for name, child, child_rank in children:
            cget = child.get
            if name == "Matiere":
                ident = _text(cget("Ident"))
                if subject is None and ident:
                    subject = ident
                    if ("subject", ident) not in self.refs:
                        self.refer("subject", ident, where, ("session", str(number)))
                elif ident:
                    self.warn(
                        "bad_value",
                        f"session #{number} has a second <Matiere> "
                        f"(Ident {shorten(ident)}), ignored",
                        (name, child_rank),
                        case="second_subject", session=number, ident=ident,
                    )
                else:
                    self.ident(child, "Matiere", child_rank)
                continue
            mask_text = cget("Semaines")
            if mask_text is None:
                mask_text = cget("SemainesInclusion")
            key = (name, cget("Ident"), mask_text)
            item = memo.get(key)
            if item is None:
                item = self.session_item(name, child, child_rank, number)
                if item is None:
                    continue
                if mask_text is not None and item.weeks:
                    memo[key] = item  # problems are reported at every occurrence
            items.append(item)
        if subject is None:
            self.warn(
                "bad_value", f"session #{number} has no <Matiere>", where, case="no_subject",
                session=number,
            )
        working_days = self.time_grid.working_days if self.time_grid is not None else ()
        if working_days and day not in working_days:
            self.warn(
                "outside_working_days",
                f"session #{number} is on day {day}, which is not a working day of the time grid",
                where,
                session=number, day=day,
            )
        self.sessions.append((number, rank, day, start, count, subject, tuple(items), cancelled))

    # -- end of document -------------------------------------------------------------------

    def count_uses(self, dangling: set[tuple[str, str]]) -> Counter[tuple[str, str]]:
        """For each dangling (kind, ident): how many sessions, students, groups, classes use it.

        One pass over everything, done only when some reference is dangling.
        """
        uses: Counter[tuple[str, str]] = Counter()
        for _number, _rank, _day, _start, _count, subject, items, _cancelled in self.sessions:
            keys = {(_KIND_TYPES[item.kind], item.ident) for item in items}
            if subject is not None:
                keys.add(("subject", subject))
            uses.update(keys & dangling)
        for student in self.students.values():
            keys = {("class", m.ident) for m in student.class_memberships}
            keys.update(("class_part", m.ident) for m in student.part_memberships)
            uses.update(keys & dangling)
        for group in self.groups.values():
            keys = {("class", ident) for ident in group.class_idents}
            keys.update(("class_part", ident) for ident in group.part_idents)
            keys.update(("student", ident) for ident in group.student_idents)
            uses.update(keys & dangling)
        for school_class in self.classes.values():
            keys = {("teacher", ident) for ident in school_class.main_teacher_idents}
            uses.update(keys & dangling)
        return uses

    def resolve_references(self) -> None:
        tables: dict[str, Mapping[str, object]] = {
            "subject": self.subjects,
            "teacher": self.teachers,
            "staff": self.staff,
            "class": self.classes,
            "class_part": self.class_parts,
            "group": self.groups,
            "room": self.rooms,
            "equipment": self.equipment,
            "student": self.students,
        }
        dangling = {(kind, ident) for kind, ident in self.refs if ident not in tables[kind]}
        if not dangling:
            return
        uses = self.count_uses(dangling)
        for key, (where, (user, user_ident)) in self.refs.items():
            if key in dangling:
                kind, ident = key
                others = uses[key] - 1
                more = f" and {others} other place(s)" if others > 0 else ""
                who = (
                    f"session #{user_ident}" if user == "session"
                    else f"{user} {shorten(user_ident)}"
                )
                self.warn(
                    "dangling_reference",
                    f"{_TYPE_NAMES[kind]} Ident {shorten(ident)} is used by {who}{more} "
                    "but declared nowhere",
                    where,
                    kind=kind, ident=ident, user=user, user_ident=user_ident,
                    others=max(others, 0),
                )

    def timetable(self) -> Timetable:
        for section, label in (("AnneeScolaire", "school year"), ("GrilleHoraire", "time grid")):
            if section not in self.seen_sections:
                self.warn(
                    "missing_section",
                    f"<{section}> ({label}) is missing: lessons cannot be dated",
                    element=section,
                )
        self.resolve_references()
        wanted: dict[str, set[int]] = {}
        if self.sessions:
            wanted["Cours"] = {s[1] for s in self.sessions}
        for warning in self.warnings:
            where = warning.where
            if where is not None:
                wanted.setdefault(where[0], set()).add(where[1])
        lines = self.locator.lines(wanted)
        sessions = tuple(
            Session(number, lines.get(("Cours", rank)), day, start, count, subject, items, dropped)
            for number, rank, day, start, count, subject, items, dropped in self.sessions
        )
        warnings = tuple(
            ExportWarning(
                w.code, w.message, lines.get(w.where) if w.where else None, w.case,
                frozen_map(w.params),
            )
            for w in self.warnings
        )
        if self.dropped_warnings:
            warnings += (
                ExportWarning(
                    "too_many_warnings",
                    f"{self.dropped_warnings} more warnings not listed (only the first "
                    f"{self.limits.warnings} are kept)",
                    params=frozen_map({
                        "count": str(self.dropped_warnings), "kept": str(self.limits.warnings),
                    }),
                ),
            )
        return Timetable(
            version=_clean(self.root_attrib.get("Version")),
            uai=_clean(self.root_attrib.get("UAI")),
            school_year=self.school_year,
            time_grid=self.time_grid,
            subjects=frozen_map(self.subjects),
            teachers=frozen_map(self.teachers),
            staff=frozen_map(self.staff),
            classes=frozen_map(self.classes),
            class_parts=frozen_map(self.class_parts),
            groups=frozen_map(self.groups),
            rooms=frozen_map(self.rooms),
            equipment=frozen_map(self.equipment),
            students=frozen_map(self.students),
            sessions=sessions,
            warnings=warnings,
        )


def parse_timetable(
    data: bytes, *, source_name: str | None = None, limits: ReaderLimits = LIMITS
) -> Timetable:
    """Parse a cleartext `ExportEmploiDuTemps` document (bytes, any BOM) into a `Timetable`.

    Every bound of `limits` is checked while reading: `LimitExceededError` at the first passed.
    """
    if len(data) > limits.document_bytes:
        raise LimitExceededError(
            f"the document is larger than {size_text(limits.document_bytes)}",
            size_text(limits.document_bytes),
            name="document_bytes",
            source=source_name,
        )
    root_name = root_local_name(data, source=source_name)
    if root_name != TIMETABLE_ROOT:
        raise NotAnExportError(
            f"root element <{shorten(root_name)}> is not a PRONOTE/EDT timetable export"
            if root_name
            else "the file contains no XML element",
            source=source_name,
        )
    target = _TimetableTarget(data, source_name, limits)
    parser = etree.XMLParser(target=target, **SAFE_PARSER_OPTIONS)
    # Only acyclic objects are made here; the cyclic collector would walk the growing model
    # again and again for nothing (about 15 % of the parse time).
    with cyclic_gc_paused():
        try:
            etree.fromstring(data, parser)
            return target.timetable()
        except etree.XMLSyntaxError as exc:
            raise MalformedXmlError(
                f"the timetable is not well-formed XML ({shorten(exc.msg, 200)})",
                source=source_name,
                line=exc.lineno,
            ) from None
