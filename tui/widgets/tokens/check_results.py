"""The outcome of "Check tokens": each step with its status, time taken and diagnosis."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content
from textual.widgets import Static

from tui.sanitize import clean, safe_content
from tui.widgets.wording import AppKeys, app_keys, in_app

if TYPE_CHECKING:
    from tui.tokens.check import TokenCheck, TokenCheckStep


def format_elapsed(seconds: float | None) -> str:
    """Milliseconds for quick answers, seconds with one decimal for slow ones."""
    if seconds is None:
        return ""
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.1f} s"


#: Mark, word and style per outcome: the word keeps the meaning when colour is off.
OUTCOME_MARKS: dict[str, tuple[str, str]] = {
    "passed": ("✓ passed ", "bold $text-success"),
    "failed": ("✗ failed ", "bold $text-error"),
    "skipped": ("- skipped", "bold $text-muted"),
    "missing": ("? missing", "bold $text-warning"),
}


#: Columns between the step's name and its request, whatever the names' lengths.
COLUMN_GAP = 2


def describe_step(step: TokenCheckStep, name_width: int = 0,
                  keys: AppKeys | None = None) -> Content:
    """One step: its outcome as mark and word, the token it tests, the request, the HTTP status
    and time taken; then Apple's code, title and detail; then each diagnosis sentence.

    ``name_width`` pads the name so the steps' requests line up; the gap after the name is
    always there, so a name as long as the column (``Music user token``) never runs into the
    request. The diagnosis names this screen's keys (``keys``) where it names a command.
    """
    mark = OUTCOME_MARKS.get(step.outcome, (step.outcome, "bold"))
    pad = max(name_width, len(step.name)) - len(step.name) + COLUMN_GAP
    head: list[str | tuple[str, str]] = [mark, " ", (step.name, "bold"), " " * pad,
                                         (f"{step.method} {step.path}", "$text-muted")]
    sent = step.outcome in ("passed", "failed")
    if step.status is not None:
        head.append(f"  HTTP {step.status}")
    elif step.outcome == "failed":
        head.append("  no answer")
    if sent:
        head.append(("  " + format_elapsed(step.elapsed), "$text-muted"))
    lines = [Content.assemble(*head)]
    # Apple's fields, the error and the diagnosis quote the server and the token's claims.
    apple = [part for part in (step.code and f"code {step.code}", step.title, step.detail)
             if part]
    if apple:
        lines.append(Content.assemble(("  Apple said: ", "$text-muted"),
                                      clean(" · ".join(apple))))
    elif step.error and step.outcome == "failed":
        lines.append(Content.assemble("  ", clean(step.error)))
    lines.extend(Content.assemble("  ", clean(in_app(sentence, keys, in_token_setup=True)))
                 for sentence in step.diagnosis)
    return Content("\n").join(lines)


def describe_check(check: TokenCheck, keys: AppKeys | None = None) -> Content:
    """A one-line verdict first (what a person looks for), then every step."""
    if check.ok:
        verdict = Content.styled("Both tokens work.", "bold $text-success")
    elif check.missing:
        verdict = Content.styled("Enter the missing token to check both.", "bold $text-warning")
    else:
        verdict = Content.styled("The tokens do not work yet: see the failed step.",
                                 "bold $text-error")
    name_width = max((len(step.name) for step in check.steps), default=0)
    lines = [verdict, *(describe_step(step, name_width, keys) for step in check.steps)]
    return Content("\n").join(lines)


class TokenCheckView(Static):
    """Shows nothing until a check runs, then "checking…", then :func:`describe_check`."""

    DEFAULT_CSS = """
    TokenCheckView {
        height: auto;
        margin: 1 0 0 0;
        padding: 0 1;
        border-left: outer $primary;
        &.-empty { display: none; }
        &.-failed { border-left: outer $error; }
        &.-passed { border-left: outer $success; }
    }
    """

    def on_mount(self) -> None:
        self.add_class("-empty")

    def show_running(self, what: str = "Checking tokens with Apple Music…") -> None:
        """A check started (no spinner: no animations by default, and SSH stays quiet)."""
        self.set_classes("")
        self.update(Content.styled(what, "italic"))

    def show_check(self, check: TokenCheck) -> None:
        """A check finished."""
        self.set_classes("-passed" if check.ok else "-failed")
        self.update(describe_check(check, app_keys(self.app)))

    def show_problem(self, message: str) -> None:
        """The check could not run at all (for example no token entered)."""
        self.set_classes("-failed")
        self.update(safe_content(message, "$text-error"))
