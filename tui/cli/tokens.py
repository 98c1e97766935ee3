"""``amratings token set | forget | status | check | generate`` (and ``login``, in
:mod:`tui.cli.login`).

Exit codes (issue 3):

- ``set``: 0 stored; 1 not stored (no usable keyring and no ``--file``, or the file cannot be
  written); 2 empty value, a developer token that is not a JWT (refused without ``--force``
  when stdin is not a terminal; on a terminal the user is asked and said no), or ``--demo``.
- ``forget``: 0 done (even when nothing was stored); 1 a keyring exists but could not be
  checked (locked, hanging, failing), so a token may remain; 2 ``--demo``.
- ``status``: 0 both tokens present with no error-level finding; 1 a finding is an error;
  2 a token is missing (this wins over 1).
- ``check``: 0 both steps pass; 1 either fails; 2 a token is missing or the base URL is bad.
- ``generate``: 0 made (and saved with ``--save``); 1 ``--save`` could not store it; 2 bad
  input (missing key file, not an EC P-256 PKCS#8 key, ids not 10 characters, bad ``--days``).
  A token made for ``--save`` is never thrown away unasked: when the keyring is unavailable it
  goes to the 0600 token file instead, with a line saying so (on a terminal, after asking).

Nothing here prints a token whole, except ``generate`` without ``--save``, whose whole point is
to print the new token on stdout (its summary goes to stderr so stdout stays pipeable).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from tui.api.limits import TOKEN_LIFETIME_LIMIT
from tui.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from tui.cli.common import (
    check_base_url,
    print_error,
    print_exchange,
    remember_secrets,
    say,
    setup_logging,
    warn_if_not_apple,
)
from tui.sanitize import json_dumps

if TYPE_CHECKING:
    from tui.api.errors import AmRatingsError
    from tui.config import AppConfig
    from tui.tokens.check import TokenCheck
    from tui.tokens.inspect import DeveloperTokenReport, Finding, UserTokenReport
    from tui.tokens.store import StoredToken, TokenKind, TokenPair

_NAMES = {"developer": "developer token", "user": "music user token"}


def _positive_days(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of days: {text!r}")
    return value


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
               parents: list[argparse.ArgumentParser]) -> None:
    """Add ``token`` and its subcommands; each takes the global options (``parents``)."""
    token = subparsers.add_parser(
        "token", parents=parents, help="store, inspect, check or generate the tokens",
        description="Manage the developer token and the music user token. They are read from "
                    "APPLE_MUSIC_DEVELOPER_TOKEN / APPLE_MUSIC_USER_TOKEN, then the keyring, "
                    "then (only if you chose it) a 0600 file in the config directory.")
    sub = token.add_subparsers(dest="token_command", metavar="SUBCOMMAND",
                               parser_class=type(token))

    put = sub.add_parser(
        "set", parents=parents, help="store a token (read from stdin or a hidden prompt)",
        description="Store a token in the keyring, or with --file in a file only you can "
                    "read. The token is read from stdin when it is not a terminal, otherwise "
                    "from a prompt that does not echo; never from the command line.")
    put.add_argument("kind", choices=["developer", "user"])
    put.add_argument("--file", action="store_true",
                     help="store it in a 0600 file under the config directory instead of the "
                          "keyring (for SSH sessions and servers without a keyring)")
    put.add_argument("--force", action="store_true",
                     help="store a developer token even if it is not a JWT, without asking")

    forget = sub.add_parser("forget", parents=parents,
                            help="remove stored tokens (keyring and file)",
                            description="Remove a token, or both, from the keyring and the "
                                        "token file. Environment variables are yours to unset.")
    forget.add_argument("kind", choices=["developer", "user", "all"])

    status = sub.add_parser(
        "status", parents=parents, help="where each token comes from and what is wrong with it",
        description="Show each token's source and fingerprint (never the token), decode the "
                    "developer token without verifying it, and list findings. Exit 0 fine, "
                    "1 an error-level finding, 2 a token missing.")
    status.add_argument("--json", action="store_true", help="print JSON")

    check = sub.add_parser(
        "check", parents=parents, help="ask Apple whether the tokens work",
        description="GET /v1/test (developer token alone), then GET /v1/me/storefront (both "
                    "tokens), with a diagnosis of any failure. Exit 0 both pass, 1 a step "
                    "failed, 2 a token missing.")
    check.add_argument("--json", action="store_true", help="print JSON")

    gen = sub.add_parser(
        "generate", parents=parents, help="make a developer token from your MusicKit key",
        description="Sign an ES256 developer token with AuthKey_<KEYID>.p8. Prints it, or "
                    "stores it with --save.")
    gen.add_argument("--team-id", required=True, metavar="TEAMID",
                     help="your 10-character Team ID")
    gen.add_argument("--key-id", required=True, metavar="KEYID",
                     help="the 10-character Key ID of the MusicKit key")
    gen.add_argument("--key-file", required=True, metavar="PATH",
                     help="the private key, AuthKey_<KEYID>.p8")
    gen.add_argument("--days", type=_positive_days, default=180.0,
                     help="lifetime in days (default 180; Apple's limit is "
                          f"{TOKEN_LIFETIME_LIMIT})")
    gen.add_argument("--origin", action="append", default=[], metavar="URL",
                     help="restrict the token to this web origin (repeatable)")
    gen.add_argument("--save", action="store_true",
                     help="store the token (keyring, or the file with --file) instead of "
                          "printing it")
    gen.add_argument("--file", action="store_true", help="with --save: store it in the file")

    from tui.cli import login as login_cli

    login_cli.add_parser(sub, parents)


def run(args: argparse.Namespace, config: AppConfig) -> int:
    """Run one ``token`` subcommand; return the exit status."""
    setup_logging(config.verbose)
    command = getattr(args, "token_command", None)
    if command == "set":
        return _set(args, config)
    if command == "forget":
        return _forget(args, config)
    if command == "status":
        return _status(args, config)
    if command == "check":
        return _check(args, config)
    if command == "generate":
        return _generate(args, config)
    if command == "login":
        from tui.cli import login as login_cli

        return login_cli.run(args, config)
    say("amratings: error: choose a token subcommand: login, set, forget, status, check or "
        "generate")
    say("hint: `amratings token --help` describes them")
    return EXIT_USAGE


# ---------------------------------------------------------------------- set / forget


def _read_secret(name: str) -> str:
    if not sys.stdin.isatty():
        return sys.stdin.read()
    try:
        return getpass.getpass(f"Paste the {name} (input hidden), then Enter: ")
    except EOFError:
        return ""


def _refuse_demo(what: str) -> int:
    say(f"amratings: error: `token {what}` does not work with --demo (the demo uses its own "
        "built-in tokens and stores nothing)")
    say("hint: run it without --demo")
    return EXIT_USAGE


def _set(args: argparse.Namespace, config: AppConfig) -> int:
    from tui.api.errors import AmRatingsError
    from tui.tokens.redact import fingerprint
    from tui.tokens.store import keyring_timeout, save_token, token_file_path

    if config.demo:
        return _refuse_demo("set")
    kind: TokenKind = args.kind
    name = _NAMES[kind]
    value = _read_secret(name).strip()
    if not value:
        say(f"amratings: error: no {name} given (empty input); nothing was stored")
        say(f"hint: pipe it in, e.g. `pbpaste | amratings token set {kind}`, or paste it at "
            "the prompt")
        return EXIT_USAGE
    remember_secrets(value)
    if kind == "developer" and not args.force and not _is_jwt(value) \
            and not _confirm_not_a_jwt():
        return EXIT_USAGE
    for finding in _findings_for(kind, value):
        if finding.severity != "info":
            say(f"amratings: warning: the {name} looks wrong ({finding.severity}): "
                f"{finding.message} {finding.why}")
    where: Literal["keyring", "file"] = "file" if args.file else "keyring"
    try:
        save_token(kind, value, where, timeout=keyring_timeout())
    except AmRatingsError as exc:
        print_error(exc)
        return exc.exit_code
    place = f"{token_file_path()} (mode 0600)" if where == "file" else "the keyring"
    sys.stdout.write(f"Stored the {name} ({fingerprint(value)}) in {place}.\n")
    sys.stdout.flush()
    _warn_if_shadowed(kind, value)
    return EXIT_OK


def _is_jwt(value: str) -> bool:
    from tui.tokens.inspect import inspect_developer_token

    return inspect_developer_token(value).is_jwt


def _confirm_not_a_jwt() -> bool:
    """A developer token that is not a JWT is almost always the wrong paste (the music user
    token, a key file, a truncated copy), which Apple would only refuse: ask on a terminal,
    refuse otherwise (``--force`` stores it anyway)."""
    problem = ("the value is not a JWT (three base64url parts separated by dots), and a "
               "developer token always is")
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        say(f"amratings: error: {problem}; nothing was stored")
        say("hint: check what was piped in (the music user token goes to `amratings token set "
            "user`); `--force` stores it anyway")
        return False
    say(f"amratings: warning: {problem}.")
    sys.stderr.write("Store it anyway? [y/N] ")
    sys.stderr.flush()
    if sys.stdin.readline().strip().lower() in ("y", "yes"):
        return True
    say("amratings: nothing was stored")
    return False


def _findings_for(kind: str, value: str) -> list[Finding]:
    from tui.tokens.inspect import inspect_developer_token, inspect_user_token

    if kind == "developer":
        return inspect_developer_token(value).findings
    return inspect_user_token(value).findings


def _warn_if_shadowed(kind: TokenKind, value: str) -> None:
    """Say so when the token just stored will not be the one used (a source before it wins)."""
    from tui.tokens.store import (
        ENV_VARS,
        TokenSource,
        keyring_timeout,
        load_tokens,
        source_text,
    )

    effective = load_tokens(keyring_timeout=keyring_timeout()).of(kind)
    if effective.value == value or effective.value is None:
        return
    name = _NAMES[kind]
    say(f"amratings: warning: the {name} from {source_text(effective)} takes precedence over "
        "the one just stored")
    if effective.source is TokenSource.ENV:
        say(f"hint: unset {ENV_VARS[kind]} to use the stored one")
    else:
        say(f"hint: `amratings token forget {kind}`, then store it again")


def _forget(args: argparse.Namespace, config: AppConfig) -> int:
    from tui.tokens.store import ENV_VARS, forget_token, keyring_timeout

    if config.demo:
        return _refuse_demo("forget")
    problems: list[str] = []
    removed = forget_token(args.kind, timeout=keyring_timeout(), problems=problems)
    for item in removed:
        sys.stdout.write(f"Removed the {item}.\n")
    if not removed and not problems:
        what = "tokens" if args.kind == "all" else _NAMES[args.kind]
        sys.stdout.write(f"No stored {what} to remove.\n")
    sys.stdout.flush()
    for problem in problems:
        say(f"amratings: warning: {problem}")
    kinds = ["developer", "user"] if args.kind == "all" else [args.kind]
    for kind in kinds:
        if (os.environ.get(ENV_VARS[kind]) or "").strip():
            say(f"note: {ENV_VARS[kind]} is still set in the environment and is still used; "
                "unset it yourself")
    if problems:
        say("hint: the keyring could not be checked, so a token may remain there; retry where "
            "the keyring can be unlocked")
        return EXIT_FAILED
    return EXIT_OK


# ---------------------------------------------------------------------- status


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "(none)"


def _source_json(stored: StoredToken) -> dict[str, Any]:
    from tui.tokens.store import source_text

    return {"present": stored.present, "source": stored.source.value,
            "source_text": source_text(stored), "problem": stored.problem}


def _status(args: argparse.Namespace, config: AppConfig) -> int:
    from tui.tokens.inspect import inspect_developer_token, inspect_user_token
    from tui.tokens.store import (
        KINDS,
        KeyringStatus,
        keyring_timeout,
        read_storage,
        token_file_path,
    )

    keyring: KeyringStatus | None = None
    if config.demo:
        from tui.backend import demo_token_pair

        pair = demo_token_pair()
    else:
        storage = read_storage(keyring_timeout=keyring_timeout())
        pair, keyring = storage.tokens, storage.keyring
    remember_secrets(pair.developer.value, pair.user.value)
    dev_report = (inspect_developer_token(pair.developer.value)
                  if pair.developer.value else None)
    user_report = (inspect_user_token(pair.user.value, developer_token=pair.developer.value)
                   if pair.user.value else None)
    missing = [k for k in KINDS if not pair.of(k).present]
    errors = any(r is not None and r.has_errors for r in (dev_report, user_report))
    code = EXIT_USAGE if missing else (EXIT_FAILED if errors else EXIT_OK)

    if args.json:
        payload: dict[str, Any] = {
            "developer": {**_source_json(pair.developer),
                          **(dev_report.to_json() if dev_report else {})},
            "user": {**_source_json(pair.user),
                     **(user_report.to_json() if user_report else {})},
            "keyring": None if keyring is None else
            {"usable": keyring.usable, "backend": keyring.backend, "why": keyring.why},
            "token_file": str(token_file_path()),
            "missing": missing,
            "ok": code == EXIT_OK,
        }
        sys.stdout.write(json_dumps(payload, indent=2) + "\n")
    else:
        lines = _developer_lines(pair.developer, dev_report)
        lines += _user_lines(pair.user, user_report)
        if keyring is not None:
            lines.append(keyring.describe().replace("keyring:", "Keyring:", 1)
                         .replace("keyring unavailable", "Keyring unavailable", 1))
        sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()
    from tui.tokens.store import ENV_VARS

    for kind in missing:
        say(f"hint: set {ENV_VARS[kind]}, or store it with `amratings token set {kind}`"
            + (" (or make one with `amratings token generate`)" if kind == "developer" else ""))
    return code


def _head(title: str, stored: StoredToken, fingerprint: str | None, length: int) -> list[str]:
    from tui.tokens.store import source_text

    if not stored.present:
        lines = [f"{title}: not set"]
        if stored.problem:
            lines.append(f"  problem: {stored.problem}")
        return lines
    return [f"{title}: {fingerprint} ({length} chars), from {source_text(stored)}"]


def _finding_lines(findings: list[Finding]) -> list[str]:
    lines: list[str] = []
    for finding in findings:
        lines.append(f"  {finding.severity}: {finding.message}")
        lines.append(f"    why: {finding.why}")
    return lines


def _developer_lines(stored: StoredToken, report: DeveloperTokenReport | None) -> list[str]:
    if report is None:
        return _head("Developer token", stored, None, 0)
    lines = _head("Developer token", stored, report.fingerprint, report.length)
    if report.is_jwt:
        lines.append(f"  alg {report.alg or '(none)'}, kid {report.kid or '(none)'}, "
                     f"iss {report.iss or '(none)'}")
        lines.append(f"  issued   {_when(report.iat)}")
        expiry = f" ({report.expiry_text})" if report.expiry_text else ""
        lines.append(f"  expires  {_when(report.exp)}{expiry}")
        if report.origin:
            lines.append(f"  origin   {', '.join(report.origin)}")
    lines += _finding_lines(report.findings)
    if not report.findings:
        lines.append("  no problems found")
    return lines


def _user_lines(stored: StoredToken, report: UserTokenReport | None) -> list[str]:
    if report is None:
        return _head("Music user token", stored, None, 0)
    lines = _head("Music user token", stored, report.fingerprint, report.length)
    lines += _finding_lines(report.findings)
    if not report.findings:
        lines.append("  no problems found")
    return lines


# ---------------------------------------------------------------------- check


def _check(args: argparse.Namespace, config: AppConfig) -> int:
    from tui.api.errors import AmRatingsError
    from tui.tokens.redact import fingerprint
    from tui.tokens.store import ENV_VARS, keyring_timeout, load_tokens, source_text

    if not config.demo:
        try:
            config.base_url = check_base_url(config.base_url)
        except AmRatingsError as exc:
            print_error(exc)
            return EXIT_USAGE
    if config.demo:
        from tui.backend import demo_token_pair

        pair = demo_token_pair()
    else:
        pair = load_tokens(keyring_timeout=keyring_timeout())
    remember_secrets(pair.developer.value, pair.user.value)
    if pair.developer.present or pair.user.present:
        warn_if_not_apple(config)
    result = asyncio.run(_run_check(config, pair))

    if args.json:
        payload = result.to_json()
        payload["tokens"] = {
            kind: {**_source_json(pair.of(kind)),
                   "fingerprint": fingerprint(v) if (v := pair.of(kind).value) else None}
            for kind in ("developer", "user")}
        sys.stdout.write(json_dumps(payload, indent=2) + "\n")
    else:
        from tui.cli.login import step_lines

        lines: list[str] = []
        for step in result.steps:
            stored = pair.of(step.token)
            who = (f"{fingerprint(stored.value)}, from {source_text(stored)}"
                   if stored.value else "not set")
            lines += step_lines(step, who)
        sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()
    for kind in result.missing:
        say(f"hint: set {ENV_VARS[kind]}, or store it with `amratings token set {kind}`")
    return result.exit_code


async def _run_check(config: AppConfig, pair: TokenPair) -> TokenCheck:
    # The pair (whose repr masks the tokens), not the strings: this frame is on the stack
    # during the requests, and a traceback shows its locals.
    from tui.backend import make_client
    from tui.tokens.check import check_tokens

    client = make_client(config, pair.developer.value, pair.user.value,
                         on_exchange=print_exchange if config.verbose else None)
    async with client:
        return await check_tokens(client)


# ---------------------------------------------------------------------- generate


def _generate(args: argparse.Namespace, config: AppConfig) -> int:
    from tui.api.errors import AmRatingsError
    from tui.tokens.generate import generate_developer_token, key_id_from_file_name
    from tui.tokens.inspect import inspect_developer_token
    from tui.tokens.store import TokenStoreError, keyring_timeout, save_token, token_file_path

    if args.file and not args.save:
        say("amratings: error: --file only applies with --save")
        say("hint: `amratings token generate ... --save --file`")
        return EXIT_USAGE
    try:
        token = generate_developer_token(args.team_id, args.key_id, Path(args.key_file),
                                         days=args.days, origins=args.origin)
    except AmRatingsError as exc:
        print_error(exc)
        return EXIT_USAGE
    remember_secrets(token)
    named = key_id_from_file_name(args.key_file)
    if named and named != args.key_id.strip():
        say(f"amratings: warning: the key file is named for key {named}, but --key-id is "
            f"{args.key_id.strip()}; Apple will refuse the token if kid does not match the key")
    report = inspect_developer_token(token)
    summary = (f"developer token {report.fingerprint}: team {report.iss}, key {report.kid}, "
               f"expires {_when(report.exp)} ({report.expiry_text})")
    if not args.save:
        say(f"amratings: made a {summary}")
        # The one place a token is printed whole: the user asked for it, on stdout only.
        sys.stdout.write(token + "\n")
        sys.stdout.flush()
        return EXIT_OK
    where: Literal["keyring", "file"] = "file" if args.file else "keyring"
    try:
        save_token("developer", token, where, timeout=keyring_timeout())
    except TokenStoreError as exc:
        if exc.backend is None or not _file_instead(exc):
            print_error(exc)
            say("hint: run again with `--save --file` to store it in a 0600 file, or without "
                "--save to print the token and keep it yourself")
            return exc.exit_code
        where = "file"
        try:
            save_token("developer", token, where, timeout=keyring_timeout())
        except AmRatingsError as file_exc:
            print_error(file_exc)
            say("hint: run again without --save to print the token and keep it yourself")
            return file_exc.exit_code
    except AmRatingsError as exc:
        print_error(exc)
        return exc.exit_code
    place = f"{token_file_path()} (mode 0600)" if where == "file" else "the keyring"
    sys.stdout.write(f"Stored a new {summary} in {place}.\n")
    sys.stdout.flush()
    _warn_if_shadowed("developer", token)
    return EXIT_OK


def _file_instead(exc: AmRatingsError) -> bool:
    """The keyring refused a freshly made token: whether to store it in the 0600 token file
    instead. On a terminal the user is asked (yes by default); otherwise it is, with a line
    saying so, since the alternative is to throw away a token the user asked to keep."""
    from tui.tokens.store import token_file_path

    path = token_file_path()
    if sys.stdin.isatty() and sys.stderr.isatty():
        say(f"amratings: {exc.message}")
        sys.stderr.write(f"Store the new token in {path} (mode 0600) instead? [Y/n] ")
        sys.stderr.flush()
        answer = sys.stdin.readline()  # "" at end of input (ctrl-D): no
        return bool(answer) and answer.strip().lower() in ("", "y", "yes")
    say(f"amratings: warning: {exc.message}; storing the new token in {path} (mode 0600) "
        "instead (`amratings token forget developer` removes it)")
    return True
