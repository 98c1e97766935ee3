"""The headless command-line interface (subcommands). ``tui/__main__.py`` dispatches here."""
