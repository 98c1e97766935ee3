"""What tests across the suite share: the repository's root, the demo's sample ids, and a look
at what a fresh interpreter has imported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

#: The repository's root (where pyproject.toml is).
ROOT = Path(__file__).resolve().parent.parent

#: The simulation's seeded library-music-videos ids (the default type): liked, disliked, not
#: rated, liked, not rated. ``SimulatedAppleMusic.sample_ids`` lists the same ids (in another
#: order); they are written out here so a test reads what it types.
SAMPLE_IDS = ("i.NJv00rkTEaLK51", "i.B0VNN8Bf9dYXOV", "i.Pz7Lk0aW3qYd1M", "i.4wKvA9ZQo1RZb3",
              "i.Vv9KqR2mT5sXcE")
LIKED_ID, DISLIKED_ID, UNRATED_ID = SAMPLE_IDS[:3]


def modules_after(code: str, env: dict[str, str] | None = None) -> set[str]:
    """The names in ``sys.modules`` after running ``code`` in a fresh interpreter (from the
    repository's root): this test process has long since imported everything."""
    probe = f"{code}\nimport json as _json, sys as _sys\nprint(_json.dumps(sorted(_sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    return set(json.loads(done.stdout.splitlines()[-1]))
