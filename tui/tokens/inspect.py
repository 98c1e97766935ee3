"""Explain a token without sending it anywhere: decode the developer token, judge both.

The developer token is decoded with PyJWT *without* verifying its signature (only Apple has the
public half of the MusicKit key). Each :class:`Finding` says what is wrong and why it matters in
Apple's terms (an ES256 JWT whose ``kid`` is the 10-character MusicKit key ID and ``iss`` the
Team ID, valid for less than ``MAX_TOKEN_LIFETIME``). Nothing here ever returns a token's value.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from tui.api.limits import MAX_TOKEN_LIFETIME, TOKEN_LIFETIME_LIMIT
from tui.tokens.redact import fingerprint

__all__ = ["MAX_TOKEN_LIFETIME"]  # re-exported: generation sets its ceiling from it
#: Tokens right at the ceiling were observed to fail: 180 days or less is the safe lifetime.
SAFE_TOKEN_LIFETIME = 180 * 86400
#: Clock skew tolerated before ``iat`` counts as "in the future".
CLOCK_SKEW = 60
#: Warn when a developer token has less than this left.
EXPIRY_WARNING = 7 * 86400

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Finding:
    """One thing worth knowing about a token.

    ``severity``: "error" (Apple will refuse the token), "warning" (likely trouble soon or a
    likely mistake) or "info". ``message``: what is wrong, one short sentence. ``why``: why it
    matters, one or two sentences.
    """

    severity: Severity
    message: str
    why: str

    def to_json(self) -> dict[str, str]:
        """The finding as a JSON object."""
        return {"severity": self.severity, "message": self.message, "why": self.why}


@dataclass
class DeveloperTokenReport:
    """What the developer token says about itself, and what is wrong with it.

    Fields: ``fingerprint`` (``sha256:1a2b3c4d``), ``length``; ``is_jwt`` (three base64url parts
    that decode to JSON); header ``alg``, ``kid``; claims ``iss``, ``iat`` and ``exp`` (aware UTC
    datetimes, None when absent or not numbers), ``origin`` (list of web origins, empty when
    absent); ``lifetime`` (``exp - iat`` in seconds), ``expiry_text`` ("expires in 12 days",
    "expired 3 days ago", None without ``exp``); ``findings``.
    """

    fingerprint: str
    length: int
    is_jwt: bool = False
    alg: str | None = None
    kid: str | None = None
    iss: str | None = None
    iat: datetime | None = None
    exp: datetime | None = None
    origin: list[str] = field(default_factory=list)
    lifetime: float | None = None
    expiry_text: str | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        """True when a finding means Apple will refuse the token."""
        return any(f.severity == "error" for f in self.findings)

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready data (times as ISO 8601 UTC strings). No token value."""
        return {
            "fingerprint": self.fingerprint,
            "length": self.length,
            "is_jwt": self.is_jwt,
            "alg": self.alg,
            "kid": self.kid,
            "iss": self.iss,
            "iat": _iso(self.iat),
            "exp": _iso(self.exp),
            "origin": list(self.origin),
            "lifetime_seconds": self.lifetime,
            "expiry_text": self.expiry_text,
            "findings": [f.to_json() for f in self.findings],
        }


