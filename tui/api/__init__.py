"""The async service layer over Apple's ratings API. Never imports textual.

Public surface: :class:`~tui.api.client.RatingsClient`, the rating types in
:mod:`tui.api.types`, the exceptions in :mod:`tui.api.errors`, and the embedded simulated API
in :mod:`tui.api.simulated`. Import the submodules directly; this package imports nothing so the
first frame of the TUI can be drawn before httpx and pydantic load.
"""
