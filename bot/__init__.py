"""The Telegram side: configuration, application wiring, storage, scheduling, entry point."""
