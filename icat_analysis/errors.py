"""Errors a person can act on: the command line prints the message and exits 1, a page shows it."""


class InputError(Exception):
    """A file or setting that cannot be used as it is; the message names it and says what to do."""
