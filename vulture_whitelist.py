"""Names vulture reports as unused that are used, each for the reason given: by frameworks
(python-telegram-bot, logging, sqlite3, aiohttp, the context-manager protocol), as fields of
rows and content kept for /export and the data inventory, or as test and benchmark seams."""

# ruff: noqa
# type: ignore

# The context-manager protocol's arguments (bot/instance.py).
exc_type
exc
tb
# logging.LogRecord.msg, rewritten by the token-redacting filter (bot/logs.py).
_.msg
# sqlite3/aiosqlite: rows by column name (bot/db/core.py).
_.row_factory
# python-telegram-bot's BaseUpdateProcessor and BaseRateLimiter hooks.
_.running_limit
_.do_process_update
_.process_request
# aiohttp's class-based view method (bot/server.py).
_.post
# Strings are called like functions (content/strings.py).
__call__
# Fields of rows and content: read through dataclasses.asdict for /export, or kept for the
# inventory and future readers.
created_at
started_at
result_sent_at
total_after
registered_by
done_at
wording
agree
OWN
# The suppression rule's reader's view (scoring/suppression.py), used by its property tests.
bounds
# content/check_copying.py's run finder, run by `python -m content.check_copying`.
shared_runs
# Seams for tests and benchmarks: seeding leads or answers without a conversation, reading the
# ledger, waiting for the pack worker, and the rate limiter's held chats.
_.join_network
_.drop_answers
_.deliveries
_.ready
_.held_chats
_.last_day  # a quarter's last day (scoring/quarters.py), checked by its property test
_.national_pictures  # tests read every picture published (bot/db/national.py)
