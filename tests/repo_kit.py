"""What tests across the suite share about the repository itself."""

from __future__ import annotations

from pathlib import Path

#: The repository's root (where pyproject.toml is).
ROOT = Path(__file__).resolve().parent.parent
