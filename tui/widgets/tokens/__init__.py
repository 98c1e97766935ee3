"""Widgets of the Token setup screen, each with its own DEFAULT_CSS."""

from tui.widgets.tokens.check_results import TokenCheckView
from tui.widgets.tokens.generate_form import GenerateTokenForm
from tui.widgets.tokens.login_view import LoginView
from tui.widgets.tokens.storage_choice import StorageChoice
from tui.widgets.tokens.token_details import TokenDetails
from tui.widgets.tokens.token_input import TokenInput

__all__ = ["GenerateTokenForm", "LoginView", "StorageChoice", "TokenCheckView", "TokenDetails",
           "TokenInput"]
