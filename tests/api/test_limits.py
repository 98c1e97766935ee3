"""Apple's developer token lifetime limit: one constant, one wording, wherever it is stated."""

from __future__ import annotations

import re
from pathlib import Path

from tui.api.errors import DeveloperTokenError
from tui.api.limits import MAX_TOKEN_LIFETIME, TOKEN_LIFETIME_LIMIT

PACKAGE = Path(__file__).resolve().parents[2] / "tui"
WORDING = "15,777,000 s (about 182.6 days)"


def test_the_limit_is_worded_once() -> None:
    assert MAX_TOKEN_LIFETIME == 15_777_000
    assert TOKEN_LIFETIME_LIMIT == WORDING


def test_the_401_hint_states_the_limit_from_the_constant() -> None:
    hint = DeveloperTokenError("401").hint
    assert WORDING in hint
    assert "180 days after iat" not in hint
    assert any(WORDING in cause for cause in DeveloperTokenError.diagnosis)


def test_no_module_spells_the_limit_itself() -> None:
    # Any other spelling (15777000, "about 182 days", "180 days after iat") drifts from the
    # constant: only tui/api/limits.py may hold the number.
    spelled = re.compile(r"15_?777_?000|15,777,000|182(\.6)? days|180 days after")
    offenders = [f"{path.relative_to(PACKAGE)}:{n}"
                 for path in sorted(PACKAGE.rglob("*.py")) if path.name != "limits.py"
                 for n, line in enumerate(path.read_text().splitlines(), 1)
                 if spelled.search(line)]
    assert offenders == []
