"""The headless command-line interface (subcommands). ``tui/__main__.py`` dispatches here.

The exit statuses live here, in the package's tiny ``__init__``, so the entry point can use them
without importing any command module before the TUI's first frame.
"""

#: 0 success (including "not rated" and "already cleared"); 1 the API or the network failed;
#: 2 bad input or missing configuration, found before any request is sent.
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
