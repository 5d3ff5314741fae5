"""Headless TUI timings on a large lycée: keypress to repaint, measured with Textual's Pilot.

    .venv/bin/python bench/bench_tui.py [--students 2000] [--groups 3000] [--repeat 15]
                                        [--screenshots docs/screenshots]

Data: the recording backend of the TUI tests (`tests/tui/fakes.py`) scaled up — 2,000 students
and ≥ 3,000 courses — so that the figures measure the TUI (model + one-page DataTable), not the
service's planning. Goals (issue 6): first screen ≤ 1.5 s, every interaction ≤ 100 ms.
Each interaction is timed from the key press until Pilot has processed it and the screen is
idle again (`pilot.press` + `pilot.pause`), i.e. keypress to repaint.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from edt_tui.session.store import STEPS, SessionStore  # noqa: E402
from edt_tui.tui.app import EdtTuiApp  # noqa: E402
from edt_tui.tui.screens.table_step import TableStepScreen  # noqa: E402
from tests.tui.fakes import UAI, FakeBackend, build_data  # noqa: E402

GOAL_FIRST = 1.5
GOAL_INTERACTION = 0.100


async def settle(app: EdtTuiApp, pilot) -> None:  # type: ignore[no-untyped-def]
    ours = [w for w in app.workers if w.group != "_loader"]
    if ours:
        await app.workers.wait_for_complete(ours)
    await pilot.pause()


async def timed(action: Callable[[], Awaitable[None]], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        await action()
        samples.append(time.perf_counter() - start)
    return samples


def _sync(action: Callable[[], object]) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        action()

    return run


def report(name: str, samples: list[float], goal: float) -> None:
    median = statistics.median(samples)
    worst = max(samples)
    verdict = "ok" if median <= goal else "OVER GOAL"
    print(
        f"{name:<34} median {median * 1000:7.1f} ms   max {worst * 1000:7.1f} ms   "
        f"goal {goal * 1000:.0f} ms  {verdict}"
    )


async def run(args: argparse.Namespace) -> None:
    data = build_data(students=args.students, classes=48, groups=args.groups)
    backend = FakeBackend(data=data)
    print(
        f"data: {len(data.students)} students, {len(data.teachers)} teachers, "
        f"{len(data.courses)} courses, {len(data.groups)} groups; {os.cpu_count()} CPUs"
    )
    start = time.perf_counter()
    app = EdtTuiApp(backend, store=SessionStore(), start_dir=REPO, offer_resume=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        report("first screen (establishments)", [time.perf_counter() - start], GOAL_FIRST)

        app.wizard.start(UAI)
        app.wizard.set_export(await backend.check_export(UAI, Path(f"Edt_{UAI}.xml")))

        async def switch(step: str) -> None:
            app.go(step)
            await settle(app, pilot)

        await switch("courses")  # warm the plan once, as the service cache would be
        switches = []
        for _ in range(max(3, args.repeat // 3)):
            for step in ("students", "courses"):
                t0 = time.perf_counter()
                await switch(step)
                switches.append(time.perf_counter() - t0)
        report("step switch (courses ↔ students)", switches, GOAL_INTERACTION)

        screen = app.screen
        assert isinstance(screen, TableStepScreen) and screen.model is not None
        print(f"courses table: {len(screen.model)} rows, page size {screen.model.page_size}")

        async def press(*keys: str) -> None:
            await pilot.press(*keys)
            await pilot.pause()

        report(
            "unbound key (Pilot round trip)",
            await timed(lambda: press("f12"), args.repeat),
            GOAL_INTERACTION,
        )
        report("cursor down (j)", await timed(lambda: press("j"), args.repeat), GOAL_INTERACTION)
        report("page switch (])", await timed(lambda: press("]"), args.repeat), GOAL_INTERACTION)
        await press("p")
        await press("p")  # 25 → 50 → 100 rows per page
        report(
            f"page switch at {screen.model.page_size}/page (])",
            await timed(lambda: press("]"), args.repeat),
            GOAL_INTERACTION,
        )
        table = screen.selection_table
        assert table is not None

        async def filter_with(text: str) -> None:
            table.set_filter(text)
            await pilot.pause()

        samples = []
        for i in range(args.repeat):
            t0 = time.perf_counter()
            await filter_with("LATIN - G0" if i % 2 else "")
            samples.append(time.perf_counter() - t0)
        report("filter (whole list)", samples, GOAL_INTERACTION)

        await filter_with("LATIN")
        print(f"  filter « LATIN » matches {screen.model.visible_count} rows")
        samples = []
        for i in range(args.repeat):
            t0 = time.perf_counter()
            await press("asterisk", "d" if i % 2 else "a")
            samples.append(time.perf_counter() - t0)
        report("mark all matching + (de)activate", samples, GOAL_INTERACTION)
        samples = []
        for i in range(args.repeat):
            t0 = time.perf_counter()
            await press("D" if i % 2 else "A")
            samples.append(time.perf_counter() - t0)
        report("activate / deactivate ALL", samples, GOAL_INTERACTION)

        model = screen.model
        model.set_filter("")
        samples = await timed(_sync(lambda: model.set_filter("LATIN - G0")), 1)
        samples += await timed(_sync(lambda: model.set_filter("")), 1)
        report("  model only: filter", samples, GOAL_INTERACTION)
        report(
            "  model only: mark all + activate",
            await timed(
                _sync(lambda: (model.mark_all_matching(), model.apply_to_marked_or(None, True))),
                args.repeat,
            ),
            GOAL_INTERACTION,
        )

        if args.screenshots:
            folder = Path(args.screenshots)
            folder.mkdir(parents=True, exist_ok=True)
            for step in STEPS:
                await switch(step)
                app.save_screenshot(filename=f"{STEPS.index(step) + 1:02}-{step}.svg", path=folder)
            print(f"screenshots of every step in {folder}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--groups", type=int, default=3000, help="one course per group")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--screenshots", help="folder for an SVG screenshot of each step")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        os.environ["EDT_TUI_HOME"] = home
        os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
        asyncio.run(run(args))


if __name__ == "__main__":
    main()
