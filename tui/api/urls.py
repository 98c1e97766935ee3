"""Base URL rules, kept apart from the client so they can be checked before httpx loads.

https only, except http to a loopback address, so tokens never cross a network in clear text.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from tui.api.errors import ConfigurationError

DEFAULT_BASE_URL = "https://api.music.apple.com"
#: The authority of a base URL (credentials are refused apart): a host name or IPv4 address,
#: or an IPv6 address in brackets, then an optional port. ``[::1]evil.com`` does not match.
_NETLOC = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?\.?|\[[0-9A-Fa-f:.]+\])"
                     r"(?::[0-9]{0,5})?")


def normalize_base_url(url: str) -> str:
    """Return ``url`` without a trailing slash, or raise :class:`ConfigurationError`.

    https only, except http to a loopback address (127.0.0.0/8, ::1, localhost), so tokens
    never cross a network in clear text. A path prefix (a local proxy) is kept.
    """
    raw = url.strip()
    odd = next((c for c in raw if not " " < c < "\x7f"), None)
    if odd is not None:
        raise ConfigurationError(
            f"base URL {raw!r} contains {odd!r}, which cannot be part of a URL",
            hint="give the URL in printable ASCII, without spaces (e.g. "
                 "https://api.music.apple.com)")
    try:
        parts = urlsplit(raw)
        host = parts.hostname or ""
    except ValueError as exc:  # "Invalid IPv6 URL", "An IPv4 address cannot be in brackets"
        raise ConfigurationError(f"base URL {raw!r} is not a valid URL ({exc})",
                                 hint="use e.g. https://api.music.apple.com or "
                                      "http://[::1]:8080") from None
    scheme = parts.scheme.lower()
    if parts.netloc and not _NETLOC.fullmatch(parts.netloc.rsplit("@", 1)[-1]):
        raise ConfigurationError(
            f"base URL {raw!r} has an invalid host part ({parts.netloc!r})",
            hint="a host name, an IPv4 address or an IPv6 address in brackets, then an "
                 "optional :port")
    if ":" in host:  # (``hostname`` drops the brackets)
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise ConfigurationError(f"base URL {raw!r} has an invalid IPv6 address",
                                     hint="e.g. http://[::1]:8080") from None
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


def environment_proxy(base_url: str) -> str | None:
    """The proxy the environment (``HTTPS_PROXY``, ``HTTP_PROXY``, ``ALL_PROXY``, minus
    ``NO_PROXY``) names for ``base_url``; None for a loopback host, whatever the environment
    says: plain http to loopback carries both tokens in clear text, and must never leave the
    machine through a proxy."""
    import urllib.request

    parts = urlsplit(base_url)
    host = parts.hostname or ""
    if is_loopback_host(host):
        return None
    proxies = urllib.request.getproxies()
    proxy = proxies.get(parts.scheme.lower()) or proxies.get("all")
    if not proxy or urllib.request.proxy_bypass(host):
        return None
    return proxy


def proxy_for_display(proxy: str) -> str:
    """``proxy`` without its credentials, for ``-v``."""
    try:
        parts = urlsplit(proxy)
        if parts.username or parts.password:
            host = parts.hostname or ""
            port = f":{parts.port}" if parts.port else ""
            return parts._replace(netloc=f"***@{host}{port}").geturl()
    except ValueError:
        return "(an unreadable proxy URL)"
    return proxy


def is_loopback_host(host: str) -> bool:
    """True for ``localhost`` and loopback IP addresses."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
