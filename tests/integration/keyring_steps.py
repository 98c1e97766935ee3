"""Run a list of commands one after another inside one D-Bus session and report as JSON.

``test_real_keyring.py`` starts this inside ``dbus-run-session`` + ``keyring_session.sh``, so
every step talks to the same live gnome-keyring. The test keeps the sequence and the assertions;
this script only executes. Tokens arrive in a 0600 file (never argv or the environment, which
the CLI would then see) and never leave whole: stdout/stderr are masked before they are
reported, with a flag saying whether a token had appeared.

usage: python keyring_steps.py TOKENS.json STEPS.json
  TOKENS.json: {"developer": "...", "user": "..."}
  STEPS.json: [{"name": str, "argv": [...], "stdin": "developer"|"user"|null,
                "compare_stdout": "developer"|"user"|null}, ...]
prints: [{"name", "rc", "stdout", "stderr", "leaked": bool, "stdout_matches": bool|null}, ...]
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys


def _mask(token: str) -> str:
    return f"<token sha256:{hashlib.sha256(token.encode()).hexdigest()[:8]}>"


def main() -> int:
    with open(sys.argv[1], encoding="utf-8") as handle:
        tokens: dict[str, str] = json.load(handle)
    with open(sys.argv[2], encoding="utf-8") as handle:
        steps = json.load(handle)
    results = []
    for step in steps:
        stdin = tokens[step["stdin"]] + "\n" if step.get("stdin") else ""
        try:
            done = subprocess.run(step["argv"], input=stdin, capture_output=True, text=True,
                                  timeout=step.get("timeout", 30))
            rc, out, err = done.returncode, done.stdout, done.stderr
        except subprocess.TimeoutExpired as exc:
            rc, out, err = -999, str(exc.stdout or ""), f"timed out: {exc}"
        compare = step.get("compare_stdout")
        matches = None if not compare else out.strip() == tokens[compare]
        # A compare step (secret-tool lookup) prints the token by design; only its stderr counts.
        leaked = any(token in err or (token in out and not compare)
                     for token in tokens.values())
        for token in tokens.values():
            out, err = out.replace(token, _mask(token)), err.replace(token, _mask(token))
        results.append({"name": step["name"], "rc": rc, "stdout": out, "stderr": err,
                        "leaked": leaked, "stdout_matches": matches})
    json.dump(results, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
