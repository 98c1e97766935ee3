"""Post-processing of the app's SVG screenshots (snapshots, screenshots, the palette's "Save
screenshot"), so that every SVG renderer shows what the terminal shows."""

from __future__ import annotations

import re

#: One text run of a Rich SVG export: its x, its width, and the text (spaces as ``&#160;``).
_SVG_TEXT_RUN = re.compile(
    r'(<text class="[^"]*" x=")([0-9.]+)(" y="[0-9.]+" textLength=")([0-9.]+)("[^>]*>)'
    r"((?:&#160;)*)([^<]*?)((?:&#160;)*)(</text>)")
_NBSP = "&#160;"


def place_edge_spaces(svg: str) -> str:
    """``svg`` with the spaces at either end of each text run moved into its x and width.

    Rich draws a run such as ``"    {"`` as one ``<text>`` of non-breaking spaces and glyphs.
    librsvg (and so many viewers and converters) drops leading and trailing NBSPs and draws the
    glyphs at the run's x, so indentation vanishes: pretty-printed JSON, a column after a
    padded name. The picture is the same in a browser; the x now says where the glyphs are.
    """

    import html  # here, not at the top: html.entities is half a MiB the first frame never needs

    def place(match: re.Match[str]) -> str:
        lead, middle, trail = match.group(6), match.group(7), match.group(8)
        if not (lead or trail) or not middle:
            return match.group(0)
        x, length = float(match.group(2)), float(match.group(4))
        cells = len(html.unescape(lead + middle + trail))
        cell = length / cells
        n_lead, n_trail = lead.count(_NBSP), trail.count(_NBSP)
        x += n_lead * cell
        length -= (n_lead + n_trail) * cell
        return (f"{match.group(1)}{format(x, 'g')}{match.group(3)}{format(length, 'g')}"
                f"{match.group(5)}{middle}{match.group(9)}")

    return _SVG_TEXT_RUN.sub(place, svg)
