"""Ask Apple whether the tokens work, and explain the answer.

Two cheap requests, the ones Apple's own tooling uses to test tokens: ``GET /v1/test`` with
the developer token alone, then ``GET /v1/me/storefront`` with both tokens. A 401 on the first
means the developer token is at fault, and the second is skipped (it could only fail the same
way). A 403 on the second means the music user token is at fault. Each step carries a
diagnosis: plain sentences naming the token at fault and its likely causes (the error classes of
:mod:`tui.api.errors` word their own; only the cases where Apple blames the other token are
worded here), plus what local inspection (:mod:`tui.tokens.inspect`) finds wrong with that
token.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from tui.api.errors import (
    AmRatingsError,
    DeveloperTokenError,
    NetworkError,
    RateLimitedError,
    ServerError,
    UserTokenError,
)
from tui.tokens.inspect import inspect_developer_token, inspect_user_token

if TYPE_CHECKING:
    from tui.api.client import RatingsClient
    from tui.api.results import CheckStep

Outcome = Literal["passed", "failed", "skipped", "missing"]


@dataclass
class TokenCheckStep:
    """One request of the check, ready to show.

    - ``name``: "Developer token" or "Music user token" (the token this step tests).
    - ``token``: "developer" or "user".
    - ``method``, ``path``: the request (``GET /v1/test``).
    - ``outcome``: "passed", "failed", "skipped" (not sent because an earlier step showed it
      could not pass) or "missing" (not sent because a token is missing).
    - ``status``: the HTTP status, None when there was no answer or no request.
    - ``elapsed``: seconds taken, 0 when not sent.
    - ``code``, ``title``, ``detail``: Apple's error fields when the answer carried them.
    - ``error``: a one-line description of the failure (``AmRatingsError.one_line()``).
    - ``error_kind``: the error's class name (``DeveloperTokenError``), for styling.
    - ``diagnosis``: plain sentences naming the token at fault and its likely causes.
    - ``storefront``: "United States (us)" when the user-token step passed.
    """

    name: str
    token: Literal["developer", "user"]
    method: str
    path: str
    outcome: Outcome
    status: int | None = None
    elapsed: float = 0.0
    code: str | None = None
    title: str | None = None
    detail: str | None = None
    error: str | None = None
    error_kind: str | None = None
    diagnosis: list[str] = field(default_factory=list)
    storefront: str | None = None

    @property
    def ok(self) -> bool:
        """True when the request was sent and succeeded."""
        return self.outcome == "passed"

    def to_json(self) -> dict[str, Any]:
        """The step as JSON-ready data."""
        return {
            "name": self.name, "token": self.token, "method": self.method, "path": self.path,
            "outcome": self.outcome, "status": self.status,
            "elapsed_ms": round(self.elapsed * 1000, 1), "code": self.code,
            "title": self.title, "detail": self.detail, "error": self.error,
            "error_kind": self.error_kind, "diagnosis": list(self.diagnosis),
            "storefront": self.storefront,
        }


@dataclass
class TokenCheck:
    """The whole check: ``steps`` in order (developer token first), and a verdict.

    ``ok`` is True when every step passed; ``missing`` lists the token kinds that were absent
    (no request was sent for them); ``exit_code`` is what ``token check`` exits with.
    """

    steps: list[TokenCheckStep]
    missing: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when both steps passed."""
        return not self.missing and bool(self.steps) and all(s.ok for s in self.steps)

    @property
    def exit_code(self) -> int:
        """0 both passed, 2 a token is missing, 1 a step failed."""
        if self.missing:
            return 2
        return 0 if self.ok else 1

    def to_json(self) -> dict[str, Any]:
        """The check as JSON-ready data."""
        return {"ok": self.ok, "missing": list(self.missing),
                "steps": [s.to_json() for s in self.steps]}


_DEV = ("Developer token", "developer", "GET", "/v1/test")
_USER = ("Music user token", "user", "GET", "/v1/me/storefront")

#: Failures that say nothing about the tokens: their own words (``check_diagnosis``) suffice.
_NOT_JUDGED = (NetworkError, RateLimitedError, ServerError)

#: The two cases only a token check meets: Apple's answer blames the other token than the one
#: the step is about.
_DEV_403 = [
    "Apple answered 403 to /v1/test, which sends only the developer token: the developer token "
    "was read but is not allowed here.",
    "Likely causes: MusicKit is not enabled for the key, or the key was revoked.",
]
_USER_401 = [
    "Apple answered 401 to /v1/me/storefront although the developer token passed /v1/test: "
    "the music user token's account is probably not signed in to Apple Music or has no "
    "active Apple Music subscription.",
    "Check the subscription, then get a new music user token through MusicKit.",
]


def _from_error(step: TokenCheckStep, error: AmRatingsError) -> None:
    step.code, step.title, step.detail = error.code, error.title, error.detail
    step.error = error.one_line()
    step.error_kind = type(error).__name__


def _developer_diagnosis(step: TokenCheckStep, error: AmRatingsError,
                         developer_token: str, now: float | None) -> None:
    if isinstance(error, _NOT_JUDGED):
        step.diagnosis += error.check_diagnosis()
        return
    if isinstance(error, DeveloperTokenError) or error.status == 401:
        step.diagnosis += DeveloperTokenError.diagnosis
    elif isinstance(error, UserTokenError) or error.status == 403:
        step.diagnosis += _DEV_403
    else:
        step.diagnosis.append(f"The developer token check failed unexpectedly: {step.error}.")
    report = inspect_developer_token(developer_token, now=now)
    for finding in report.findings:
        if finding.severity != "info":
            step.diagnosis.append(f"Local inspection of the developer token: {finding.message}")


