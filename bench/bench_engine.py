"""Benchmark of the import engine on a large lycée (issue 4 §5).

Generates the lycée with `edt_tui.pronote.generator` (2,000 students by default), parses its plain
export, then times: the full plan against an empty ENT (budget ≤ 2 s on 2 cores, peak ≤ 500 MB),
`apply_actions`, and a re-plan against the ENT holding that import (≤ 2 s, zero actions).
Then the import guards: the mass-deletion verdict alone (their only cost on an ordinary plan, goal
≤ 5 % of the plan), and a re-plan after PRONOTE regenerated every IDPN (every account's relink
pending: zero actions).

    .venv/bin/python bench/bench_engine.py [--students 2000] [--seed 7] [--repeat 5]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
import tracemalloc
from collections import Counter
from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from edt_tui.engine.apply import apply_actions
from edt_tui.engine.diff import index_ent
from edt_tui.engine.guards import assess_deletions
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
from edt_tui.pronote.generator import GeneratedEstablishment, generate_establishment
from edt_tui.pronote.model import Timetable, frozen_map
from edt_tui.pronote.reader import read_export

ZONE = "Europe/Paris"
T = datetime(2026, 11, 28, 12, 0, tzinfo=ZoneInfo(ZONE))


def directory_of(generated: GeneratedEstablishment) -> list[DirectoryUser]:
    return [
        DirectoryUser(
            sync_id=row["sync_id"],
            profile=Profile(row["profile"]),
            last_name=row["last_name"],
            first_name=row["first_name"],
            birth_date=date.fromisoformat(row["birth_date"]) if row["birth_date"] else None,
            cas_login=row["cas_login"] or None,
            source=UserSource(row["source"]),
        )
        for row in generated.directory.users
    ]


def plan(
    generated: GeneratedEstablishment,
    timetable: Timetable,
    directory: list[DirectoryUser],
    ent: EntState,
) -> Plan:
    return build_plan(
        timetable,
        uai=generated.uai,
        timezone=ZONE,
        reference_time=T,
        directory=directory,
        referential_subjects=[
            ReferentialSubject(r["name"], r["code"] or None) for r in generated.directory.subjects
        ],
        referential_classes=[ReferentialClass(r["name"]) for r in generated.directory.classes],
        ent_state=ent,
        selection=Selection.default(),
    )


def regenerated(timetable: Timetable) -> Timetable:
    """Every IDPN replaced, nothing else changed (a PRONOTE version switch)."""
    def new(idpn: str | None) -> str | None:
        return f"R{idpn[1:]}" if idpn else None

    teachers = {k: replace(t, idpn=new(t.idpn)) for k, t in timetable.teachers.items()}
    students = {k: replace(s, idpn=new(s.idpn)) for k, s in timetable.students.items()}
    return replace(timetable, teachers=frozen_map(teachers), students=frozen_map(students))


def timed(label: str, budget: str, run, repeat: int = 1):  # type: ignore[no-untyped-def]
    """Run `repeat` times; print the best and median wall time, and the best CPU time (on a
    shared, loaded machine CPU time is what a quiet machine's wall time would be)."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = run()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    spread = f", median {statistics.median(walls):.2f} s, best of {repeat}" if repeat > 1 else ""
    print(f"{label}: {min(walls):.2f} s wall ({min(cpus):.2f} s CPU{spread}){budget}")
    return result


def _cpu(run) -> float:  # type: ignore[no-untyped-def]
    start = time.process_time()
    run()
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    generated = timed(
        "generate",
        "",
        lambda: generate_establishment(students=args.students, seed=args.seed, year=2026),
    )
    timetable = timed("read plain export", "", lambda: read_export(generated.plain_xml).timetable)
    directory = directory_of(generated)
    print(
        f"data: {len(timetable.students)} students, {len(timetable.teachers)} teachers, "
        f"{len(timetable.classes)} classes, {len(timetable.groups)} groups, "
        f"{len(timetable.sessions)} sessions, {len(directory)} ENT users"
    )
    empty = EntState({}, frozenset(), {})
    first = timed(
        "full plan",
        " — budget 2 s",
        lambda: plan(generated, timetable, directory, empty),
        args.repeat,
    )
    counts = Counter(a.type.value for a in first.actions)
    events = sum(len(c.events) for c in first.courses)
    print(
        f"  {len(first.courses)} courses, {events} events, {len(first.actions)} actions: "
        f"{dict(sorted(counts.items()))}"
    )
    print(f"  teachers {first.teacher_count}, students {first.student_count}")
    tracemalloc.start()
    plan(generated, timetable, directory, empty)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"  traced Python peak during a plan: {peak / 2**20:.0f} MB (budget 500 MB)")
    ent = timed("apply_actions", "", lambda: apply_actions(empty, first.actions))
    again = timed(
        "re-plan against the imported ENT",
        " — budget 2 s",
        lambda: plan(generated, timetable, directory, ent),
        args.repeat,
    )
    print(f"  {len(again.actions)} actions")
    for name, actions, state, whole in (("full plan", first.actions, empty, first),
                                        ("re-plan", again.actions, ent, again)):
        index = index_ent(state, whole.frozen_until)  # the diff's, built anyway
        best = min(
            _cpu(lambda a=actions, s=state, i=index: assess_deletions(
                a, s, i, threshold_percent=20))
            for _ in range(args.repeat)
        )
        print(f"  guards of the {name}: mass-deletion verdict {best * 1000:.1f} ms CPU")
    links = dict(first.idpn_links)
    linked = [replace(u, idpn=links.get(u.sync_id)) for u in directory]
    renewed = regenerated(timetable)
    relinked = timed(
        "re-plan after every IDPN was regenerated",
        " — 0 actions",
        lambda: plan(generated, renewed, linked, ent),
        args.repeat,
    )
    print(
        f"  {len(relinked.actions)} actions, relinks pending: "
        f"{relinked.teacher_count.relink_pending} teachers, "
        f"{relinked.student_count.relink_pending} students"
    )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS (generator, export, two plans, ENT state): {rss:.0f} MB")


if __name__ == "__main__":
    main()
