"""amratings: set up and debug Apple Music API tokens; look up, set and clear personal ratings."""

__version__ = "0.1.0"
