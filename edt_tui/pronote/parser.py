"""Streaming, hardened parse of the cleartext `ExportEmploiDuTemps` into the immutable model.

Real exports never carry a DOCTYPE: any DTD or entity declaration is refused before libxml2 sees
it (billion laughs, XXE), and the parser runs with entity resolution, DTD loading and network off
and the default size limits (no huge_tree). Entries (`Eleve`, `Cours`…) are turned into model
objects on their end event and freed at once, so memory stays flat whatever the file size.
Everything odd but survivable becomes an `ExportWarning`; only unreadable XML raises.
"""

from __future__ import annotations

import codecs
import io
import re
import sys
from collections.abc import Callable
from datetime import date, time

from lxml import etree

from edt_tui.pronote.errors import HostileXmlError, MalformedXmlError, NotAnExportError
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

TIMETABLE_NS = "http://www.index-education.com/exportemploidutemps"
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


def _text(data: bytes, limit: int | None) -> str:
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
    text = _text(data, PROLOG_SCAN_BYTES)
    whole = len(data) <= PROLOG_SCAN_BYTES
    pos = 0
    while True:
        if pos >= len(text) or (text.find(">", pos) < 0 and not whole):
            if whole:
                return None
            text, whole = _text(data, None), True  # abnormally long prolog: scan it all
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
            text, whole = _text(data, None), True
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
    """`HH:MM:SS` or `HH:MM` slot label."""
    return time.fromisoformat(value.strip())


