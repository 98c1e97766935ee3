"""Measurements 1 and 3: first paint and peak memory, amratings against the bare app, in tmux.

A run starts when the paused tmux session is released (see :mod:`.terminal`) and ends when the
marker text of the program's first frame arrives at the terminal. Pairs alternate which program
goes first, so slow drift on a shared machine hits both alike; the ratio is taken per pair.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from . import bare_app
from .common import BARE_APP, ROOT, amratings_command, clean_env
from .stats import mib, ms, ratio, spread, verdict
from .terminal import Tmux

_T = TypeVar("_T")


@dataclass
class Program:
    """How to launch one side of the comparison and what its screen shows."""

    name: str
    argv: list[str]
    first_frame: str
    result: str


def bare_program() -> Program:
    """The bare Textual app, run the same way (this interpreter, a script, a tmux pane)."""
    return Program("bare Textual app", [sys.executable, str(BARE_APP)],
                   bare_app.FIRST_FRAME_MARKER, bare_app.RESULT_MARKER)


#: Text of amratings' first frame (the results summary before any lookup).
AMRATINGS_FIRST_FRAME = "No lookup yet"
#: The results summary once the looked-up id (liked in the demo data) has come back.
AMRATINGS_RESULT = "1 liked"
#: A demo id of the default type (library-music-videos), liked in the simulation's seed data.
LOOKUP_ID = "i.NJv00rkTEaLK51"


def amratings_program() -> Program:
    """``amratings --demo`` as a user starts it."""
    return Program("amratings --demo", [*amratings_command(), "--demo"],
                   AMRATINGS_FIRST_FRAME, AMRATINGS_RESULT)


def first_paint(tmux: Tmux, program: Program) -> tuple[float, float]:
    """Seconds from launch to the first frame on screen, and the CPU seconds the program had
    used by then (read a millisecond or so later, so work a program starts right after its
    first frame, such as amratings' service-layer warm-up, adds a little)."""
    pane = tmux.launch(program.argv, clean_env(), ROOT, paused=True)
    try:
        start = pane.release()
        seen = pane.wait_for_output(program.first_frame)
        return seen - start, pane.cpu_time()
    finally:
        pane.close()


def peak_rss_after_lookup(tmux: Tmux, program: Program, item_id: str = LOOKUP_ID,
                          settle: float = 0.5) -> int:
    """Peak RSS in bytes after typing ``item_id``, Enter, and seeing the result on screen."""
    pane = tmux.launch(program.argv, clean_env(), ROOT)
    try:
        pane.wait_for(program.first_frame)
        # Wait out start-up work scheduled after the first frame (a lazy import, a worker),
        # so the keys reach an app that is ready and the peak includes that work.
        time.sleep(settle)
        pane.send("-l", item_id)
        pane.send("Enter")
        pane.wait_for(program.result)
        time.sleep(settle)
        return pane.peak_rss()
    finally:
        pane.close()


def alternate(pairs: int, measure: Callable[[Program], _T], ours: Program,
              bare: Program) -> tuple[list[_T], list[_T]]:
    """``pairs`` measurements of each, alternating which goes first; one warm-up each."""
    measure(ours)
    measure(bare)
    mine: list[_T] = []
    base: list[_T] = []
    for index in range(pairs):
        order = [(ours, mine), (bare, base)]
        for program, into in order if index % 2 == 0 else reversed(order):
            into.append(measure(program))
    return mine, base


def report_paint(mine: list[tuple[float, float]],
                 base: list[tuple[float, float]]) -> list[str]:
    """Lines for measurement 1: wall time (the target) and CPU time (a steadier cross-check)."""
    wall_ratios = [m[0] / b[0] for m, b in zip(mine, base, strict=True)]
    cpu_ratios = [m[1] / b[1] for m, b in zip(mine, base, strict=True) if b[1]]
    return [
        f"  amratings --demo         {ms([m[0] for m in mine])}",
        f"  bare Textual app         {ms([b[0] for b in base])}",
        f"  ratio (per pair)         {ratio(wall_ratios)}   target <= 1.25 "
        f"{verdict(spread(wall_ratios)[1], 1.25)}",
        f"  CPU time to first frame: amratings {ms([m[1] for m in mine])}, "
        f"bare {ms([b[1] for b in base])}",
        f"  CPU ratio (per pair)     {ratio(cpu_ratios)}   (cross-check; less disturbed by "
        "other load)",
    ]


def report_memory(mine: list[float], base: list[float]) -> list[str]:
    """Lines for measurement 3."""
    ratios = [m / b for m, b in zip(mine, base, strict=True)]
    return [
        f"  amratings --demo         {mib(mine)}",
        f"  bare Textual app         {mib(base)}",
        f"  ratio (per pair)         {ratio(ratios)}   target <= 1.3 "
        f"{verdict(spread(ratios)[1], 1.3)}",
    ]
