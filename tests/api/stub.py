"""A scripted httpx transport for client tests: records every request, answers from a function,
and measures how many requests are in flight at once."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx

Answer = Callable[[httpx.Request], httpx.Response | Awaitable[httpx.Response]]


class StubTransport(httpx.AsyncBaseTransport):
    """Answers each request with ``answer(request)`` (sync or async), after ``delay`` seconds."""

    def __init__(self, answer: Answer, delay: float = 0.0) -> None:
        self.answer = answer
        self.delay = delay
        self.requests: list[httpx.Request] = []
        self.bodies: list[bytes] = []
        self.in_flight = 0
        self.max_in_flight = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.bodies.append(await request.aread())
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.delay:
                await asyncio.sleep(self.delay)
            result = self.answer(request)
            if not isinstance(result, httpx.Response):
                result = await result
            return result
        finally:
            self.in_flight -= 1


class FakeSleep:
    """An injectable ``sleep`` that records the waits instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
