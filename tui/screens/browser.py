"""The browser: the main screen. Ids in, ratings out, row actions, errors and requests.

Every network call runs in an exclusive worker: a new lookup cancels the one still running,
and a second action on the same item replaces the first. Results come back as messages
(:mod:`tui.messages`) tagged with their lookup, so a late batch of a replaced lookup is ignored.
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.lazy import Lazy
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Header, Input

from tui.api.errors import AmRatingsError
from tui.api.results import RatingResult
from tui.api.types import RatingType
from tui.messages import (
    LookupFailed,
    LookupFinished,
    NamesLoaded,
    RatingActionFailed,
    RatingsLoaded,
    RatingUpdated,
    RowAction,
)
from tui.widgets.banner import BackendBanner
from tui.widgets.error_panel import ErrorPanel
from tui.widgets.footer import AppFooter
from tui.widgets.id_pane import IdPane
from tui.widgets.results import ResultsSummary, ResultsTable

if TYPE_CHECKING:
    from tui.session import Session
    from tui.tokens.store import TokenPair

#: A lookup that answers within this many seconds paints once, with its results; a slower one
#: shows its loading rows after this long.
LOADING_ROWS_DELAY = 0.05

#: What a row says while its action is in flight.
PENDING_NOTE = {"like": "liking…", "dislike": "disliking…", "clear": "clearing…",
                "refetch": "re-fetching…"}


def done_note(action: RowAction, result: RatingResult) -> str:
    """The row's note once an action came back."""
    if action == "clear":
        return "cleared" if result.cleared else "was not rated"
    return {"like": "liked", "dislike": "disliked", "refetch": "re-fetched"}.get(action, "")


