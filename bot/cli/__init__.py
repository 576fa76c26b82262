"""The ``depeche`` command line (click) and the terminal chat, on top of the service.

Nothing imports this package but the console script: it is the top layer.
"""

from bot.cli.commands import cli, main

__all__ = ["cli", "main"]
