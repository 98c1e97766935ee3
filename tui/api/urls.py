"""Base URL rules, kept apart from the client so they can be checked before httpx loads.

https only, except http to a loopback address, so tokens never cross a network in clear text.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from tui.api.errors import ConfigurationError

DEFAULT_BASE_URL = "https://api.music.apple.com"


def normalize_base_url(url: str) -> str:
    """Return ``url`` without a trailing slash, or raise :class:`ConfigurationError`.

    https only, except http to a loopback address (127.0.0.0/8, ::1, localhost), so tokens
    never cross a network in clear text. A path prefix (a local proxy) is kept.
    """
    raw = url.strip()
    parts = urlsplit(raw)
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    if scheme not in ("http", "https") or not host:
        raise ConfigurationError(f"base URL {raw!r} is not an http(s) URL",
                                 hint="use e.g. https://api.music.apple.com")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ConfigurationError(f"base URL {raw!r} must not carry a query, fragment or "
                                 "credentials", hint="give scheme, host, port and path only")
    try:
        parts.port  # noqa: B018 - raises ValueError for a port outside 0-65535 or not a number
    except ValueError:
        raise ConfigurationError(f"base URL {raw!r} has an invalid port",
                                 hint="use e.g. http://127.0.0.1:8080") from None
    if scheme == "http" and not is_loopback_host(host):
        raise ConfigurationError(
            f"base URL {raw!r} uses plain http to a non-loopback host; https is required",
            hint="tokens would cross the network unencrypted; use https:// (http:// is only "
                 "allowed for 127.0.0.0/8, ::1 and localhost)")
    return raw.rstrip("/")


def is_loopback_host(host: str) -> bool:
    """True for ``localhost`` and loopback IP addresses."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
