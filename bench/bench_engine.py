"""Benchmark of the import engine on a large lycée (issue 4 §5).

Full plan from a parsed export (≤ 2 s on 2 cores, peak ≤ 500 MB), then a re-plan against an ENT
that already holds that import (≤ 2 s), on a synthetic lycée built here (2,000 students,
3,000 weekly sessions over a full year).

    .venv/bin/python bench/bench_engine.py [--students 2000] [--seed 7]
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import time
import tracemalloc
from collections import Counter
from datetime import date, datetime
from datetime import time as clock
from zoneinfo import ZoneInfo

from edt_tui.engine.apply import apply_actions
from edt_tui.engine.model import (
    DirectoryUser,
    EntState,
    Profile,
    ReferentialClass,
    ReferentialSubject,
    UserSource,
)
from edt_tui.engine.plan import Plan, build_plan
from edt_tui.engine.selection import Selection
from edt_tui.pronote.model import (
    ClassPart,
    DatedMembership,
    Group,
    ItemKind,
    Room,
    SchoolClass,
    SchoolYear,
    Session,
    SessionItem,
    Slot,
    Student,
    Subject,
    Teacher,
    TimeGrid,
    Timetable,
    frozen_map,
)

UAI = "0490856P"
ZONE = "Europe/Paris"
T = datetime(2026, 11, 28, 12, 0, tzinfo=ZoneInfo(ZONE))
YEAR = SchoolYear(date(2026, 9, 1), date(2027, 7, 4), date(2026, 8, 31))
HOLIDAYS = {8, 9, 17, 18, 26, 27, 34, 35}
YEAR_MASK = sum(1 << w for w in range(1, 45) if w not in HOLIDAYS)
WEEK_A = sum(1 << w for w in range(1, 45, 2) if w not in HOLIDAYS)
WEEK_B = YEAR_MASK & ~WEEK_A
SUBJECTS = [
    "FRANCAIS",
    "MATHEMATIQUES",
    "HISTOIRE-GEOGRAPHIE",
    "ANGLAIS LV1",
    "ESPAGNOL LV2",
    "ALLEMAND LV2",
    "PHYSIQUE-CHIMIE",
    "SVT",
    "EPS",
    "SES",
    "PHILOSOPHIE",
    "SNT",
    "ENS. MORAL & CIVIQUE",
    "ENSEIGN.SCIENTIFIQUE",
    "LCA LATIN",
    "ARTS PLASTIQUES",
]
LAST = [
    "MARTIN",
    "BERNARD",
    "DUBOIS",
    "THOMAS",
    "ROBERT",
    "RICHARD",
    "PETIT",
    "DURAND",
    "LEROY",
    "MOREAU",
    "SIMON",
    "LAURENT",
    "LEFEBVRE",
    "MICHEL",
    "GARCIA",
    "DAVID",
    "BERTRAND",
    "ROUX",
    "VINCENT",
    "FOURNIER",
    "MOREL",
    "GIRARD",
    "ANDRE",
    "LEFEVRE",
    "MERCIER",
    "DUPONT",
    "LAMBERT",
    "BONNET",
    "FRANCOIS",
    "MARTINEZ",
    "LE GALL",
    "N'DIAYE",
    "DALLAOUI",
]
FIRST = [
    "Léa",
    "Hugo",
    "Chloé",
    "Lucas",
    "Emma",
    "Louis",
    "Inès",
    "Jules",
    "Manon",
    "Adam",
    "Zoé",
    "Noé",
    "Jade",
    "Éloïse",
    "Nathan",
    "Yasmine",
    "Timéo",
    "Lina",
    "Maël",
    "Anaïs",
]


def synthetic_lycee(students: int, seed: int) -> tuple[Timetable, list[DirectoryUser]]:
    """~33 students a class, 35 class sessions a week each, language groups: ~3,000 sessions."""
    rng = random.Random(seed)
    n_classes = max(1, students // 33)
    classes = {
        f"c{i}": SchoolClass(
            f"c{i}", f"{2 + i % 2}{'nde' if i % 2 == 0 else 'ERE'}{i}", (f"p{i}a", f"p{i}b")
        )
        for i in range(n_classes)
    }
    parts = {p: ClassPart(p, c.ident, p) for c in classes.values() for p in c.part_idents}
    teachers = {
        f"t{i}": Teacher(f"t{i}", rng.choice(LAST), rng.choice(FIRST).upper(), idpn=f"PNT{i:013d}")
        for i in range(students // 13)
    }
    subjects = {str(i): Subject(str(i), s[:5].replace(" ", ""), s) for i, s in enumerate(SUBJECTS)}
    rooms = {f"r{i}": Room(f"r{i}", f"S{i:03d}") for i in range(80)}
    pupils: dict[str, Student] = {}
    class_ids = list(classes)
    for i in range(students):
        c = class_ids[i % n_classes]
        part = classes[c].part_idents[i % 2]
        left = date(2027, 1, 15) if rng.random() < 0.02 else None
        pupils[f"s{i}"] = Student(
            f"s{i}",
            rng.choice(LAST),
            rng.choice(FIRST),
            date(2009 + i % 3, 1 + i % 12, 1 + i % 28),
            idpn=f"PNE{i:013d}",
            class_memberships=(DatedMembership(c, date(2026, 9, 1), left),),
            part_memberships=(DatedMembership(part, date(2026, 9, 1), left),),
        )
    groups: dict[str, Group] = {}
    for i in range(0, n_classes - 1, 2):
        for k, subject in enumerate(("ESPAGNOL LV2", "ALLEMAND LV2", "LCA LATIN")):
            gid = f"g{i}-{k}"
            groups[gid] = Group(
                gid, f"{subject[:3]}{i}-{i + 1}", class_idents=(f"c{i}", f"c{i + 1}")
            )
    teacher_ids, room_ids = list(teachers), list(rooms)
    sessions: list[Session] = []

    def add(subject: str, items: list[SessionItem]) -> None:
        day, slot = rng.randint(1, 5), rng.randint(0, 8)
        teacher = rng.choice(teacher_ids)
        extra = [
            SessionItem(ItemKind.TEACHER, teacher, YEAR_MASK),
            SessionItem(ItemKind.ROOM, rng.choice(room_ids), WEEK_A),
            SessionItem(ItemKind.ROOM, rng.choice(room_ids), WEEK_B),
        ]
        if rng.random() < 0.05:  # a substitute for a few weeks
            extra.append(
                SessionItem(ItemKind.TEACHER, rng.choice(teacher_ids), 1 << rng.randint(10, 30))
            )
        sessions.append(
            Session(
                len(sessions) + 1,
                None,
                day,
                slot,
                rng.choice((1, 1, 2)),
                subject,
                tuple(items + extra),
                1 << rng.randint(1, 44) if rng.random() < 0.1 else 0,
            )
        )

    for c in classes.values():
        for n in range(35):
            subject = str(n % 13)
            if n % 5 == 4:  # split class: two half-class groups on alternate weeks
                add(
                    subject,
                    [
                        SessionItem(ItemKind.CLASS, c.ident, WEEK_A),
                        SessionItem(ItemKind.CLASS_PART, c.part_idents[0], WEEK_A),
                    ],
                )
            else:
                add(subject, [SessionItem(ItemKind.CLASS, c.ident, YEAR_MASK)])
    for g in groups.values():
        for _ in range(10):
            add(
                str(SUBJECTS.index("ESPAGNOL LV2") + rng.randint(0, 1)),
                [SessionItem(ItemKind.GROUP, g.ident, YEAR_MASK)],
            )
    grid = TimeGrid(
        10,
        60,
        (1, 2, 3, 4, 5),
        frozen_map({n: Slot(n, clock(8 + n), clock(8 + n, 55)) for n in range(10)}),
    )
    timetable = Timetable(
        "1.1",
        UAI,
        YEAR,
        grid,
        frozen_map(subjects),
        frozen_map(teachers),
        frozen_map({}),
        frozen_map(classes),
        frozen_map(parts),
        frozen_map(groups),
        frozen_map(rooms),
        frozen_map({}),
        frozen_map(pupils),
        tuple(sessions),
    )
    directory: list[DirectoryUser] = []
    for t in teachers.values():
        directory.append(
            DirectoryUser(f"ent-{t.ident}", Profile.TEACHER, t.last_name, t.first_name)
        )
    for s in pupils.values():
        last = s.last_name + ("L" if rng.random() < 0.03 else "")  # a few typos → suggestions
        directory.append(
            DirectoryUser(
                f"ent-{s.ident}",
                Profile.STUDENT,
                last,
                s.first_name,
                s.birth_date,
                source=UserSource.CSV,
            )
        )
    return timetable, directory


def load(students: int, seed: int) -> tuple[Timetable, list[DirectoryUser], str]:
    timetable, directory = synthetic_lycee(students, seed)
    return timetable, directory, "synthetic lycée (bench/bench_engine.py)"


def plan(timetable: Timetable, directory: list[DirectoryUser], ent: EntState) -> Plan:
    return build_plan(
        timetable,
        uai=UAI,
        timezone=ZONE,
        reference_time=T,
        directory=directory,
        referential_subjects=[ReferentialSubject(s) for s in SUBJECTS[:12]],
        referential_classes=[ReferentialClass(c.name) for c in timetable.classes.values()],
        ent_state=ent,
        selection=Selection.default(),
        add_unknown_subjects=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    timetable, directory, source = load(args.students, args.seed)
    print(
        f"data: {source}: {len(timetable.students)} students, {len(timetable.teachers)} teachers,"
        f" {len(timetable.classes)} classes, {len(timetable.groups)} groups,"
        f" {len(timetable.sessions)} sessions"
    )
    empty = EntState({}, frozenset(), {})
    gc.collect()
    tracemalloc.start()
    started = time.perf_counter()
    first = plan(timetable, directory, empty)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    counts = Counter(a.type.value for a in first.actions)
    events = sum(len(c.events) for c in first.courses)
    print(f"full plan: {elapsed:.2f} s traced (tracemalloc slows it down)")
    print(f"  peak traced memory {peak / 2**20:.0f} MB (budget 500 MB)")
    print(
        f"  {len(first.courses)} courses, {events} events ({counts['create_event']} future),"
        f" {len(first.actions)} actions: {dict(sorted(counts.items()))}"
    )
    print(f"  people: teachers {first.teacher_count}, students {first.student_count}")
    # Timed without tracemalloc too (tracing slows allocation-heavy code).
    started = time.perf_counter()
    first = plan(timetable, directory, empty)
    print(f"full plan: {time.perf_counter() - started:.2f} s (budget 2 s)")
    started = time.perf_counter()
    ent = apply_actions(empty, first.actions)
    print(f"apply_actions: {time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    again = plan(timetable, directory, ent)
    elapsed = time.perf_counter() - started
    print(f"re-plan against the imported ENT: {elapsed:.2f} s (budget 2 s)")
    print(f"  {len(again.actions)} actions")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS (data, two plans and the ENT state alive): {rss:.0f} MB")


if __name__ == "__main__":
    main()