def _user_diagnosis(step: TokenCheckStep, error: AmRatingsError, user_token: str,
                    developer_token: str) -> None:
    if isinstance(error, _NOT_JUDGED):
        step.diagnosis += error.check_diagnosis()
        return
    if isinstance(error, UserTokenError) or error.status == 403:
        step.diagnosis += UserTokenError.diagnosis
    elif isinstance(error, DeveloperTokenError) or error.status == 401:
        step.diagnosis += _USER_401
    else:
        step.diagnosis.append(f"The music user token check failed unexpectedly: {step.error}.")
    report = inspect_user_token(user_token, developer_token=developer_token)
    for finding in report.findings:
        step.diagnosis.append(f"Local inspection of the music user token: {finding.message}")


def _scrub_step(step: TokenCheckStep, secrets: tuple[str | None, str | None]
                ) -> TokenCheckStep:
    """``step`` with the tokens (and any 16+ character piece of one) redacted from every field
    a server can fill (a hostile server may echo a token as the storefront's name)."""
    from dataclasses import fields

    from tui.tokens.redact import redact

    for item in fields(step):
        value = getattr(step, item.name)
        if isinstance(value, str):
            setattr(step, item.name, redact(value, secrets))
    step.diagnosis = [redact(sentence, secrets) for sentence in step.diagnosis]
    return step


def _scrubbed(check: TokenCheck, secrets: tuple[str | None, str | None]) -> TokenCheck:
    """``check`` with every step scrubbed (:func:`_scrub_step`)."""
    for step in check.steps:
        _scrub_step(step, secrets)
    return check


def _step(template: tuple[str, str, str, str], outcome: Outcome) -> TokenCheckStep:
    name, token, method, path = template
    return TokenCheckStep(name, token, method, path, outcome)  # type: ignore[arg-type]


def _apply(step: TokenCheckStep, result: CheckStep) -> None:
    # After the client gives up retrying a 429/5xx the status lives only on the error.
    step.status = result.status
    if step.status is None and result.error is not None:
        step.status = result.error.status
    step.elapsed = result.elapsed
    step.storefront = result.storefront
    step.method, step.path = result.method, result.path


async def check_tokens(client: RatingsClient, *, now: float | None = None) -> TokenCheck:
    """Run ``client.check_developer_token()`` then ``client.check_user_token()``.

    The second step is skipped (outcome "skipped") when the first fails with 401. A missing
    token is reported (outcome "missing", ``TokenCheck.missing``) without sending anything
    that could only fail. ``now`` pins the clock for local inspection of the tokens.
    Never raises for an API failure: every failure is in the steps. No field holds a token.
    """
    return _scrubbed(await _check_tokens(client, now=now), client.secrets)


async def _check_tokens(client: RatingsClient, *, now: float | None = None) -> TokenCheck:
    # The tokens are read from the client when needed, never kept in a local of this frame:
    # a crash during one of its requests would print them with the frame's locals.
    missing = [kind for kind, value in zip(("developer", "user"), client.secrets, strict=True)
               if not value]
    if not client.secrets[0]:
        dev = _step(_DEV, "missing")
        dev.diagnosis.append("No developer token: set APPLE_MUSIC_DEVELOPER_TOKEN, run "
                             "`amratings token set developer`, or make one with "
                             "`amratings token generate`.")
        user = _step(_USER, "missing" if not client.secrets[1] else "skipped")
        user.diagnosis.append("Needs the developer token too; not checked.")
        return TokenCheck([dev, user], missing)

    dev = _step(_DEV, "failed")
    result = await client.check_developer_token()
    _apply(dev, result)
    if result.error is None:
        dev.outcome = "passed"
        dev.diagnosis.append("Apple accepted the developer token.")
    else:
        _from_error(dev, result.error)
        _developer_diagnosis(dev, result.error, client.secrets[0] or "", now)

    if not client.secrets[1]:
        user = _step(_USER, "missing")
        user.diagnosis.append("No music user token: set APPLE_MUSIC_USER_TOKEN or run "
                              "`amratings token set user` (get one through MusicKit).")
        return TokenCheck([dev, user], missing)
    if dev.status == 401:
        user = _step(_USER, "skipped")
        user.diagnosis.append("Not checked: it cannot pass while Apple rejects the developer "
                              "token (every /v1/me request needs both).")
        return TokenCheck([dev, user], missing)

    return TokenCheck([dev, await _check_music_user_token(client)], missing)


async def check_music_user_token(client: RatingsClient) -> TokenCheckStep:
    """The check's second step alone: ``GET /v1/me/storefront`` with both tokens, with its
    diagnosis (after ``token login``, when the developer token is known to be usable).
    Never raises for an API failure. Both of the client's tokens must be set. No field holds
    a token."""
    return _scrub_step(await _check_music_user_token(client), client.secrets)


async def _check_music_user_token(client: RatingsClient) -> TokenCheckStep:
    # As in _check_tokens: the tokens stay in the client, not in this frame's locals.
    user = _step(_USER, "failed")
    result = await client.check_user_token()
    _apply(user, result)
    if result.error is None:
        user.outcome = "passed"
        where = f" (storefront {result.storefront})" if result.storefront else ""
        user.diagnosis.append(f"Apple accepted the music user token{where}.")
    else:
        _from_error(user, result.error)
        _user_diagnosis(user, result.error, client.secrets[1] or "", client.secrets[0] or "")
    return user
