"""The python-telegram-bot front: the application, its handlers, jobs and alert delivery."""
