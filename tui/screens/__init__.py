"""Screens: the browser (main screen), the request inspector, and confirmations.

The token setup screen lives in :mod:`tui.screens.token_setup`. Screens other than the browser
are imported when first shown, so the first frame does not pay for them.
"""
