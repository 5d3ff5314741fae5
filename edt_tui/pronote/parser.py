"""Streaming, hardened parse of the cleartext `ExportEmploiDuTemps` into the immutable model.

Real exports never carry a DOCTYPE: any DTD or entity declaration is refused before libxml2 sees
it (billion laughs, XXE), and the parser runs with entity resolution, DTD loading and network off
and the default size limits (no huge_tree). Entries (`Eleve`, `Cours`…) are turned into model
objects on their end event and freed at once, so memory stays flat whatever the file size.
Everything odd but survivable becomes an `ExportWarning`; only unreadable XML raises.
"""

from __future__ import annotations

import codecs
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
    """`HH:MM:SS`, `HH:MM` or `H:MM` slot label; ValueError otherwise."""
    parts = value.strip().split(":")
    if not 2 <= len(parts) <= 3 or not all(p.isdigit() and p.isascii() for p in parts):
        raise ValueError(f"not a time: {value!r}")
    return time(*(int(p) for p in parts))


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
_STREAMED = {"Eleves": "Eleve", "Cours": "Cours"}
"""The big sections: each entry is read and freed on its own end event."""
_KNOWN_SECTIONS = frozenset((*_SECTIONS_WITH_ENTRIES, *_WHOLE_SECTIONS))
_EVENT_TAGS = [f"{{*}}{name}" for name in (*_KNOWN_SECTIONS, "Eleve")]
"""Only these end events reach Python; small sections are read as a whole when they end."""
FEED_BYTES = 1 << 20
"""The document is fed to libxml2 in slices of this size; entries are freed as they end."""
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
        self.refs: dict[tuple[str, str], tuple[int | None, str]] = {}
        # Shared immutable values: the same membership or session item recurs a lot.
        self.memberships: dict[tuple[str, str | None, str | None, str | None], DatedMembership] = {}
        self.items: dict[tuple[str, str | None, str | None], SessionItem] = {}
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
        """Remember the first place referring to (kind, ident); checked once parsing is done."""
        if (kind, ident) not in self.refs:
            self.refs[(kind, ident)] = (line, who)

    def add(self, table: dict, ident: str, value: object, what: str, line: int | None) -> None:
        if ident in table:
            self.warn(
                "duplicate_ident",
                f"{what} Ident {ident} declared twice: the first one is kept",
                line,
            )
            return
        table[ident] = value

    def unknown_section(self, el: etree._Element, name: str) -> None:
        self.warn(
            "unknown_section",
            f"unknown section <{name}> skipped with everything inside it",
            el.sourceline,
        )

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
        get = el.get
        ident = self.ident(el, "Eleve")
        if ident is None:
            return
        guardians: list[Guardian] = []
        classes: list[DatedMembership] = []
        parts: list[DatedMembership] = []
        locals_, memo, refs = self.locals, self.memberships, self.refs
        for child in el:
            tag = child.tag
            name = locals_.get(tag) or self.local(tag)
            if name == "Classe" or name == "PartieDeClasse":
                cget = child.get
                key = (name, cget("Ident"), cget("DateEntree"), cget("DateSortie"))
                membership = memo.get(key)
                if membership is None:
                    member = self.ident(child, name)
                    if member is None:
                        continue
                    membership = DatedMembership(
                        member,
                        self.date_attr(child, "DateEntree"),
                        self.date_attr(child, "DateSortie"),
                    )
                    memo[key] = membership
                    ref = ("class" if name == "Classe" else "class_part", member)
                    if ref not in refs:
                        refs[ref] = (child.sourceline, f"student {ident}")
                if name == "Classe":
                    classes.append(membership)
                else:
                    parts.append(membership)
            elif name == "Responsable":
                guardian_ident = self.ident(child, "Responsable")
                if guardian_ident is None:
                    continue
                cget = child.get
                guardians.append(
                    Guardian(
                        guardian_ident,
                        self.int_attr(child, "RespLegal"),
                        (cget("Nom") or "").strip(),
                        (cget("Prenom") or "").strip(),
                        civility=_clean(cget("Civilite")),
                        idpn=_clean(cget("IDPN")),
                        idcas=_clean(cget("IDCAS")),
                    )
                )
            elif name:
                self.unknown_entry("Eleve", child)
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
        if ident in self.students:
            self.add(self.students, ident, student, "Eleve", el.sourceline)
        else:
            self.students[ident] = student

    def session_item(
        self, child: etree._Element, name: str, number: int, line: int | None
    ) -> SessionItem | None:
        """A new (kind, ident, mask) item of a session, or None (reported) if unusable."""
        kind = _ITEM_KINDS.get(name)
        if kind is None:
            if name:
                self.unknown_entry("Cours", child)
            return None
        ident = self.ident(child, name)
        if ident is None:
            return None
        ref = (_KIND_TYPES[kind], ident)
        if ref not in self.refs:
            self.refs[ref] = (line, f"session #{number}")
        return SessionItem(kind, ident, self.mask_attr(child, "Semaines", "SemainesInclusion"))

    def session(self, el: etree._Element) -> None:
        number = len(self.sessions) + 1
        line = el.sourceline
        get = el.get
        try:
            day = int(get("Jour"))  # type: ignore[arg-type]
            start = int(get("NumeroPlaceDebut"))  # type: ignore[arg-type]
            count = int(get("NombrePlaces"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            self.warn(
                "bad_value",
                f"session #{number} has a missing or invalid Jour/NumeroPlaceDebut/NombrePlaces "
                "and is skipped",
                line,
            )
            self.sessions.append(Session(number, line, 0, 0, 0, None))
            return
        cancelled = 0
        if get("SemainesAnnulation") is not None:
            cancelled = self.mask_attr(el, "SemainesAnnulation")
        subject: str | None = None
        items: list[SessionItem] = []
        locals_, memo = self.locals, self.items
        for child in el:
            tag = child.tag
            name = locals_.get(tag) or self.local(tag)
            cget = child.get
            if name == "Matiere":
                ident = (cget("Ident") or "").strip()
                if subject is None and ident:
                    subject = ident
                    if ("subject", ident) not in self.refs:
                        self.refs[("subject", ident)] = (line, f"session #{number}")
                elif ident:
                    self.warn(
                        "bad_value",
                        f"session #{number} has a second <Matiere> (Ident {ident}), ignored",
                        child.sourceline,
                    )
                else:
                    self.ident(child, "Matiere")
                continue
            mask_text = cget("Semaines")
            if mask_text is None:
                mask_text = cget("SemainesInclusion")
            key = (name, cget("Ident"), mask_text)
            item = memo.get(key)
            if item is None:
                item = self.session_item(child, name, number, child.sourceline)
                if item is None:
                    continue
                if mask_text is not None and item.weeks:
                    memo[key] = item  # reported problems are reported at every occurrence
            items.append(item)
        if subject is None:
            self.warn("bad_value", f"session #{number} has no <Matiere>", line)
        working_days = self.time_grid.working_days if self.time_grid is not None else ()
        if working_days and day not in working_days:
            self.warn(
                "outside_working_days",
                f"session #{number} is on day {day}, which is not a working day of the time grid",
                line,
            )
        self.sessions.append(
            Session(number, line, day, start, count, subject, tuple(items), cancelled)
        )

    # -- end of document -------------------------------------------------------------------

    def count_uses(self, kind: str, ident: str) -> int:
        """How many places refer to a dangling ident (only computed for dangling ones)."""
        uses = 0
        if kind == "subject":
            uses += sum(1 for s in self.sessions if s.subject_ident == ident)
        if kind in ("class", "class_part"):
            for student in self.students.values():
                memberships = (
                    student.class_memberships if kind == "class" else student.part_memberships
                )
                uses += any(m.ident == ident for m in memberships)
        for session in self.sessions:
            uses += any(_KIND_TYPES[i.kind] == kind and i.ident == ident for i in session.items)
        for group in self.groups.values():
            members = {"class": group.class_idents, "class_part": group.part_idents}
            uses += ident in members.get(kind, group.student_idents if kind == "student" else ())
        if kind == "teacher":
            uses += sum(ident in c.main_teacher_idents for c in self.classes.values())
        return uses

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
        for (kind, ident), (line, who) in self.refs.items():
            if ident not in tables[kind]:
                uses = self.count_uses(kind, ident)
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
    parser = etree.XMLPullParser(events=("end",), tag=_EVENT_TAGS, **SAFE_PARSER_OPTIONS)
    root: etree._Element | None = None
    try:
        for offset in range(0, len(data), FEED_BYTES):
            parser.feed(data[offset : offset + FEED_BYTES])
            for _event, el in parser.read_events():
                parent = el.getparent()
                if parent is None:
                    continue
                grandparent = parent.getparent()
                if grandparent is None:  # a section under the root
                    root = parent
                    _section_end(builder, el, local(el.tag))
                    el.clear()
                    _free_previous(builder, el, parent, None)
                    continue
                if grandparent.getparent() is not None:
                    continue  # e.g. Eleve inside a Groupe: read with its entry
                section = local(parent.tag)
                entry_name = _STREAMED.get(section)
                if entry_name is None or local(el.tag) != entry_name:
                    continue  # inside an unknown section, or inside a session without container
                handlers[entry_name](el)
                el.clear()
                _free_previous(builder, el, parent, section)
        closed = parser.close()
    except etree.XMLSyntaxError as exc:
        raise MalformedXmlError(
            f"the timetable is not well-formed XML ({exc.msg})",
            source=source_name,
            line=exc.lineno,
        ) from None
    root = closed if root is None else root
    for section in root:
        name = local(section.tag)
        if name and name not in _KNOWN_SECTIONS:
            builder.unknown_section(section, name)
    return builder.timetable(root)


def _free_previous(
    builder: _Builder, el: etree._Element, parent: etree._Element, section: str | None
) -> None:
    """Drop the siblings before `el` (already read), reporting those nobody read."""
    local = builder.local
    while el.getprevious() is not None:
        previous = parent[0]
        name = local(previous.tag)
        if section is None:
            if name and name not in _KNOWN_SECTIONS:
                builder.unknown_section(previous, name)
        elif name != _STREAMED[section] and name:
            builder.unknown_entry(section, previous)
        del parent[0]


def _section_end(builder: _Builder, el: etree._Element, name: str) -> None:
    """A top-level section closed: read what was not streamed, report unknown entries."""
    if name not in _KNOWN_SECTIONS:
        return  # e.g. an <Eleve> right under the root: reported with the unknown sections
    builder.seen_sections.add(name)
    if name == "AnneeScolaire":
        builder.school_year_section(el)
    elif name == "GrilleHoraire":
        builder.time_grid_section(el)
    elif name == "Cours" and el.get("Jour") is not None:
        builder.session(el)  # a session directly under the root, without the container
    elif name in _STREAMED:
        entry_name = _STREAMED[name]
        local = builder.local
        for entry in el:
            entry_local = local(entry.tag)
            if entry_local != entry_name and entry_local:
                builder.unknown_entry(name, entry)
    else:
        entry_name = _SECTIONS_WITH_ENTRIES[name]
        handler = builder.entry_handlers[entry_name]
        local = builder.local
        for entry in el:
            entry_local = local(entry.tag)
            if entry_local == entry_name:
                handler(entry)
            elif entry_local:
                builder.unknown_entry(name, entry)