@dataclass
class UserTokenReport:
    """What can be said about an opaque music user token: ``fingerprint``, ``length``,
    ``looks_like_jwt`` and ``findings``."""

    fingerprint: str
    length: int
    looks_like_jwt: bool = False
    findings: list[Finding] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        """True when a finding means Apple will refuse the token."""
        return any(f.severity == "error" for f in self.findings)

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready data. No token value."""
        return {"fingerprint": self.fingerprint, "length": self.length,
                "looks_like_jwt": self.looks_like_jwt,
                "findings": [f.to_json() for f in self.findings]}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def _as_time(value: object) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def describe_duration(seconds: float) -> str:
    """A rough human duration: "12 days", "5 hours", "1 minute", "less than a minute"."""
    seconds = abs(seconds)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = round(seconds / size)
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return "less than a minute"


def expiry_text(exp: float, now: float) -> str:
    """"expires in 12 days" or "expired 3 days ago"."""
    if exp > now:
        return f"expires in {describe_duration(exp - now)}"
    return f"expired {describe_duration(now - exp)} ago"


def _b64_json(part: str) -> Any:
    import base64
    import json

    raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    return json.loads(raw)


def _decode(token: str) -> tuple[dict[str, Any], dict[str, Any], bool] | None:
    """Header, claims, and whether PyJWT accepted the token's shape (signature part included).

    PyJWT is strict about the signature segment's encoding even when not verifying it; a token
    whose header and claims decode but whose signature part does not is still worth
    explaining, so those two are then decoded by hand.
    """
    import jwt

    if token.count(".") != 2:
        return None
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False, "verify_exp": False,
                                            "verify_iat": False, "verify_nbf": False,
                                            "verify_aud": False, "verify_iss": False})
        well_formed = True
    except jwt.PyJWTError:
        head, body, _ = token.split(".")
        try:
            header, claims = _b64_json(head), _b64_json(body)
        except (ValueError, TypeError):
            return None
        well_formed = False
    if not isinstance(header, dict) or not isinstance(claims, dict):
        return None
    return header, claims, well_formed


def inspect_developer_token(token: str, now: float | None = None) -> DeveloperTokenReport:
    """Decode ``token`` (signature not verified) and list what Apple would object to."""
    now = time.time() if now is None else now
    report = DeveloperTokenReport(fingerprint=fingerprint(token), length=len(token))
    findings = report.findings
    text = token.strip()
    if text.lower().startswith("bearer "):
        findings.append(Finding(
            "error", "The token starts with \"Bearer \".",
            "Paste only the JWT: the \"Bearer \" prefix is added to the Authorization header "
            "when requests are sent, so it would appear twice."))
        text = text[len("bearer "):].strip()
    decoded = _decode(text)
    if decoded is None:
        findings.append(Finding(
            "error", "Not a JWT.",
            "A developer token is a JWT (three base64url parts separated by dots) signed with "
            "your MusicKit key; this is something else, perhaps the music user token or the "
            "contents of the .p8 key file. Create one with `amratings token generate`."))
        return report
    header, claims, well_formed = decoded
    report.is_jwt = True
    if not well_formed:
        findings.append(Finding(
            "error", "The signature part is not valid base64url.",
            "The token's third part was damaged (cut short or edited), so Apple cannot verify "
            "it; copy the whole token again."))
    report.alg = _text(header.get("alg"))
    report.kid = _text(header.get("kid"))
    report.iss = _text(claims.get("iss"))
    report.iat = _as_time(claims.get("iat"))
    report.exp = _as_time(claims.get("exp"))
    origin = claims.get("origin")
    if isinstance(origin, str):
        report.origin = [origin]
    elif isinstance(origin, list):
        report.origin = [str(o) for o in origin]

    if report.alg != "ES256":
        findings.append(Finding(
            "error", f"alg is {report.alg or 'missing'}, not ES256.",
            "Apple accepts only developer tokens signed with ES256 (ECDSA P-256 and SHA-256) "
            "using your MusicKit private key; anything else gets 401."))
    for name, value, hint in (
            ("kid", report.kid,
             "The header's kid must be the 10-character Key ID of your MusicKit key (the "
             "KEYID in AuthKey_KEYID.p8); Apple uses it to find the key to verify with."),
            ("iss", report.iss,
             "The iss claim must be your 10-character Team ID, the team that owns the key.")):
        if value is None or len(value) != 10:
            findings.append(Finding(
                "error", f"{name} is missing." if value is None
                else f"{name} {value!r} is {len(value)} characters, not 10.", hint))
    iat, exp = claims.get("iat"), claims.get("exp")
    iat_ok = report.iat is not None and isinstance(iat, int | float)
    exp_ok = report.exp is not None and isinstance(exp, int | float)
    if not iat_ok:
        findings.append(Finding(
            "error", "No iat (issued-at) claim." if iat is None else "iat is not a number.",
            "Apple requires iat, in seconds since the epoch, to judge the token's age."))
    if not exp_ok:
        findings.append(Finding(
            "error", "No exp (expiry) claim." if exp is None else "exp is not a number.",
            f"Apple requires exp, less than {TOKEN_LIFETIME_LIMIT} ahead; a token without "
            "it is refused."))
        return report
    assert isinstance(exp, int | float)
    exp_s = float(exp)
    iat_s = float(iat) if isinstance(iat, int | float) and iat_ok else None
    report.expiry_text = expiry_text(exp_s, now)
    if iat_s is not None:
        report.lifetime = exp_s - iat_s
    if exp_s <= now:
        findings.append(Finding(
            "error", f"Expired ({report.expiry_text}).",
            "Apple refuses expired developer tokens with 401; generate a new one with "
            "`amratings token generate`."))
    elif exp_s - now < EXPIRY_WARNING:
        findings.append(Finding(
            "warning", f"Expires soon ({report.expiry_text}).",
            "Once it expires every request fails with 401; generate a new one before then."))
    if iat_s is not None and iat_s > now + CLOCK_SKEW:
        findings.append(Finding(
            "error", f"Not yet valid: iat is {describe_duration(iat_s - now)} in the "
            "future.",
            "Apple refuses tokens issued in the future; the clock of the machine that made it "
            "is probably wrong."))
    ahead = exp_s - now
    if exp_s <= now:
        pass  # expired: how long it was meant to live no longer matters
    elif ahead >= MAX_TOKEN_LIFETIME:
        findings.append(Finding(
            "error", f"exp is {describe_duration(ahead)} ahead, at or past Apple's limit of "
            f"{TOKEN_LIFETIME_LIMIT}.",
            "Apple refuses a developer token whose expiry is that far away (401). Generate "
            "one with a lifetime of 180 days or less."))
    elif report.lifetime is not None and report.lifetime >= MAX_TOKEN_LIFETIME:
        findings.append(Finding(
            "warning", f"Issued with a lifetime of {describe_duration(report.lifetime)}, "
            f"over Apple's limit of {TOKEN_LIFETIME_LIMIT}.",
            "Apple accepts it only now that less than the limit remains; whatever generated "
            "it ignores the limit, so its next tokens will be refused when new."))
    elif max(ahead, report.lifetime or 0.0) > SAFE_TOKEN_LIFETIME:
        findings.append(Finding(
            "warning", f"The lifetime is close to Apple's limit of {TOKEN_LIFETIME_LIMIT}.",
            "Tokens with exp at or near the limit were observed to be refused; 180 days or "
            "less leaves a safe margin."))
    if report.origin:
        findings.append(Finding(
            "info", "Restricted to the web origins " + ", ".join(report.origin) + ".",
            "MusicKit JS pages on other origins cannot use this token."))
    return report


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def inspect_user_token(token: str, *, developer_token: str | None = None) -> UserTokenReport:
    """Judge an (opaque) music user token: its length, fingerprint and common mistakes.

    ``developer_token``, when given, lets it notice the same token pasted twice.
    """
    text = token.strip()
    report = UserTokenReport(fingerprint=fingerprint(token), length=len(token))
    if developer_token and text == developer_token.strip():
        report.findings.append(Finding(
            "error", "The music user token is the developer token.",
            "The music user token is a different, opaque token obtained through MusicKit on a "
            "device or MusicKit JS after the user signs in; the developer token was pasted "
            "twice."))
    if _decode(text) is not None:
        report.looks_like_jwt = True
        report.findings.append(Finding(
            "warning", "Looks like a JWT.",
            "Music user tokens are opaque, not JWTs. This may be a developer token pasted "
            "twice, or a Sign in with Apple identity token, which Apple Music does not "
            "accept."))
    if any(ch.isspace() for ch in text):
        report.findings.append(Finding(
            "warning", "Contains whitespace.",
            "A music user token has no spaces or line breaks; it may have been copied with "
            "surrounding text or wrapped."))
    return report
