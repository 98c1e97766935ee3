"""Issue 10 section 4, the network part: base URLs that are not URLs are exit 2 with a reason
before anything is sent, and proxies from the environment never see a loopback base URL (plain
http there carries both tokens in clear text); ``-v`` names the proxy used for https."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from loopback import LoopbackServer, run_cli, run_cli_many
from repo_kit import LIKED_ID

from tui.api.errors import ConfigurationError
from tui.api.simulated import DEMO_USER_TOKEN, make_demo_developer_token
from tui.api.urls import environment_proxy, normalize_base_url, proxy_for_display

DEV = make_demo_developer_token()

BAD_URLS = [
    ("http://[::1", "is not a valid URL"),
    ("http://[127.0.0.1]", "is not a valid URL"),
    ("http://[::1]evil.com", "invalid host part"),
    ("http://[::1]:80evil", "invalid host part"),
    ("http://exa\x01mple.com", "contains '\\x01'"),
    ("http://127.0.0.1\x1b]52;c;aGk=\x07/", "contains '\\x1b'"),
    ("https://api.music.apple.com\u202e/", "contains '\\u202e'"),
    ("http://a b.com", "contains ' '"),
    ("http://127.0.0.1:99999", "invalid port"),
    ("http://[:::1]", "is not a valid URL"),
    ("ftp://api.music.apple.com", "not an http(s) URL"),
]


@pytest.mark.parametrize("url,words", BAD_URLS, ids=[u for u, _ in BAD_URLS])
def test_bad_base_urls_are_refused_with_a_reason(url: str, words: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        normalize_base_url(url)
    assert words in caught.value.message
    assert "\x1b" not in caught.value.message and "\u202e" not in caught.value.message


def test_bad_base_urls_are_exit_2_before_anything_is_sent(
        isolated_env: dict[str, str], loopback: LoopbackServer) -> None:
    env = {**isolated_env, "APPLE_MUSIC_DEVELOPER_TOKEN": DEV,
           "APPLE_MUSIC_USER_TOKEN": DEMO_USER_TOKEN}
    runs = [(["--base-url", url, "get", LIKED_ID], env) for url, _ in BAD_URLS]
    runs.append(([ "get", LIKED_ID], {**env, "APPLE_MUSIC_API_BASE_URL": "http://[::1"}))
    for result, (url, words) in zip(run_cli_many(runs), [*BAD_URLS, BAD_URLS[0]],
                                    strict=True):
        assert result.returncode == 2, (url, result.stderr)
        assert words in result.stderr, (url, result.stderr)
        assert "unexpected error" not in result.stderr and "Traceback" not in result.stderr
        assert "\x1b" not in result.stderr and "\u202e" not in result.stderr


@pytest.mark.parametrize("url", ["http://[::1]:8080", "https://api.music.apple.com/",
                                 "http://localhost:8080/proxy", "https://x.example.com.:443"])
def test_good_base_urls_pass(url: str) -> None:
    assert normalize_base_url(url) == url.rstrip("/")


# --- proxies ------------------------------------------------------------------------------


@pytest.fixture
def proxy() -> Iterator[LoopbackServer]:
    # A second loopback server standing for a proxy: it records whatever reaches it.
    server = LoopbackServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"])
def test_a_loopback_base_url_never_goes_through_a_proxy(
        isolated_env: dict[str, str], loopback: LoopbackServer, proxy: LoopbackServer,
        variable: str) -> None:
    env = {**isolated_env, "APPLE_MUSIC_DEVELOPER_TOKEN": DEV,
           "APPLE_MUSIC_USER_TOKEN": DEMO_USER_TOKEN, "APPLE_MUSIC_API_BASE_URL": loopback.url,
           variable: proxy.url}
    env.pop("NO_PROXY")  # the suite's default would hide the fault
    result = run_cli(["-v", "get", LIKED_ID], env)
    assert result.returncode == 0, result.stderr
    assert proxy.seen == [] and len(loopback.seen) == 1
    assert "proxy" not in result.stderr
    assert environment_proxy(loopback.url) is None


def test_https_through_an_environment_proxy_is_named_in_verbose(
        isolated_env: dict[str, str], proxy: LoopbackServer) -> None:
    # The proxy here cannot tunnel (no CONNECT): the request fails, but -v has said, once,
    # which proxy it went through, with the proxy's credentials masked.
    masked = proxy.url.replace("http://", "http://***@")
    env = {**isolated_env, "APPLE_MUSIC_DEVELOPER_TOKEN": DEV,
           "APPLE_MUSIC_USER_TOKEN": DEMO_USER_TOKEN,
           "HTTPS_PROXY": proxy.url.replace("http://", "http://someone:pa55word@")}
    env.pop("NO_PROXY")  # the suite's default keeps every other test off any proxy
    result = run_cli(["-v", "--timeout", "5", "get", LIKED_ID], env)
    assert result.returncode == 1, result.stderr
    lines = [line for line in result.stderr.splitlines() if "through the proxy" in line]
    assert lines == [f"* through the proxy {masked} (from the environment)"], result.stderr
    assert "pa55word" not in result.stderr and "Traceback" not in result.stderr


def test_no_proxy_and_loopback_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy",
                 "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert environment_proxy("https://api.music.apple.com") is None
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    assert environment_proxy("https://api.music.apple.com") == "http://proxy.internal:3128"
    for loopback_url in ("http://127.0.0.1:9", "http://[::1]:9", "http://localhost:9",
                         "https://127.0.0.2"):
        monkeypatch.setenv("ALL_PROXY", "http://proxy.internal:3128")
        assert environment_proxy(loopback_url) is None
    monkeypatch.setenv("NO_PROXY", "api.music.apple.com")
    assert environment_proxy("https://api.music.apple.com") is None
    assert proxy_for_display("http://u:p@h:1") == "http://***@h:1"
    assert proxy_for_display("http://h:1") == "http://h:1"
