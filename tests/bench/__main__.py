"""``python -m tests.bench [--quick] [--only NAME ...]``: issue 5's four measurements and the
library screen's (``library-tui``).

Run from the repository root with the project's interpreter (``.venv/bin/python``). Prints each
figure as min / median / max, and each target as met or missed; never fails on time. The exit
status is 0 unless a benchmark could not run (or produced wrong output).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import os
import platform
import sys
import time
from pathlib import Path

SECTIONS = ("paint", "bulk", "memory", "interaction", "library-tui", "library")
FULL = {"paint": 21, "bulk": 7, "memory": 7, "interaction": 9, "library-tui": 5, "library": 5}
QUICK = {"paint": 7, "bulk": 3, "memory": 2, "interaction": 3, "library-tui": 1, "library": 2}


def machine() -> list[str]:
    """What the figures were measured on."""
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return [f"machine: {os.cpu_count()} cores ({len(os.sched_getaffinity(0))} usable), {cpu}; "
            f"Python {platform.python_version()}, textual "
            f"{importlib.metadata.version('textual')}; load average {load}"]


def _app_landed() -> bool:
    return importlib.util.find_spec("tui.app") is not None


def run(section: str, repetitions: int, quick: bool, nice: int = 0,
        library_size: int = 10_000) -> list[str]:
    """One section's report lines."""
    if section == "library":
        from . import library

        return library.report(library.measure(repetitions, library_size))
    if section == "bulk":
        from . import bulk

        return bulk.report(bulk.measure(repetitions, with_sequential=not quick))
    if not _app_landed():
        return ["  skipped: tui/app.py has not landed yet"]
    if section == "interaction":
        from . import interaction

        return interaction.report(interaction.measure(repetitions))
    if section == "library-tui":
        from . import library_tui

        return library_tui.report(library_tui.measure(repetitions,
                                                      size=library_tui.songs_from_env()))
    from . import imports, paint
    from .terminal import Tmux

    ours, bare = paint.amratings_program(), paint.bare_program()
    with Tmux(nice=nice) as tmux:
        if section == "paint":
            mine, base, real = paint.alternate(
                repetitions, lambda p: paint.first_paint(tmux, p),
                [ours, bare, paint.real_api_program()])
            return paint.report_paint(mine, base, real) + imports.report("import tui.app")
        mine_rss, base_rss = paint.alternate(
            repetitions, lambda p: paint.peak_rss_after_lookup(tmux, p), [ours, bare])
        return paint.report_memory(mine_rss, base_rss)


TITLES = {
    "paint": "1. first paint: launch in tmux {w}x{h} until the first frame shows ({n} rounds)",
    "bulk": "2. bulk: `amratings get --type library-songs --json -`, 1000 ids vs 1, "
            "loopback API answering after 100 ms ({n} pairs)",
    "memory": "3. memory: peak RSS (VmHWM) after one lookup in tmux ({n} pairs)",
    "interaction": "4. interaction: in-process (Textual pilot) ({n} runs)",
    "library-tui": "5. library screen: 10,000 songs, 100 ms loopback API, in-process "
                   "(Textual pilot) ({n} runs)",
    "library": "6. library CLI: `amratings library --jsonl` (whole library), its peak RSS, "
               "and `get --names` of 1000 ids, loopback API answering after 100 ms "
               "({n} rounds)",
}


def main(argv: list[str] | None = None) -> int:
    """Run the chosen sections and print their figures."""
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="fewer repetitions (a smoke run; figures are less reliable)")
    parser.add_argument("--only", action="append", choices=SECTIONS, metavar="NAME",
                        help=f"run only this section (repeatable): {', '.join(SECTIONS)}")
    parser.add_argument("--repeat", type=int, metavar="N",
                        help="repetitions (pairs) for every chosen section")
    parser.add_argument("--nice", type=int, default=0, metavar="N",
                        help="run the programs measured in tmux at this niceness (e.g. -10 as "
                             "root, to shield both from other load alike; default 0)")
    parser.add_argument("--library-size", type=int, default=10_000, metavar="N",
                        help="library songs for the library section (default 10000; a small "
                             "number only checks that it runs)")
    args = parser.parse_args(argv)
    from .common import compile_bytecode
    from .terminal import HEIGHT, WIDTH

    counts = QUICK if args.quick else FULL
    status = 0
    compile_bytecode()  # as an installed package has it (see there)
    print("\n".join(machine()), flush=True)
    for section in args.only or SECTIONS:
        n = args.repeat or counts[section]
        print("\n" + TITLES[section].format(n=n, w=WIDTH, h=HEIGHT), flush=True)
        started = time.perf_counter()
        try:
            lines = run(section, n, args.quick, args.nice, args.library_size)
        except Exception as exc:  # one broken section should not hide the others' figures
            lines = [f"  FAILED: {type(exc).__name__}: {exc}"]
            status = 1
        print("\n".join(lines) + f"\n  ({time.perf_counter() - started:.0f} s)", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
