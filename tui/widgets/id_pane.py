"""The ID input pane: rating type, ids (one or many), language, and inline validation.

Every id is checked locally (:func:`tui.api.types.id_problem`) before anything is sent, so the
user reads *why* an id is wrong instead of an opaque 400 from Apple. Only a fully valid input
leaves the pane, as an :class:`IdPane.Submitted` message.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.markup import escape
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.message import Message
from textual.widgets import Input, Label, Select, Static
from textual.widgets.input import Selection

from tui.api.types import (
    ID_RULES,
    RatingType,
    id_problem,
    language_problem,
    quote_id,
    split_ids,
)
from tui.widgets.wording import plural

#: How many bad ids are listed one by one before "and N more".
MAX_LISTED_PROBLEMS = 4
#: The messages' height at most (``max-height`` of ``#id-problems``), in terminal rows.
MAX_PROBLEM_ROWS = 6


class IdsInput(Input):
    """A one-line input that also takes a pasted column of ids.

    Textual's Input keeps only the first line of a paste; here newlines (and tabs) become spaces
    so a column copied from a spreadsheet or a log arrives whole.
    """

    BINDINGS = [
        Binding("down", "screen.focus_results", "Results", id="browser.results"),
    ]

    def _on_paste(self, event: events.Paste) -> None:
        event.prevent_default()  # stop Input's own handler, which keeps only the first line
        event.stop()
        if not event.text:
            return
        text = " ".join(event.text.split())
        if self.selection.is_empty:
            self.insert_text_at_cursor(text)
        else:
            self.replace(text, *self.selection)


def rating_type_options() -> list[tuple[str, RatingType]]:
    """The nine types for the selector, labelled as people say them."""
    return [(t.label, t) for t in RatingType]


class _PlainStatic(Static):
    """Text that cannot be selected with the mouse, like the parts of Textual's selector."""

    ALLOW_SELECT = False