_SECTIONS_WITH_ENTRIES = {
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
_WHOLE_SECTIONS = ("AnneeScolaire", "GrilleHoraire")
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


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


class _Builder:
    """Accumulates model objects and warnings while the parser streams the document."""

    def __init__(self, source: str | None) -> None:
        self.source = source
        self.warnings: list[ExportWarning] = []
        self.locals: dict[str, str] = {}
        self.masks: dict[str, int] = {}
        self.dates: dict[str, date | None] = {}
        self.school_year: SchoolYear | None = None
        self.time_grid: TimeGrid | None = None
        self.seen_sections: set[str] = set()
        self.unknown_entries: set[tuple[str, str]] = set()
        self.subjects: dict[str, Subject] = {}
        self.teachers: dict[str, Teacher] = {}
        self.staff: dict[str, StaffMember] = {}
        self.classes: dict[str, SchoolClass] = {}
        self.class_parts: dict[str, ClassPart] = {}
        self.groups: dict[str, Group] = {}
        self.rooms: dict[str, Room] = {}
        self.equipment: dict[str, Equipment] = {}
        self.students: dict[str, Student] = {}
        self.sessions: list[Session] = []
        # (type, ident) → (first line, "who refers") for references resolved at the end.
        self.references: dict[tuple[str, str], tuple[int | None, str, int]] = {}
        self.entry_handlers: dict[str, Callable[[etree._Element], None]] = {
            "Matiere": self.subject,
            "Professeur": self.teacher,
            "Personnel": self.staff_member,
            "Classe": self.school_class,
            "Groupe": self.group,
            "Salle": self.room,
            "Materiel": self.equipment_item,
            "Eleve": self.student,
            "Cours": self.session,
        }

    # -- helpers -------------------------------------------------------------------------

    def local(self, tag: object) -> str:
        """Local name of a tag, cached (namespace or not)."""
        if not isinstance(tag, str):
            return ""
        name = self.locals.get(tag)
        if name is None:
            name = sys.intern(tag.rpartition("}")[2])
            self.locals[tag] = name
        return name

    def warn(self, code: str, message: str, line: int | None = None) -> None:
        self.warnings.append(ExportWarning(code=code, message=message, line=line))

    def ident(self, el: etree._Element, what: str) -> str | None:
        value = el.get("Ident")
        if value is None or not value.strip():
            self.warn("bad_value", f"<{what}> without Ident skipped", el.sourceline)
            return None
        return sys.intern(value.strip())

    def date_attr(self, el: etree._Element, name: str) -> date | None:
        value = el.get(name)
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
                f"{name}={value!r} on <{self.local(el.tag)}> is not a date (ignored)",
                el.sourceline,
            )
        self.dates[value] = parsed
        return parsed

    def mask_attr(self, el: etree._Element, *names: str) -> int:
        for name in names:
            value = el.get(name)
            if value is not None:
                break
        else:
            self.warn(
                "bad_value",
                f"<{self.local(el.tag)} Ident={el.get('Ident')!r}> has no {names[0]} week mask "
                "(it never occurs)",
                el.sourceline,
            )
            return 0
        mask = self.masks.get(value)
        if mask is None:
            try:
                mask = parse_mask(value)
            except ValueError:
                self.warn(
                    "bad_value",
                    f"{name}={value!r} on <{self.local(el.tag)}> is not a week mask "
                    "(it never occurs)",
                    el.sourceline,
                )
                return 0
            self.masks[value] = mask
        return mask

    def int_attr(self, el: etree._Element, name: str) -> int | None:
        value = el.get(name)
        try:
            return int(value) if value is not None else None
        except ValueError:
            return None

    def refer(self, kind: str, ident: str, line: int | None, who: str) -> None:
        key = (kind, ident)
        found = self.references.get(key)
        if found is None:
            self.references[key] = (line, who, 1)
        else:
            self.references[key] = (found[0], found[1], found[2] + 1)

    def add(self, table: dict, ident: str, value: object, what: str, line: int | None) -> None:
        if ident in table:
            self.warn(
                "duplicate_ident",
                f"{what} Ident {ident} declared twice: the first one is kept",
                line,
            )
            return
        table[ident] = value

    def unknown_entry(self, section: str, el: etree._Element) -> None:
        name = self.local(el.tag)
        if (section, name) not in self.unknown_entries:
            self.unknown_entries.add((section, name))
            self.warn(
                "unknown_element",
                f"unknown element <{name}> in <{section}> skipped",
                el.sourceline,
            )

    # -- whole sections --------------------------------------------------------------------

    def school_year_section(self, el: etree._Element) -> None:
        try:
            start = _parse_date(el.get("DateDebut") or "")
            end = _parse_date(el.get("DateFin") or "")
            monday = _parse_date(el.get("DatePremierJourSemaine1") or "")
        except ValueError:
            self.warn(
                "bad_value",
                "<AnneeScolaire> has missing or invalid DateDebut/DateFin/"
                "DatePremierJourSemaine1: no occurrence can be dated",
                el.sourceline,
            )
            return
        self.school_year = SchoolYear(start=start, end=end, week1_monday=monday)

    def time_grid_section(self, el: etree._Element) -> None:
        days: list[int] = []
        slots: dict[int, Slot] = {}
        for part in el:
            name = self.local(part.tag)
            if name == "JoursOuvres":
                for day in part:
                    try:
                        days.append(int((day.text or "").strip()))
                    except ValueError:
                        self.warn("bad_value", f"<Jour>{day.text}</Jour> ignored", day.sourceline)
            elif name == "PlacesParJour":
                for place in part:
                    try:
                        number = int(place.get("Numero") or "")
                        slot = Slot(
                            number,
                            _parse_time(place.get("LibelleHeureDebut") or ""),
                            _parse_time(place.get("LibelleHeureFin") or ""),
                        )
                    except ValueError:
                        self.warn(
                            "bad_value",
                            "<Place> with a missing or invalid Numero or time label ignored",
                            place.sourceline,
                        )
                        continue
                    slots[number] = slot
        self.time_grid = TimeGrid(
            slots_per_day=self.int_attr(el, "NombrePlacesParJour"),
            slot_minutes=self.int_attr(el, "DureePlace"),
            working_days=tuple(days),
            slots=frozen_map(dict(sorted(slots.items()))),
        )

    # -- entries ---------------------------------------------------------------------------

    def subject(self, el: etree._Element) -> None:
        ident = self.ident(el, "Matiere")
        if ident is not None:
            code = (el.get("Code") or "").strip()
            label = (el.get("Libelle") or "").strip()
            self.add(self.subjects, ident, Subject(ident, code, label), "Matiere", el.sourceline)

    def teacher(self, el: etree._Element) -> None:
        ident = self.ident(el, "Professeur")
        if ident is None:
            return
        get = el.get
        teacher = Teacher(
            ident,
            (get("Nom") or "").strip(),
            (get("Prenom") or "").strip(),
            birth_date=self.date_attr(el, "DateNaissance"),
            idpn=_clean(get("IDPN")),
            idcas=_clean(get("IDCAS")),
            idsts=_clean(get("IDSTS")),
            postcode=_clean(get("CodePostal")),
        )
        self.add(self.teachers, ident, teacher, "Professeur", el.sourceline)

    def staff_member(self, el: etree._Element) -> None:
        ident = self.ident(el, "Personnel")
        if ident is None:
            return
        get = el.get
        member = StaffMember(
            ident,
            (get("Nom") or "").strip(),
            (get("Prenom") or "").strip(),
            idpn=_clean(get("IDPN")),
            idcas=_clean(get("IDCAS")),
        )
        self.add(self.staff, ident, member, "Personnel", el.sourceline)

    def school_class(self, el: etree._Element) -> None:
        ident = self.ident(el, "Classe")
        if ident is None:
            return
        parts: list[str] = []
        main_teachers: list[str] = []
        for child in el:
            name = self.local(child.tag)
            if name == "PartieDeClasse":
                part = self.ident(child, "PartieDeClasse")
                if part is None:
                    continue
                parts.append(part)
                self.add(
                    self.class_parts,
                    part,
                    ClassPart(part, ident, _clean(child.get("Nom"))),
                    "PartieDeClasse",
                    child.sourceline,
                )
            elif name == "ProfesseurPrincipal":
                teacher = self.ident(child, "ProfesseurPrincipal")
                if teacher is not None:
                    main_teachers.append(teacher)
                    self.refer("teacher", teacher, child.sourceline, f"class {ident}")
            elif name:
                self.unknown_entry("Classe", child)
        school_class = SchoolClass(
            ident, (el.get("Nom") or "").strip(), tuple(parts), tuple(main_teachers)
        )
        self.add(self.classes, ident, school_class, "Classe", el.sourceline)

    def group(self, el: etree._Element) -> None:
        ident = self.ident(el, "Groupe")
        if ident is None:
            return
        members: dict[str, list[str]] = {"Classe": [], "PartieDeClasse": [], "Eleve": []}
        kinds = {"Classe": "class", "PartieDeClasse": "class_part", "Eleve": "student"}
        for child in el:
            name = self.local(child.tag)
            bucket = members.get(name)
            if bucket is None:
                if name:
                    self.unknown_entry("Groupe", child)
                continue
            member = self.ident(child, name)
            if member is not None:
                bucket.append(member)
                self.refer(kinds[name], member, child.sourceline, f"group {ident}")
        group = Group(
            ident,
            (el.get("Nom") or "").strip(),
            tuple(members["Classe"]),
            tuple(members["PartieDeClasse"]),
            tuple(members["Eleve"]),
        )
        self.add(self.groups, ident, group, "Groupe", el.sourceline)

    def room(self, el: etree._Element) -> None:
        ident = self.ident(el, "Salle")
        if ident is not None:
            room = Room(ident, (el.get("Nom") or "").strip())
            self.add(self.rooms, ident, room, "Salle", el.sourceline)

    def equipment_item(self, el: etree._Element) -> None:
        ident = self.ident(el, "Materiel")
        if ident is not None:
            item = Equipment(ident, (el.get("Nom") or "").strip())
            self.add(self.equipment, ident, item, "Materiel", el.sourceline)

    def student(self, el: etree._Element) -> None:
        ident = self.ident(el, "Eleve")
        if ident is None:
            return
        guardians: list[Guardian] = []
        classes: list[DatedMembership] = []
        parts: list[DatedMembership] = []
        who = f"student {ident}"
        for child in el:
            name = self.local(child.tag)
            if name == "Classe" or name == "PartieDeClasse":
                member = self.ident(child, name)
                if member is None:
                    continue
                membership = DatedMembership(
                    member,
                    self.date_attr(child, "DateEntree"),
                    self.date_attr(child, "DateSortie"),
                )
                if name == "Classe":
                    classes.append(membership)
                    self.refer("class", member, child.sourceline, who)
                else:
                    parts.append(membership)
                    self.refer("class_part", member, child.sourceline, who)
            elif name == "Responsable":
                guardian_ident = self.ident(child, "Responsable")
                if guardian_ident is None:
                    continue
                get = child.get
                guardians.append(
                    Guardian(
                        guardian_ident,
                        self.int_attr(child, "RespLegal"),
                        (get("Nom") or "").strip(),
                        (get("Prenom") or "").strip(),
                        civility=_clean(get("Civilite")),
                        idpn=_clean(get("IDPN")),
                        idcas=_clean(get("IDCAS")),
                    )
                )
            elif name:
                self.unknown_entry("Eleve", child)
        get = el.get
        student = Student(
            ident,
            (get("Nom") or "").strip(),
            (get("Prenom") or "").strip(),
            birth_date=self.date_attr(el, "DateNaissance"),
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
        self.add(self.students, ident, student, "Eleve", el.sourceline)

    def session(self, el: etree._Element) -> None:
        number = len(self.sessions) + 1
        line = el.sourceline
        day = self.int_attr(el, "Jour")
        start = self.int_attr(el, "NumeroPlaceDebut")
        count = self.int_attr(el, "NombrePlaces")
        if day is None or start is None or count is None:
            self.warn(
                "bad_value",
                f"session #{number} has a missing or invalid Jour/NumeroPlaceDebut/NombrePlaces "
                "and is skipped",
                line,
            )
            self.sessions.append(Session(number, line, 0, 0, 0, None))
            return
        cancelled_text = el.get("SemainesAnnulation")
        cancelled = 0
        if cancelled_text is not None:
            cancelled = self.mask_attr(el, "SemainesAnnulation")
        subject: str | None = None
        items: list[SessionItem] = []
        who = f"session #{number}"
        for child in el:
            name = self.local(child.tag)
            if name == "Matiere":
                ident = self.ident(child, "Matiere")
                if ident is None:
                    continue
                if subject is None:
                    subject = ident
                    self.refer("subject", ident, child.sourceline, who)
                else:
                    self.warn(
                        "bad_value",
                        f"{who} has a second <Matiere> (Ident {ident}), ignored",
                        child.sourceline,
                    )
                continue
            kind = _ITEM_KINDS.get(name)
            if kind is None:
                if name:
                    self.unknown_entry("Cours", child)
                continue
            ident = self.ident(child, name)
            if ident is None:
                continue
            weeks = self.mask_attr(child, "Semaines", "SemainesInclusion")
            items.append(SessionItem(kind, ident, weeks))
            self.refer(_KIND_TYPES[kind], ident, child.sourceline, who)
        if subject is None:
            self.warn("bad_value", f"{who} has no <Matiere>", line)
        grid = self.time_grid
        if grid is not None and grid.working_days and day not in grid.working_days:
            self.warn(
                "outside_working_days",
                f"{who} is on day {day}, which is not a working day of the time grid",
                line,
            )
        self.sessions.append(
            Session(number, line, day, start, count, subject, tuple(items), cancelled)
        )

    # -- end of document -------------------------------------------------------------------

    def resolve_references(self) -> None:
        tables = {
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
        for (kind, ident), (line, who, uses) in self.references.items():
            if ident not in tables[kind]:
                more = f" and {uses - 1} other place(s)" if uses > 1 else ""
                self.warn(
                    "dangling_reference",
                    f"{_TYPE_NAMES[kind]} Ident {ident} is used by {who}{more} "
                    "but declared nowhere",
                    line,
                )

    def timetable(self, root: etree._Element | None) -> Timetable:
        for section, label in (("AnneeScolaire", "school year"), ("GrilleHoraire", "time grid")):
            if section not in self.seen_sections:
                self.warn(
                    "missing_section",
                    f"<{section}> ({label}) is missing: lessons cannot be dated",
                )
        self.resolve_references()
        version = uai = None
        if root is not None:
            version, uai = _clean(root.get("Version")), _clean(root.get("UAI"))
        return Timetable(
            version=version,
            uai=uai,
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
            sessions=tuple(self.sessions),
            warnings=tuple(self.warnings),
        )


def parse_timetable(data: bytes, *, source_name: str | None = None) -> Timetable:
    """Parse a cleartext `ExportEmploiDuTemps` document (bytes, any BOM) into a `Timetable`."""
    root_name = root_local_name(data, source=source_name)
    if root_name != TIMETABLE_ROOT:
        raise NotAnExportError(
            f"root element <{root_name}> is not a PRONOTE/EDT timetable export"
            if root_name
            else "the file contains no XML element",
            source=source_name,
        )
    builder = _Builder(source_name)
    local = builder.local
    handlers = builder.entry_handlers
    context = etree.iterparse(io.BytesIO(data), events=("end",), **SAFE_PARSER_OPTIONS)
    root: etree._Element | None = None
    try:
        for _event, el in context:
            parent = el.getparent()
            if parent is None:
                root = el
                continue
            grandparent = parent.getparent()
            if grandparent is None:
                builder_section_end(builder, el, local(el.tag))
                el.clear()
                continue
            if grandparent.getparent() is not None:
                continue  # inside an entry: read with the entry
            section = local(parent.tag)
            if section == "Cours" and parent.get("Jour") is not None:
                continue  # child of a session written directly under the root
            entry_name = _SECTIONS_WITH_ENTRIES.get(section)
            if entry_name is None:
                if section not in _WHOLE_SECTIONS:
                    el.clear()  # inside an unknown section: skipped with it
                    while el.getprevious() is not None:
                        del parent[0]
                continue
            name = local(el.tag)
            if name == entry_name:
                handlers[name](el)
            elif name:
                builder.unknown_entry(section, el)
            el.clear()
            while el.getprevious() is not None:
                del parent[0]
    except etree.XMLSyntaxError as exc:
        raise MalformedXmlError(
            f"the timetable is not well-formed XML ({exc.msg})",
            source=source_name,
            line=exc.lineno,
        ) from None
    return builder.timetable(root)


def builder_section_end(builder: _Builder, el: etree._Element, name: str) -> None:
    """A top-level section closed: whole sections are read now, unknown ones reported."""
    builder.seen_sections.add(name)
    if name == "AnneeScolaire":
        builder.school_year_section(el)
    elif name == "GrilleHoraire":
        builder.time_grid_section(el)
    elif name == "Cours" and el.get("Jour") is not None:
        builder.session(el)  # a session directly under the root, without the container
    elif name not in _SECTIONS_WITH_ENTRIES and name:
        builder.warn(
            "unknown_section",
            f"unknown section <{name}> skipped with everything inside it",
            el.sourceline,
        )
