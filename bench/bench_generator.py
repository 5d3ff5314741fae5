"""How long the sample generator takes: the default collège and the 2,000-student lycée.

A script, not a test: `python bench/bench_generator.py [--repeat N]`. Prints, per size, the best
and median wall time of `generate_establishment` (RSA key generation excluded: a public key is
given), the split build / write / seal, and the resulting sizes. No goal beyond "a few seconds":
tests and other benchmarks call the generator before measuring anything else.
"""

from __future__ import annotations

import argparse
import statistics
import time

from edt_tui.pronote.envelope import seal_envelope
from edt_tui.pronote.generator import generate_establishment
from edt_tui.pronote.generator.calendar import school_calendar
from edt_tui.pronote.generator.school import build_timetable
from edt_tui.pronote.keys import generate_key_pair
from edt_tui.pronote.model import ItemKind
from edt_tui.pronote.writer import write_timetable


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    _, public = generate_key_pair()
    calendar = school_calendar(2026)
    for students in (600, 2000):
        totals = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            generated = generate_establishment(
                students=students, seed=1, year=2026, public_key=public
            )
            totals.append(time.perf_counter() - started)
        started = time.perf_counter()
        t = build_timetable(students=students, seed=1, calendar=calendar, uai="0490856P")
        built = time.perf_counter()
        plain = write_timetable(t)
        written = time.perf_counter()
        seal_envelope(
            plain,
            partners={"ITSLEARNING": public},
            uai="0490856P",
            establishment_name="X",
            postcode_city="49000 X",
            software="bench",
            exported_at=generated.exported_at,
        )
        sealed = time.perf_counter()
        courses = {
            (s.subject_ident, i.kind, i.ident)
            for s in t.sessions
            for i in s.items
            if i.kind in (ItemKind.CLASS, ItemKind.GROUP)
        }
        print(
            f"{students:>5} students asked: {len(t.students)} students, {len(t.teachers)} "
            f"teachers, {len(t.classes)} classes, {len(t.groups)} groups, {len(t.sessions)} "
            f"sessions, {len(courses)} courses, plain {len(plain) / 1e6:.1f} MB, encrypted "
            f"{len(generated.encrypted_xml) / 1e6:.2f} MB"
        )
        print(
            f"      generate_establishment best {min(totals):.2f} s, median "
            f"{statistics.median(totals):.2f} s (build {built - started:.2f} s, write "
            f"{written - built:.2f} s, seal {sealed - written:.2f} s)"
        )


if __name__ == "__main__":
    main()
