"""The application: settings, the service, the chat commands, the Telegram front and the CLI.

Layers, each importing only those below it: ``cli`` → ``telegram`` / ``chat`` → ``service``
(with ``feeds``, the feed poller) → ``storage`` → ``retrieval``; ``settings`` is importable by all.
"""
