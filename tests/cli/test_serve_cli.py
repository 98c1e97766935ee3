"""``amratings serve``: the served command is the plain app with the global options, loopback is
the default and any other host is warned about (here and in the app), a missing textual-serve
is one clear line with the install command, and nothing serves with options it cannot honour."""

from __future__ import annotations

import os
import socket
import sys
import types
from pathlib import Path

import pytest
from loopback import run_cli

from tui.__main__ import parse_args
from tui.cli import serve
from tui.config import AppConfig


def test_the_page_runs_the_plain_app_with_the_global_options() -> None:
    args = parse_args(["--demo", "--type", "songs", "serve", "-l", "en-GB", "--timeout", "5",
                       "--batch-size", "50", "--concurrency", "2", "--port", "9000"])
    assert (args.host, args.port) == ("127.0.0.1", 9000)
    command = serve.app_command(args, python="py")
    assert command[:3] == ["py", "-m", "tui"] and "serve" not in command
    for pair in (["--type", "songs"], ["--language", "en-GB"], ["--timeout", "5.0"],
                 ["--batch-size", "50"], ["--concurrency", "2"]):
        assert " ".join(pair) in " ".join(command)
    assert "--demo" in command
    plain = serve.app_command(parse_args(["serve"]), python="py")
    assert plain == ["py", "-m", "tui"]


@pytest.mark.parametrize("host,loopback", [
    ("127.0.0.1", True), ("127.1.2.3", True), ("::1", True), ("[::1]", True),
    ("localhost", True), ("0.0.0.0", False), ("::", False), ("192.0.2.7", False),
    ("myhost.example", False)])
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert serve.is_loopback(host) is loopback


class FakeServer:
    """Stands in for textual-serve's Server: records how it was built, serves nothing."""

    made: list[FakeServer] = []

    def __init__(self, command: str, host: str, port: int, title: str,
                 templates_path: Path) -> None:
        self.command, self.host, self.port = command, host, port
        self.title, self.templates_path = title, templates_path
        self.served = False
        FakeServer.made.append(self)

    def serve(self) -> None:
        self.served = True


@pytest.fixture
def fake_textual_serve(monkeypatch: pytest.MonkeyPatch) -> list[FakeServer]:
    module = types.ModuleType("textual_serve.server")
    module.Server = FakeServer  # type: ignore[attr-defined]
    package = types.ModuleType("textual_serve")
    monkeypatch.setitem(sys.modules, "textual_serve", package)
    monkeypatch.setitem(sys.modules, "textual_serve.server", module)
    monkeypatch.delenv(serve.SERVED_HOST_ENV, raising=False)
    FakeServer.made = []
    return FakeServer.made


def test_loopback_by_default_without_a_warning(fake_textual_serve: list[FakeServer],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert serve.run(parse_args(["--demo", "serve"]), AppConfig(demo=True)) == 0
    [server] = fake_textual_serve
    assert server.served and (server.host, server.port) == ("127.0.0.1", 8000)
    assert server.command.endswith("-m tui --demo")
    assert (server.templates_path / "app_index.html").is_file()
    assert "warning" not in capsys.readouterr().err
    assert serve.SERVED_HOST_ENV not in os.environ


def test_another_host_warns_here_and_in_the_app(fake_textual_serve: list[FakeServer],
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert serve.run(parse_args(["serve", "--host", "0.0.0.0", "--port", "8123"]),
                     AppConfig()) == 0
    err = capsys.readouterr().err
    assert "warning" in err and "0.0.0.0:8123" in err and "no authentication" in err
    assert "amratings --demo serve" in err
    # The apps the page starts inherit this and open with the warning.
    assert os.environ[serve.SERVED_HOST_ENV] == "0.0.0.0:8123"
    os.environ.pop(serve.SERVED_HOST_ENV)


def test_the_page_template_needs_nothing_from_another_host() -> None:
    page = (serve.TEMPLATES / "app_index.html").read_text(encoding="utf-8")
    assert "googleapis" not in page and "https://" not in page
    assert "fonts/RobotoMono-VariableFont_wght.ttf" in page


def test_missing_textual_serve_says_how_to_install(isolated_env: dict[str, str],
                                                   tmp_path: Path) -> None:
    # A textual_serve that cannot be imported, first on the path.
    broken = tmp_path / "shadow" / "textual_serve"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text("raise ImportError('not installed')\n")
    result = run_cli(["--demo", "serve"], {**isolated_env, "PYTHONPATH": str(broken.parent)})
    assert result.returncode == 2
    assert "needs textual-serve" in result.stderr
    assert "pip install 'amratings[serve]'" in result.stderr
    assert "Traceback" not in result.stderr


def test_refused_options(isolated_env: dict[str, str], tmp_path: Path) -> None:
    har = run_cli(["--demo", "--har", str(tmp_path / "x.har"), "serve"], isolated_env)
    assert har.returncode == 2 and "--har does not apply to serve" in har.stderr
    assert not (tmp_path / "x.har").exists()
    port = run_cli(["serve", "--port", "70000"], isolated_env)
    assert port.returncode == 2 and "port" in port.stderr
    bad_type = run_cli(["--type", "song", "serve"], isolated_env)
    assert bad_type.returncode == 2


def test_a_port_in_use_is_one_clear_line(isolated_env: dict[str, str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli(["--demo", "serve", "--port", str(port)], isolated_env)
    assert result.returncode == 1
    assert f"cannot serve on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr
