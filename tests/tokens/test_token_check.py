"""``check_tokens`` against the simulated API (as a transport and over a loopback socket)."""

from __future__ import annotations

import time

from tests.loopback import Behaviour, LoopbackServer
from tui.api.client import RatingsClient
from tui.api.simulated import (
    DEMO_USER_TOKEN,
    Fault,
    SimulatedAppleMusic,
    make_demo_developer_token,
)
from tui.tokens.check import TokenCheck, check_tokens

FAKE_OTHER_USER = "FAKE-USER-TOKEN-for-another-developer-token"


async def _no_sleep(_: float) -> None:
    return None


async def run_check(dev: str | None, user: str | None,
                    sim: SimulatedAppleMusic | None = None,
                    base_url: str = "https://api.music.apple.com") -> tuple[TokenCheck,
                                                                            SimulatedAppleMusic]:
    sim = sim or SimulatedAppleMusic()
    transport = sim if base_url.startswith("https://api.music") else None
    async with RatingsClient(dev, user, base_url=base_url, transport=transport,
                             max_attempts=1, sleep=_no_sleep) as client:
        return await check_tokens(client), sim


async def test_both_pass() -> None:
    check, sim = await run_check(make_demo_developer_token(), DEMO_USER_TOKEN)
    assert check.ok and check.exit_code == 0 and check.missing == []
    dev, user = check.steps
    assert (dev.token, dev.path, dev.status, dev.outcome) == ("developer", "/v1/test", 200,
                                                              "passed")
    assert (user.token, user.path, user.status, user.outcome) == ("user", "/v1/me/storefront",
                                                                  200, "passed")
    assert user.storefront == "United States (us)"
    assert dev.elapsed >= 0 and user.elapsed >= 0
    assert [p for _, p in sim.requests] == ["/v1/test", "/v1/me/storefront"]


async def test_developer_token_401_skips_the_user_step() -> None:
    expired = make_demo_developer_token(now=time.time() - 100 * 86400, days=90)
    check, sim = await run_check(expired, DEMO_USER_TOKEN)
    assert not check.ok and check.exit_code == 1
    dev, user = check.steps
    assert (dev.status, dev.outcome, dev.error_kind) == (401, "failed", "DeveloperTokenError")
    assert dev.diagnosis[0].startswith("Apple rejected the developer token")
    assert any("expired" in s and "15,777,000 s (about 182.6 days)" in s for s in dev.diagnosis)
    # Local inspection says which of the causes it is.
    assert any(s.startswith("Local inspection of the developer token: Expired") for s in
               dev.diagnosis)
    assert user.outcome == "skipped" and user.status is None
    assert [p for _, p in sim.requests] == ["/v1/test"]


async def test_user_token_403_names_the_user_token() -> None:
    check, _ = await run_check(make_demo_developer_token(), FAKE_OTHER_USER)
    assert check.exit_code == 1
    dev, user = check.steps
    assert dev.ok
    assert (user.status, user.outcome, user.code, user.title, user.detail) == (
        403, "failed", "40300", "Forbidden", "Invalid authentication")
    text = " ".join(user.diagnosis)
    assert user.diagnosis[0].startswith("Apple rejected the music user token")
    for cause in ("password change", "another developer token", "privacy prompt"):
        assert cause in text
    assert FAKE_OTHER_USER not in text + str(user.to_json())


async def test_user_step_401_means_no_subscription() -> None:
    sim = SimulatedAppleMusic()
    sim.inject(Fault(status=401, body=b"Unauthorized", path_contains="/v1/me/storefront"))
    check, _ = await run_check(make_demo_developer_token(), DEMO_USER_TOKEN, sim)
    user = check.steps[1]
    assert user.status == 401 and "subscription" in " ".join(user.diagnosis)


async def test_server_error_on_the_first_step_still_checks_the_user_token() -> None:
    sim = SimulatedAppleMusic()
    sim.inject(Fault(status=503, path_contains="/v1/test"))
    check, _ = await run_check(make_demo_developer_token(), DEMO_USER_TOKEN, sim)
    dev, user = check.steps
    assert dev.status == 503 and dev.outcome == "failed"
    assert "transient" in " ".join(dev.diagnosis)
    assert user.ok and check.exit_code == 1


async def test_missing_tokens_send_nothing_that_must_fail() -> None:
    check, sim = await run_check(None, None)
    assert check.missing == ["developer", "user"] and check.exit_code == 2
    assert [s.outcome for s in check.steps] == ["missing", "missing"]
    assert sim.requests == []
    check, sim = await run_check(make_demo_developer_token(), None)
    assert check.missing == ["user"] and check.exit_code == 2
    assert [s.outcome for s in check.steps] == ["passed", "missing"]
    assert [p for _, p in sim.requests] == ["/v1/test"]


async def test_json_shape() -> None:
    check, _ = await run_check(make_demo_developer_token(), FAKE_OTHER_USER)
    data = check.to_json()
    assert data["ok"] is False and data["missing"] == []
    assert [s["outcome"] for s in data["steps"]] == ["passed", "failed"]
    assert data["steps"][1]["code"] == "40300"


async def test_over_a_loopback_socket(loopback: LoopbackServer) -> None:
    dev = make_demo_developer_token()
    check, _ = await run_check(dev, DEMO_USER_TOKEN, base_url=loopback.url)
    assert [s.status for s in check.steps] == [200, 200] and check.ok
    check, _ = await run_check(dev, FAKE_OTHER_USER, base_url=loopback.url)
    assert [s.status for s in check.steps] == [200, 403] and check.steps[1].code == "40300"
    check, _ = await run_check("FAKE-DEV-TOKEN-not-a-jwt", DEMO_USER_TOKEN,
                               base_url=loopback.url)
    assert [s.outcome for s in check.steps] == ["failed", "skipped"]
    assert check.steps[0].status == 401
    assert any("Not a JWT" in s for s in check.steps[0].diagnosis)
    # The skipped step really was not sent.
    assert loopback.paths().count("/v1/me/storefront") == 2


async def test_network_failure_is_diagnosed_as_such(loopback: LoopbackServer) -> None:
    loopback.add(Behaviour(kind="reset", times=None))
    check, _ = await run_check(make_demo_developer_token(), DEMO_USER_TOKEN,
                               base_url=loopback.url)
    dev = check.steps[0]
    assert dev.status is None and dev.error_kind == "NetworkError"
    assert dev.diagnosis[0] == "No answer from the API, so the tokens were not judged."
