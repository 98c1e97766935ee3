"""Where start-up time goes: ``python -X importtime`` for the module that draws the first frame."""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict

from .common import ROOT, clean_env


def importtime(code: str) -> list[tuple[str, int, int]]:
    """(module, self µs, cumulative µs) for every module ``code`` imported, in a new process."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", code], cwd=ROOT,
                          env=clean_env(), capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1])
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "imported package" in line:
            continue
        own, total, name = line[len("import time:"):].split("|")
        rows.append((name.strip(), int(own), int(total)))
    return rows


def report(code: str = "import tui.app", top: int = 12) -> list[str]:
    """Total import time of ``code`` and its costliest top-level packages (self time summed
    over each package's modules), best of three runs to skip the cold file cache."""
    runs = [importtime(code) for _ in range(3)]
    rows = min(runs, key=lambda r: sum(own for _, own, _ in r))
    total = sum(own for _, own, _ in rows)
    by_package: dict[str, int] = defaultdict(int)
    for name, own, _ in rows:
        by_package[name.partition(".")[0]] += own
    lines = [f"  `python -X importtime -c {code!r}`: {total / 1000:.0f} ms in {len(rows)} "
             "modules (best of 3); top packages by self time:"]
    for name, own in sorted(by_package.items(), key=lambda kv: -kv[1])[:top]:
        lines.append(f"    {own / 1000:7.1f} ms  {100 * own / total:5.1f}%  {name}")
    heavy = [n for n in ("httpx", "pydantic", "keyring", "jwt", "cryptography")
             if n in by_package]
    lines.append("    network stack imported: " + (", ".join(heavy) if heavy else "none"))
    return lines
