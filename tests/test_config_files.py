"""Issue 10 section 4, the files part: a FIFO, a device, a directory or a huge file at the
config or token file path is refused at once (never a hang, never read whole); config values
of the wrong type or out of range are exit 2 naming the file, the key and what is allowed;
unknown keys are a warning (stderr for the commands, a notification in the TUI)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from loopback import run_cli_many

from tui.config import AppConfig, ConfigFileError, build_config, read_config_file

LIKED = "i.NJv00rkTEaLK51"


def special_paths(tmp_path: Path) -> dict[str, Path]:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    huge = tmp_path / "huge.toml"
    huge.write_bytes(b"# " + b"x" * (2 * 1024 * 1024) + b"\n")
    return {"fifo": fifo, "dev-zero": Path("/dev/zero"), "directory": tmp_path,
            "huge": huge}


def test_odd_config_files_are_refused_at_once(isolated_env: dict[str, str],
                                              tmp_path: Path) -> None:
    paths = special_paths(tmp_path)
    started = time.monotonic()
    runs = [(["--demo", "get", LIKED], {**isolated_env, "AMRATINGS_CONFIG": str(path)})
            for path in paths.values()]
    results = run_cli_many(runs, timeout=30)
    assert time.monotonic() - started < 25  # no run waited for a writer or read /dev/zero
    for (name, path), result in zip(paths.items(), results, strict=True):
        assert result.returncode == 2, (name, result.stderr)
        words = "larger than 1,048,576 bytes" if name == "huge" else "not a regular file"
        assert f"config file {path}" in result.stderr and words in result.stderr, name
        assert "Traceback" not in result.stderr


def test_odd_token_files_are_refused_at_once(isolated_env: dict[str, str],
                                             tmp_path: Path) -> None:
    folder = Path(isolated_env["XDG_CONFIG_HOME"]) / "amratings"
    folder.mkdir(parents=True, exist_ok=True)
    token_file = folder / "tokens.json"
    os.mkfifo(token_file)
    (tmp_path / "big").mkdir()
    big = tmp_path / "big" / "tokens.json"
    big.write_text(json.dumps({"developer": "x" * 100_000}))
    big.chmod(0o600)
    runs = [(["token", "status"], isolated_env)]
    started = time.monotonic()
    results = run_cli_many(runs, timeout=30)
    assert time.monotonic() - started < 25
    assert "not a regular file" in results[0].stderr + results[0].stdout, results[0]
    assert "Traceback" not in results[0].stderr
    token_file.unlink()
    token_file.write_bytes(big.read_bytes())
    token_file.chmod(0o600)
    result = run_cli_many(runs, timeout=30)[0]
    assert "larger than 65,536 bytes" in result.stderr + result.stdout, result
    assert "x" * 100 not in result.stderr + result.stdout


BAD_VALUES = [
    ("timeout = 0", "timeout", "above 0 and at most 3600"),
    ("timeout = -1.5", "timeout", "above 0 and at most 3600"),
    ("timeout = nan", "timeout", "above 0"),
    ("timeout = inf", "timeout", "above 0"),
    ("timeout = true", "timeout", "got True"),
    ('timeout = "10"', "timeout", "got '10'"),
    ("batch_size = 0", "batch_size", "from 1 to 1000"),
    ("batch_size = -5", "batch_size", "from 1 to 1000"),
    ("batch_size = 2.5", "batch_size", "whole number"),
    ("batch_size = false", "batch_size", "got False"),
    ("concurrency = 0", "concurrency", "from 1 to 64"),
    ("concurrency = -1", "concurrency", "from 1 to 64"),
    ("concurrency = true", "concurrency", "got True"),
    ('type = "song"', "type", "one of albums, songs"),
    ("base_url = 5", "base_url", "a string"),
    ("keymap = 3", "[keymap]", "table"),
    ('[keymap]\n"rating.like" = 5', "keymap.rating.like", "a string of keys"),
]


@pytest.mark.parametrize("text,key,words", BAD_VALUES, ids=[b[0] for b in BAD_VALUES])
def test_bad_values_name_the_file_the_key_and_the_range(tmp_path: Path, text: str, key: str,
                                                        words: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text + "\n")
    with pytest.raises(ConfigFileError) as caught:
        build_config(read_config_file(path), path)
    message = str(caught.value)
    assert f"config file {path}" in message and key in message and words in message


def test_bad_values_are_exit_2_for_the_commands_and_the_tui(isolated_env: dict[str, str],
                                                            tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("concurrency = 0\n")
    env = {**isolated_env, "AMRATINGS_CONFIG": str(path)}
    get, tui = run_cli_many([(["--demo", "get", LIKED], env), (["--demo"], env)], timeout=30)
    for result in (get, tui):
        assert result.returncode == 2, result.stderr
        assert f"amratings: error: config file {path}: concurrency must be a whole number " \
               "from 1 to 64, got 0" in result.stderr


def test_good_values_and_a_type_given_on_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('timeout = 2.5\nbatch_size = 1000\nconcurrency = 64\ntype = "songs"\n')
    config = build_config(read_config_file(path), path)
    assert (config.timeout, config.batch_size, config.concurrency, config.rating_type) == \
        (2.5, 1000, 64, "songs")
    path.write_text('type = "song"\n')
    # --type wins over the file, so the file's type is not checked (nor used).
    assert build_config(read_config_file(path), path, rating_type="albums").rating_type == \
        "albums"


def test_unknown_keys_are_a_warning_on_stderr(isolated_env: dict[str, str],
                                              tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('colour = "red"\nbatchsize = 5\n')
    config = build_config(read_config_file(path), path)
    assert config.warnings and "'colour', 'batchsize'" in config.warnings[0]
    result = run_cli_many([(["--demo", "get", LIKED], {**isolated_env,
                                                      "AMRATINGS_CONFIG": str(path)})])[0]
    assert result.returncode == 0, result.stderr
    assert f"amratings: warning: config file {path}: ignoring unknown keys 'colour', " \
           "'batchsize'" in result.stderr


async def test_unknown_keys_are_a_notification_in_the_tui() -> None:
    from tui.app import AmRatingsApp

    config = AppConfig(demo=True, warnings=["config file /x/config.toml: ignoring unknown key "
                                            "'colour\x1b]52;c;aGk=\x07'"])
    app = AmRatingsApp(config, load_tokens=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        shown = [n.message for n in app._notifications]
        assert any("ignoring unknown key 'colour" in m for m in shown), shown
        assert not any("\x1b" in m or "\x07" in m for m in shown)


# --- keymap --------------------------------------------------------------------------------


def test_the_default_bindings_have_no_problems() -> None:
    from tui.keymap import binding_places, keymap_problems

    places = binding_places()
    assert any("rating.like" in ids for ids in places.values())
    assert keymap_problems({}) == []
    # Remapping an action to its own default key, or to a free key, is fine.
    assert keymap_problems({"rating.like": "l"}) == []
    assert keymap_problems({"rating.like": "ctrl+y"}) == []


def test_unknown_ids_and_clashes_are_named() -> None:
    from tui.keymap import keymap_problems

    problems = keymap_problems({"rating.like": "d", "rating.nope": "z", "other.x": "q"})
    assert problems[0] == "[keymap] names unknown binding ids 'rating.nope', 'other.x': ignored"
    assert "[keymap] binds 'd' to both 'rating.dislike' and 'rating.like': only one of them " \
           "will run" in problems


async def test_keymap_problems_are_a_notification_in_the_tui() -> None:
    from tui.app import AmRatingsApp

    app = AmRatingsApp(AppConfig(demo=True, keymap={"rating.like": "d", "no.such": "x"}),
                       load_tokens=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        shown = [n.message for n in app._notifications]
        assert any("unknown binding id 'no.such'" in m for m in shown), shown
        assert any("binds 'd' to both" in m for m in shown), shown
