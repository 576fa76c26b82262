"""``python -m bot.cli``: the same as the ``depeche`` console script."""

from bot.cli.commands import main

main()