class TypePlaceholder(Horizontal, can_focus=True):
    """The rating type until the user reaches for it: drawn like the compact selector (also
    when focused), while the real one, with its pop-up list of nine options, is only built
    when this gains focus (see :meth:`IdPane._build_type_select`).

    Focus by keyboard (Tab, shift+Tab) or by :meth:`focus` asks for the selector at once. A
    mouse press focuses this without asking; the click that completes it asks for the selector
    with its list open, as a click on the selector does. (Swapping at the press would put the
    release on another widget, and the terminal's click would never come.)
    """

    ALLOW_SELECT = False
    #: The press is handled here (:meth:`on_mouse_down`), so a click is told from a Tab.
    FOCUS_ON_CLICK = False

    # The selector's own keys for opening its list (Select.BINDINGS; no id there either): they
    # matter only when a press focused this and the click never came (released elsewhere).
    BINDINGS = [
        Binding("enter,down,space,up", "open", "Show menu", show=False),
    ]

    DEFAULT_CSS = """
    TypePlaceholder {
        height: 1;
        padding: 0 1 0 0;
        color: $foreground;
        background: $surface;
        pointer: pointer;
        &:ansi {
            color: ansi_default;
            background: ansi_default;
        }
        /* As Select:focus > SelectCurrent (its border is none when compact). */
        &:focus {
            background-tint: $foreground 5%;
        }
    }
    TypePlaceholder > Static {
        background: transparent;
    }
    TypePlaceholder > .label {
        width: 1fr;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    TypePlaceholder > .arrow {
        box-sizing: content-box;
        width: 1;
        height: 1;
        padding: 0 0 0 1;
        color: $foreground 50%;
    }
    """

    @dataclass
    class Activated(Message):
        """The user reached for the rating type: build the selector (and open its list)."""

        open: bool

    def __init__(self, rating_type: RatingType, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._label = rating_type.label
        #: A mouse press focused this: the click (not the focus) asks for the selector.
        self._pressed = False

    def compose(self) -> ComposeResult:
        yield _PlainStatic(self._label, classes="label", markup=False)
        yield _PlainStatic("▼", classes="arrow")

    def show_type(self, rating_type: RatingType) -> None:
        """Show ``rating_type`` as the selected one."""
        self._label = rating_type.label
        for label in self.query(".label").results(Static):
            label.update(self._label)

    def on_mouse_down(self, _event: events.MouseDown) -> None:
        self._pressed = True
        self.screen.set_focus(self, scroll_visible=False)

    def on_focus(self, _event: events.Focus) -> None:
        if not self._pressed:
            self.post_message(self.Activated(open=False))

    def on_blur(self, _event: events.Blur) -> None:
        self._pressed = False

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.post_message(self.Activated(open=True))

    def action_open(self) -> None:
        """Build the selector and open its list (Enter, Space, Up or Down)."""
        self.post_message(self.Activated(open=True))


def id_problems(ids: list[str], rating_type: RatingType) -> list[tuple[str, str]]:
    """(id, why) for each id that cannot be sent as ``rating_type``, in input order."""
    out: list[tuple[str, str]] = []
    for item_id in dict.fromkeys(ids):
        problem = id_problem(item_id, rating_type)
        if problem is not None:
            out.append((item_id, problem))
    return out


def _more_line(count: int, *, listed: bool) -> str:
    if listed:
        return f"  … and {count} more"
    return f"  … {plural(count, 'id')}, too many to list here"


class IdPane(Vertical):
    """Rating type selector, ids input and language field, with validation messages below."""

    DEFAULT_CSS = """
    IdPane {
        height: auto;
        padding: 0 1;
    }
    IdPane > #id-row, IdPane > #id-labels {
        height: auto;
    }
    IdPane > #id-labels Label {
        color: $text-muted;
        height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    IdPane #rating-type, IdPane #rating-type-placeholder, IdPane #label-type {
        width: 26;
    }
    IdPane #ids, IdPane #label-ids {
        width: 1fr;
        margin: 0 1;
    }
    IdPane #language, IdPane #label-language {
        width: 12;
    }
    IdPane #rating-type SelectCurrent Static#label {
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    IdPane #id-problems {
        display: none;
        height: auto;
        max-height: 6;
        color: $text-error;
    }
    IdPane.-has-problems #id-problems {
        display: block;
    }
    """

    @dataclass
    class Submitted(Message):
        """Valid ids to look up. ``ids`` keeps the input order and duplicates."""

        rating_type: RatingType
        ids: list[str]
        language: str | None

    def __init__(self, rating_type: RatingType, language: str | None = None,
                 *, id: str | None = None) -> None:
        super().__init__(id=id)
        #: The current type; the selector's value once it is built (kept in step with it).
        self._type = rating_type
        self._initial_language = language or ""
        #: The rating type selector, once built and swapped in for its placeholder.
        self._type_select: Select[RatingType] | None = None

    def compose(self) -> ComposeResult:
        # Compact fields under a line of labels: two rows instead of three bordered ones, so a
        # 50x14 terminal still has room for results.
        with Horizontal(id="id-labels"):
            yield Label("Type", id="label-type")
            yield Label("IDs, one or many · Enter looks up", id="label-ids")
            yield Label("Language", id="label-language")
        with Horizontal(id="id-row"):
            # The selector is built when the user reaches for it (_build_type_select).
            yield TypePlaceholder(self._type, id="rating-type-placeholder")
            yield IdsInput(placeholder=self._placeholder(self._type), compact=True, id="ids")
            yield Input(value=self._initial_language, placeholder="en-US", compact=True,
                        id="language")
        yield Static("", id="id-problems", markup=True)

    @on(TypePlaceholder.Activated)
    async def _type_placeholder_activated(self, event: TypePlaceholder.Activated) -> None:
        event.stop()
        select = await self._build_type_select()
        if select is not None and event.open:
            select.expanded = True  # what a click on the selector does

    async def _build_type_select(self) -> Select[RatingType] | None:
        """Build the rating type selector and swap it in for its placeholder, with the current
        type; it takes the focus if the placeholder has it. Once only: later calls return the
        selector (None if neither is there)."""
        if self._type_select is not None:
            return self._type_select
        placeholders = self.query(TypePlaceholder)
        if not placeholders:
            return None
        placeholder = placeholders.first()

        select: Select[RatingType] = Select(
            rating_type_options(), value=self._type, allow_blank=False, compact=True,
            id="rating-type")
        select.display = False  # until composed, so no frame shows it half-built
        await self.query_one("#id-row", Horizontal).mount(select, before=placeholder)
        if select.value != self._type:  # set_rating_type while it was being mounted
            select.value = self._type
        # One step, no await: every frame shows one of the two, in the same place.
        if self.screen.focused is placeholder:
            self.screen.set_focus(select)
        placeholder.display = False
        select.display = True
        self._type_select = select
        await placeholder.remove()
        return select

    @property
    def rating_type(self) -> RatingType:
        """The selected rating type (whether or not the selector has been built yet)."""
        if self._type_select is not None:
            value = self._type_select.value
            if isinstance(value, RatingType):
                return value
        return self._type

    def set_rating_type(self, rating_type: RatingType) -> None:
        """Select ``rating_type``: in the selector if it is built, else on its placeholder (the
        selector starts with it when built). The ids input's hint follows, as when the user
        picks a type."""
        if self._type_select is not None:
            self._type_select.value = rating_type  # Select.Changed -> on_select_changed
            return
        if rating_type == self._type:
            return  # as the selector, which says nothing when its value stays the same
        self._type = rating_type
        for placeholder in self.query(TypePlaceholder):
            placeholder.show_type(rating_type)
        self._type_changed()

    @property
    def ids_text(self) -> str:
        """What is typed in the ids input."""
        return self.query_one("#ids", Input).value

    @staticmethod
    def _placeholder(rating_type: RatingType) -> str:
        return f"e.g. {ID_RULES[rating_type].example}"

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()

    @on(Select.Changed, "#rating-type")
    def _type_selected(self, event: Select.Changed) -> None:
        event.stop()
        if isinstance(event.value, RatingType):
            self._type = event.value
        self._type_changed()

    def _type_changed(self) -> None:
        """The type changed (in the selector or on its placeholder): the ids input's hint
        follows it, and messages on show are checked again for the new type."""
        try:
            ids_input = self.query_one("#ids", Input)
        except NoMatches:
            return  # not composed yet: compose starts from the current type
        ids_input.placeholder = self._placeholder(self.rating_type)
        if self.has_class("-has-problems"):
            self.validate()

    @on(Input.Changed)
    def _text_changed(self, event: Input.Changed) -> None:
        # Re-check only once messages are shown, so they clear as the user fixes the ids
        # without nagging about a half-typed id.
        event.stop()
        if self.has_class("-has-problems"):
            self.validate()

    def validate(self) -> bool:
        """Show what is wrong with the current input; True when it can be sent."""
        ids = split_ids(self.ids_text)
        language = self.query_one("#language", Input).value.strip()
        head: list[str] = []
        listed: list[str] = []
        tail: list[str] = []
        if not ids:
            head.append("Type or paste at least one id, then press Enter.")
        problems = id_problems(ids, self.rating_type)
        bad_language = language_problem(language)
        if bad_language:
            tail.append(f"✕ {bad_language}")
        if problems:
            unique = len(dict.fromkeys(ids))
            which = ("the id" if unique == 1
                     else f"{len(problems)} of {plural(unique, 'id')}")
            head.append(f"Nothing was sent: {which} cannot be sent as "
                        f"{self.rating_type.value}.")
            # As many as fit in the messages' rows (a long reason wraps), always leaving
            # room for the "and N more" line, which must never be the one cut off.
            room = MAX_PROBLEM_ROWS - self._rows(head) - self._rows(tail)
            for index, (item_id, why) in enumerate(problems[:MAX_LISTED_PROBLEMS]):
                line = f"  ✕ {quote_id(item_id, 32)}: {why}"
                left = len(problems) - index - 1
                more = self._rows([_more_line(left, listed=True)]) if left else 0
                if self._rows([*listed, line]) + more > room:
                    break
                listed.append(line)
            if len(problems) > len(listed):
                listed.append(_more_line(len(problems) - len(listed), listed=bool(listed)))
        lines = head + listed + tail
        self.query_one("#id-problems", Static).update("\n".join(escape(s) for s in lines))
        self.set_class(bool(lines), "-has-problems")
        return not lines

    def _rows(self, lines: list[str]) -> int:
        """Terminal rows ``lines`` take in the messages, wrapped to the pane's width."""
        width = self.content_size.width
        if width <= 0:  # not laid out yet: a line each
            return len(lines)
        console = self.app.console
        return sum(len(Text(line).wrap(console, width)) for line in lines)

    def on_resize(self) -> None:
        # A new width wraps the messages anew: list as many as now fit.
        if self.has_class("-has-problems"):
            self.validate()

    def submit(self) -> None:
        """Validate and, when everything can be sent, post :class:`Submitted`."""
        if not self.validate():
            return
        ids_input = self.query_one("#ids", Input)
        language = self.query_one("#language", Input).value.strip() or None
        self.post_message(self.Submitted(self.rating_type, split_ids(ids_input.value), language))
        # Keep focus here with the text selected: typing replaces it with the next ids at once.
        ids_input.selection = Selection(0, len(ids_input.value))

    def set_ids(self, ids: list[str]) -> None:
        """Replace the ids input (demo samples, the command palette)."""
        ids_input = self.query_one("#ids", Input)
        ids_input.value = " ".join(ids)
        ids_input.cursor_position = len(ids_input.value)

    def focus_ids(self) -> None:
        """Put the cursor in the ids input."""
        self.query_one("#ids", Input).focus()
