"""Widgets of the app, one area of the screen each.

- :mod:`tui.widgets.id_pane`: rating type, id input, language, inline validation
- :mod:`tui.widgets.results`: the results table and its count line
- :mod:`tui.widgets.rating_badge`: the "♥ Liked" / "✕ Disliked" / "· Not rated" cell
- :mod:`tui.widgets.error_panel`: the error panel and the wording of every failure
- :mod:`tui.widgets.request_view`: one HTTP exchange, as the request inspector shows it
- :mod:`tui.widgets.banner`: the DEMO marker, custom base URL warning and token fingerprints

Nothing here imports httpx or pydantic: these widgets draw the first frame.
"""
