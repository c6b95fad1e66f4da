"""`.env`: parsed as KEY=VALUE lines, loaded by `python -m bot`, never over the environment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.dotenv import DotenvError, env_file, load, parse
from tests.bot.process import run_bot


def test_parse_reads_values_comments_quotes_and_export() -> None:
    """Comments and blank lines are skipped; quotes and `export` are removed; an unquoted
    value ends at ` #`; a quoted one keeps its `#` and spaces."""
    text = (
        "# a comment\n"
        "\n"
        "TELEGRAM_BOT_TOKEN=123:abc\n"
        "export BOT_MODE = polling   # the default\n"
        "BOT_ADMIN_IDS='1, 2'\n"
        'WEBHOOK_URL="https://example.invalid/t#x"\n'
        "EMPTY=\n"
        "   # PORT=8080\n"
    )
    assert parse(text) == {
        "TELEGRAM_BOT_TOKEN": "123:abc",
        "BOT_MODE": "polling",
        "BOT_ADMIN_IDS": "1, 2",
        "WEBHOOK_URL": "https://example.invalid/t#x",
        "EMPTY": "",
    }


@pytest.mark.parametrize("line", ["JUST TEXT", "2NAME=x", "NAME='unclosed", 'NAME="a" tail'])
def test_parse_names_the_bad_line_without_repeating_it(line: str) -> None:
    """A malformed line is an error naming its number, never its content (it may be a secret)."""
    with pytest.raises(DotenvError, match=r"^line 2 ") as raised:
        parse(f"OK=1\n{line}\n")
    assert line not in str(raised.value)


def test_load_never_overrides_the_environment(tmp_path: Path) -> None:
    """Variables already set win over the file, even when set to an empty value."""
    path = tmp_path / ".env"
    path.write_text("BOT_DB_PATH=from-file\nBOT_MODE=webhook\nLOG_LEVEL=DEBUG\n")
    environ = {"BOT_MODE": "polling", "LOG_LEVEL": ""}
    assert load(path, environ) == ["BOT_DB_PATH"]
    assert environ == {"BOT_MODE": "polling", "LOG_LEVEL": "", "BOT_DB_PATH": "from-file"}


def test_missing_file_sets_nothing(tmp_path: Path) -> None:
    """No `.env` is no error."""
    environ: dict[str, str] = {}
    assert load(tmp_path / ".env", environ) == []
    assert environ == {}


def test_env_file_is_dotenv_unless_bot_env_file_says_otherwise() -> None:
    """`.env` by default; BOT_ENV_FILE names another file, or none when empty."""
    assert env_file({}) == Path(".env")
    assert env_file({"BOT_ENV_FILE": "conf/bot.env"}) == Path("conf/bot.env")
    assert env_file({"BOT_ENV_FILE": ""}) is None


def _env(**extra: str) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_"))}
    return {**inherited, **extra}


async def test_bot_reads_dotenv_from_its_folder(tmp_path: Path) -> None:
    """`python -m bot` reads `.env` in the current folder: here BOT_DB_PATH for a backup."""
    (tmp_path / ".env").write_text("BOT_DB_PATH=from-dotenv.sqlite3\n")
    finished = await run_bot("backup", "copy.sqlite3", env=_env(), cwd=tmp_path)
    assert finished.status == 1
    assert finished.stderr == "bot: backup failed: there is no database at from-dotenv.sqlite3\n"


async def test_environment_wins_over_dotenv(tmp_path: Path) -> None:
    """A variable set in the environment is used, not the file's."""
    (tmp_path / ".env").write_text("BOT_DB_PATH=from-dotenv.sqlite3\n")
    env = _env(BOT_DB_PATH="from-env.sqlite3")
    finished = await run_bot("backup", "copy.sqlite3", env=env, cwd=tmp_path)
    assert finished.stderr == "bot: backup failed: there is no database at from-env.sqlite3\n"


async def test_malformed_dotenv_stops_the_bot_with_one_line(tmp_path: Path) -> None:
    """A broken `.env` stops `python -m bot` with exit 2 and the file and line number."""
    (tmp_path / ".env").write_text("TELEGRAM_BOT_TOKEN 123:secret\n")
    finished = await run_bot(env=_env(), cwd=tmp_path)
    assert finished.status == 2
    assert finished.stderr == "bot: .env: line 1 is not NAME=VALUE\n"