class BrowserScreen(Screen[None]):
    """The ID input pane, the results table with its counts, and the error panel."""

    AUTO_FOCUS = "#ids"

    BINDINGS = [
        Binding("escape", "dismiss_error", "Dismiss error", id="error.dismiss"),
        Binding("f3", "inspect('error')", "Request", id="browser.inspect"),
        Binding("f4", "sample_ids", "Sample ids", id="demo.samples"),
    ]

    def __init__(self, session: Session, rating_type: RatingType) -> None:
        super().__init__()
        self.session = session
        self.config = session.config
        self.rating_type = rating_type
        self._lookup = 0
        self._busy = False
        #: The type and ids of the last lookup (for its names).
        self._looked_up: tuple[RatingType, list[str]] | None = None
        #: Frames held back while a lookup has just been sent (see :meth:`_hold_frames`).
        self._frames_held: ExitStack | None = None
        self._hold_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield BackendBanner(demo=self.config.demo, base_url=self.config.base_url,
                            custom_base_url=self.config.custom_base_url, id="banner")
        yield IdPane(self.rating_type, self.config.language, id="id-pane")
        yield ResultsSummary(id="summary")
        yield ResultsTable(id="results")
        # Hidden until something fails, so it need not be built for the first frame.
        yield Lazy(ErrorPanel(id="error-panel"))
        yield AppFooter()

    def on_mount(self) -> None:
        # The app's reactives (by name: a screen does not import the app).
        self.watch(self.app, "tokens", self._show_tokens)
        self.watch(self.app, "token_note", self._show_token_note, init=False)

    def on_unmount(self) -> None:
        self._release_frames()

    def _show_tokens(self, tokens: TokenPair | None) -> None:
        self.query_one(BackendBanner).show_tokens(tokens)

    def _show_token_note(self, note: str | None) -> None:
        if note is not None:
            self.query_one(BackendBanner).show_note(note)

    # -- parts -------------------------------------------------------------------------

    @property
    def table(self) -> ResultsTable:
        """The results table."""
        return self.query_one(ResultsTable)

    @property
    def error_panel(self) -> ErrorPanel | None:
        """The error panel, once mounted (it is lazy)."""
        found = self.query(ErrorPanel)
        return found.first() if found else None

    def show_error(self, error: AmRatingsError) -> None:
        """Put ``error`` in the error panel."""
        panel = self.error_panel
        if panel is not None:
            panel.show_error(error, self.session.tokens)

    def _refresh_summary(self) -> None:
        self.query_one(ResultsSummary).show(self.table.counts(), busy=self._busy)

    # -- lookups -----------------------------------------------------------------------

    @on(IdPane.Submitted)
    def _start_lookup(self, event: IdPane.Submitted) -> None:
        self._lookup += 1
        self._busy = True
        self._hold_frames()
        self.action_dismiss_error()
        self.table.show_ids(event.rating_type.value, event.ids)
        self._refresh_summary()
        self._looked_up = (event.rating_type, event.ids)
        self.run_lookup(self._lookup, event.rating_type, event.ids, event.language)

    def _hold_frames(self) -> None:
        """Paint nothing until the lookup's first answer, or ``LOADING_ROWS_DELAY``.

        Textual paints at most 60 frames a second and, after a frame, skips a tick: a frame of
        loading rows right after Enter would delay the results of a quick lookup by two ticks
        (about 35 ms). Held back (Textual's ``batch_update``, as ``App.delay_update`` does), a
        quick lookup paints once, with its results; a slow one shows its loading rows soon.
        """
        if self._frames_held is None:
            held = ExitStack()
            held.enter_context(self.app.batch_update())
            self._frames_held = held
        if self._hold_timer is not None:
            self._hold_timer.stop()
        self._hold_timer = self.set_timer(LOADING_ROWS_DELAY, self._release_frames,
                                          name="loading rows")

    def _release_frames(self) -> None:
        """Paint again (see :meth:`_hold_frames`)."""
        if self._hold_timer is not None:
            self._hold_timer.stop()
            self._hold_timer = None
        if self._frames_held is not None:
            held, self._frames_held = self._frames_held, None
            held.close()
            self.check_idle()  # the screen's idle handler schedules the next frame

    @work(exclusive=True, group="lookup")
    async def run_lookup(self, lookup: int, rating_type: RatingType, ids: list[str],
                         language: str | None) -> None:
        """Fetch the ratings of ``ids``; batches are posted as they arrive."""
        try:
            client = await self.session.ready_client()
            client.language = language

            def arrived(batch: list[RatingResult]) -> None:
                self.post_message(RatingsLoaded(batch, lookup))

            await client.get_ratings(rating_type, ids, on_results=arrived)
        except AmRatingsError as exc:
            self.post_message(LookupFailed(exc, lookup))
        else:
            self.post_message(LookupFinished(lookup, len(ids)))

    @on(RatingsLoaded)
    def _batch_arrived(self, message: RatingsLoaded) -> None:
        message.stop()  # handled here; the app has nothing to add
        if message.lookup != self._lookup:
            return  # a batch of a lookup that was replaced
        self._release_frames()
        self.table.apply_results(message.results)
        failed = next((r.error for r in message.results if r.error is not None), None)
        panel = self.error_panel
        if failed is not None and panel is not None and not panel.shown:
            self.show_error(failed)
        self._refresh_summary()

    @on(LookupFinished)
    def _lookup_finished(self, message: LookupFinished) -> None:
        message.stop()  # handled here; the app has nothing to add
        if message.lookup == self._lookup:
            self._release_frames()
            self._busy = False
            self._refresh_summary()
            # Names only when some rating came back: a lookup that failed as a whole (a
            # rejected token, say) would fail again.
            if self._looked_up is not None and any(
                    row.error is None for row in self.table.rows_state):
                rating_type, ids = self._looked_up
                self.run_names(message.lookup, rating_type, ids)

    @work(exclusive=True, group="names")
    async def run_names(self, lookup: int, rating_type: RatingType, ids: list[str]) -> None:
        """Fetch the names of a lookup's items once their ratings are in. A failure leaves the
        rows as they are (a name is a courtesy; the rating is what was asked for)."""
        try:
            from tui.api.library import LibraryService

            client = await self.session.ready_client()
            found, _failed = await LibraryService(client).lookup_items(rating_type, ids)
        except AmRatingsError:
            return
        names = {item_id: " · ".join(p for p in (item.name, item.artist) if p)
                 for item_id, item in found.items()}
        self.post_message(NamesLoaded(lookup, rating_type.value, names))

    @on(NamesLoaded)
    def _names_loaded(self, message: NamesLoaded) -> None:
        message.stop()  # handled here; the app has nothing to add
        if message.lookup == self._lookup:
            self.table.apply_names(message.rating_type, message.names)

    @on(LookupFailed)
    def _lookup_failed(self, message: LookupFailed) -> None:
        message.stop()  # handled here; the app has nothing to add
        if message.lookup != self._lookup:
            return
        self._release_frames()
        self._busy = False
        self.table.mark_all("", failed=message.error)
        self.show_error(message.error)
        self._refresh_summary()

    # -- row actions -------------------------------------------------------------------

    def action_like(self) -> None:
        """Like the selected row's item."""
        self._row_action("like")

    def action_dislike(self) -> None:
        """Dislike the selected row's item."""
        self._row_action("dislike")

    def action_clear_rating(self) -> None:
        """Remove the selected row's rating (DELETE)."""
        self._row_action("clear")

    def action_refetch(self) -> None:
        """Read the selected row's rating again."""
        self._row_action("refetch")

    def _row_action(self, action: RowAction) -> None:
        row = self.table.selected
        if row is None:
            self.notify("Look up some ids first; actions apply to the selected row.",
                        severity="warning")
            return
        self.table.mark(row.rating_type, row.item_id, PENDING_NOTE[action])
        # Exclusive per item: a second action on the same item replaces the first; actions on
        # other items and the lookup run on.
        self.run_worker(self._send_action(action, row.rating_type, row.item_id),
                        group=f"rate:{row.rating_type}:{row.item_id}", exclusive=True,
                        name=f"{action} {row.item_id}")

    async def _send_action(self, action: RowAction, rating_type: str, item_id: str) -> None:
        try:
            client = await self.session.ready_client()
            if action == "like":
                result = await client.set_rating(rating_type, item_id, 1)
            elif action == "dislike":
                result = await client.set_rating(rating_type, item_id, -1)
            elif action == "clear":
                result = await client.clear_rating(rating_type, item_id)
            else:
                result = (await client.get_ratings(rating_type, [item_id]))[0]
        except AmRatingsError as exc:
            self.post_message(RatingActionFailed(exc, rating_type, item_id, action))
        else:
            self.post_message(RatingUpdated(result, action))

    @on(RatingUpdated)
    def _rating_updated(self, message: RatingUpdated) -> None:
        message.stop()  # handled here; the app has nothing to add
        self.table.apply_result(message.result, done_note(message.action, message.result))
        if message.result.error is not None:
            self.show_error(message.result.error)
        self._refresh_summary()

    @on(RatingActionFailed)
    def _action_failed(self, message: RatingActionFailed) -> None:
        message.stop()  # handled here; the app has nothing to add
        self.table.mark(message.rating_type, message.item_id, "", failed=message.error)
        self.show_error(message.error)
        self._refresh_summary()

    @on(DataTable.RowHighlighted, "#results")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        # While the panel is open it follows the cursor onto failed rows.
        row = self.table.selected
        panel = self.error_panel
        if row is not None and row.error is not None and panel is not None and panel.shown \
                and panel.error is not row.error:
            self.show_error(row.error)

    @on(DataTable.RowSelected, "#results")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_inspect("row")

    # -- other actions -----------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide keys that do nothing right now (no error shown, not a demo) from the footer."""
        if action == "dismiss_error":
            panel = self.error_panel
            return panel is not None and panel.shown
        if action == "sample_ids":
            return self.config.demo
        return True

    def action_dismiss_error(self) -> None:
        """Hide the error panel."""
        panel = self.error_panel
        if panel is not None and panel.shown:
            panel.dismiss()
            if panel.has_focus:
                self.table.focus()
        self.refresh_bindings()

    def action_focus_results(self) -> None:
        """Move the cursor into the results table."""
        # set_focus at once, not Widget.focus() (deferred): a key typed right after "down"
        # must reach the table, not the input.
        self.set_focus(self.table)

    def action_focus_ids(self) -> None:
        """Back to the ids input."""
        self.set_focus(self.query_one("#ids", Input))

    def action_inspect(self, source: str = "row") -> None:
        """Open the request inspector: for the error panel's request (``"error"``), the
        selected row (``"row"``), falling back to the last request."""
        from tui.screens.inspector import InspectorScreen, exchange_for

        history = self.session.history
        exchange, subject = None, None
        panel = self.error_panel
        if source == "error" and panel is not None and panel.shown:
            exchange = panel.error.exchange if panel.error is not None else None
            subject = "the failed request" if exchange is not None else None
        row = self.table.selected
        if exchange is None and row is not None:
            exchange = (row.error.exchange if row.error is not None else None) or exchange_for(
                history, row.rating_type, row.item_id)
            subject = row.item_id if exchange is not None else None
        if exchange is None and history:
            exchange, subject = history[-1], "the last request"
        self.app.push_screen(InspectorScreen(exchange, tokens=self.session.tokens,
                                             subject=subject, history=history))

    def action_sample_ids(self) -> None:
        """Demo only: fill in the simulation's seeded ids of the selected type."""
        if not self.config.demo:
            return
        from tui.api.simulated import SimulatedAppleMusic

        pane = self.query_one(IdPane)
        pane.set_ids(SimulatedAppleMusic.sample_ids(pane.rating_type.value))
        pane.focus_ids()
