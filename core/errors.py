"""Errors a user can cause, each with a message that says what to fix."""


class CorpusError(ValueError):
    """A corpus could not be loaded; the message says what the user should fix."""


def first_line(error: Exception) -> str:
    """The start of an error's message, short enough to quote in a sentence to the user."""
    text = str(error).strip()
    return text.splitlines()[0][:160] if text else type(error).__name__
