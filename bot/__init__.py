"""The Telegram front, the console chat and the depeche command line."""
