"""The one sanitizer (``tui.sanitize``) and redaction of token pieces (``tui.tokens.redact``),
checked directly: every payload of the table, through each helper, as the bytes a terminal
would receive."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from hostile_text import ALL, IDS, PAYLOADS, assert_terminal_safe, unsafe_characters
from rich.console import Console

from tui.sanitize import (
    SafeStream,
    clean,
    clean_line,
    json_dumps,
    safe_content,
    safe_markup,
    safe_text,
)
from tui.tokens.redact import mask, redact, redact_and_cut

TOKEN = "FAKETOKEN-" + "".join(f"{i:03d}x" for i in range(73))  # 302 characters, no repeats


def terminal_bytes(renderable: object) -> str:
    """What Rich writes to a colour terminal for ``renderable``."""
    out = io.StringIO()
    Console(file=out, force_terminal=True, color_system="truecolor", width=200,
            legacy_windows=False).print(renderable)
    return out.getvalue()


@pytest.mark.parametrize("name,payload,visible", PAYLOADS, ids=IDS)
def test_clean_makes_every_payload_visible(name: str, payload: str, visible: str) -> None:
    cleaned = clean(payload)
    assert unsafe_characters(cleaned) == []
    assert visible in cleaned
    assert clean(cleaned) == cleaned  # cleaning twice changes nothing


def test_clean_keeps_text_newlines_and_tabs() -> None:
    text = "Déjà vu\tcafé — 東京 🎵\nline two"
    assert clean(text) == text
    assert clean_line(text) == "Déjà vu\\tcafé — 東京 🎵\\nline two"
    assert clean("a\u200bb\ufeffc\u2028d\U000e0041") == "a\\u200bb\\ufeffc\\u2028d\\U000e0041"


@pytest.mark.parametrize("name,payload,visible", PAYLOADS, ids=IDS)
def test_safe_text_reaches_the_terminal_as_text(name: str, payload: str, visible: str) -> None:
    raw = terminal_bytes(safe_text(payload, "bold"))
    # Rich's own styling (CSI m) is the only escape; nothing of the payload is obeyed.
    without_styles = raw.replace("\x1b[1m", "").replace("\x1b[0m", "")
    assert_terminal_safe(without_styles)
    assert visible in without_styles


def test_markup_is_not_parsed() -> None:
    text = safe_text("[link=https://evil.example/]x[/link] [/x]")
    assert text.plain == "[link=https://evil.example/]x[/link] [/x]"
    assert not text.spans
    content = safe_content("[link=https://evil.example/]x[/link] [/x]", "bold")
    assert content.plain == "[link=https://evil.example/]x[/link] [/x]"
    assert "evil" not in repr(content.spans)
    assert Console().render_str(safe_markup("[/x] [b]")).plain == "[/x] [b]"


def test_json_dumps_keeps_content_as_escapes() -> None:
    dumped = json_dumps({"v": ALL + "\x7f"})
    assert_terminal_safe(dumped)
    assert json.loads(dumped) == {"v": ALL + "\x7f"}


def test_safe_stream_cleans_everything_written() -> None:
    out = io.StringIO()
    stream = SafeStream(out)
    stream.write(ALL + "\n")
    assert_terminal_safe(out.getvalue())
    assert out.getvalue().endswith("\n")


def test_importable_before_the_first_frame() -> None:
    code = ("import sys, tui.sanitize; "
            "print(sorted(m for m in ('httpx', 'pydantic', 'pydantic_core', 'rich.markup') "
            "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


# ---------------------------------------------------------------------- redaction


def test_a_token_cut_short_is_redacted() -> None:
    echoed = "server says: " + TOKEN[:169] + " and more"
    out = redact(echoed, [TOKEN])
    assert TOKEN[:16] not in out and TOKEN[100:116] not in out
    assert out.startswith("server says: <redacted 169 chars of a token>")
    # Any run of 16 characters of a token, wherever it starts, is masked.
    for start in (0, 1, 7, 8, 150, len(TOKEN) - 16):
        assert TOKEN[start:start + 16] not in redact("x" + TOKEN[start:start + 16] + "y", [TOKEN])
    assert redact("x" + TOKEN[3:18] + "y", [TOKEN]) == "x" + TOKEN[3:18] + "y"  # 15: kept


def test_whole_tokens_still_masked_with_their_fingerprint() -> None:
    assert redact(f"a {TOKEN} b", [TOKEN]) == f"a {mask(TOKEN)} b"


def test_redaction_comes_before_the_cut() -> None:
    text = "x" * 10 + TOKEN
    cut = redact_and_cut(text, [TOKEN], 231)
    assert len(cut) <= 231
    assert TOKEN[:16] not in cut and "redacted" in cut
    # Cutting first would have left 221 characters of the token: no 16 of them remain.
    assert all(TOKEN[i:i + 16] not in cut for i in range(len(TOKEN) - 15))
