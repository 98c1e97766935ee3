"""Apple's documented limits that more than one module states, each defined once with its one
wording, so a hint, a finding and the simulation never disagree."""

from __future__ import annotations

#: Apple's ceiling for a developer token's ``exp`` minus now, in seconds (about 6 months).
MAX_TOKEN_LIFETIME = 15_777_000
#: :data:`MAX_TOKEN_LIFETIME` as every message words it: "15,777,000 s (about 182.6 days)".
TOKEN_LIFETIME_LIMIT = f"{MAX_TOKEN_LIFETIME:,} s (about {MAX_TOKEN_LIFETIME / 86400:.1f} days)"
