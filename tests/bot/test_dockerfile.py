"""The Dockerfile's essentials, read from the file (no Docker engine needed), and its health
check command run for real against a stand-in server."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
import tomllib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from aiohttp import web

from tests.bot.process import free_port

ROOT = Path(__file__).resolve().parents[2]

Instruction = tuple[str, str]


def instructions() -> list[Instruction]:
    """(KEYWORD, arguments) for each instruction, continuation lines joined, comments dropped."""
    logical: list[str] = []
    pending = ""
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    parsed = []
    for text in logical:
        keyword, _, arguments = text.strip().partition(" ")
        parsed.append((keyword.upper(), " ".join(arguments.split())))
    return parsed


def stages() -> list[list[Instruction]]:
    result: list[list[Instruction]] = []
    for keyword, arguments in instructions():
        if keyword == "FROM":
            result.append([])
        result[-1].append((keyword, arguments))
    return result


def arguments(stage: list[Instruction], keyword: str) -> list[str]:
    return [args for kw, args in stage if kw == keyword]


def first(stage: list[Instruction], keyword: str, contains: str = "") -> int:
    """The index of the first `keyword` instruction whose arguments contain `contains`."""
    return next(i for i, (kw, args) in enumerate(stage) if kw == keyword and contains in args)


def packages() -> list[str]:
    """The top-level packages pyproject.toml's setuptools configuration installs."""
    with (ROOT / "pyproject.toml").open("rb") as file:
        include = tomllib.load(file)["tool"]["setuptools"]["packages"]["find"]["include"]
    prefixes = [pattern.rstrip("*") for pattern in include]
    return sorted(
        p.name for p in ROOT.iterdir() if (p / "__init__.py").exists() and p.name in prefixes
    )


def test_two_stages_on_the_same_slim_python() -> None:
    """A builder stage and a runtime stage, both python:3.11-slim."""
    assert [arguments(stage, "FROM") for stage in stages()] == [
        ["python:3.11-slim AS builder"],
        ["python:3.11-slim"],
    ]


def test_dependencies_get_their_own_layer_before_the_source() -> None:
    """pyproject.toml is copied and the dependencies installed before any package is copied,
    so a code change does not reinstall them."""
    builder = stages()[0]
    copy_pyproject = first(builder, "COPY", "pyproject.toml")
    install = first(builder, "RUN", "pip install -r")
    copy_source = first(builder, "COPY", "bot")
    assert copy_pyproject < install < copy_source


def test_every_package_is_copied_and_let_through() -> None:
    """Each package pyproject.toml installs is copied in the builder and re-included in
    .dockerignore (a new package cannot be left out of the image)."""
    builder = stages()[0]
    copied = {args.split()[0] for kw, args in builder if kw == "COPY"}
    assert set(packages()) <= copied
    assert set(packages()) <= set(allowed_by_dockerignore())


def test_runtime_is_the_venv_run_by_an_unprivileged_user() -> None:
    """The runtime stage copies only the builder's venv, and switches to a non-root user
    before the command runs."""
    runtime = stages()[1]
    assert arguments(runtime, "COPY") == ["--from=builder /opt/venv /opt/venv"]
    users = arguments(runtime, "USER")
    assert users
    assert users[-1] not in ("root", "0", "0:0")
    assert first(runtime, "USER") < first(runtime, "CMD")


def test_runtime_declares_data_volume_port_and_command() -> None:
    """The database on /data (a volume), port 8080, and `python -m bot`."""
    runtime = stages()[1]
    assert arguments(runtime, "VOLUME") == ["/data"]
    assert arguments(runtime, "EXPOSE") == ["8080"]
    assert any("BOT_DB_PATH=/data/bot.sqlite3" in env for env in arguments(runtime, "ENV"))
    assert [json.loads(cmd) for cmd in arguments(runtime, "CMD")] == [["python", "-m", "bot"]]


def test_runtime_listens_on_every_interface_of_the_container() -> None:
    """HEALTH_HOST=0.0.0.0, so the published port and the proxy reach /health and the webhook."""
    envs = arguments(stages()[1], "ENV")
    assert any("HEALTH_HOST=0.0.0.0" in env.split() for env in envs)


def allowed_by_dockerignore() -> list[str]:
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert patterns[0] == "*", "everything is excluded first, then what the image needs"
    return [p[1:] for p in patterns if p.startswith("!")]


def test_dockerignore_lets_through_only_what_the_build_copies() -> None:
    """Nothing else reaches the build context: not tests, data, .env, .git or .venv."""
    assert sorted(allowed_by_dockerignore()) == sorted(["pyproject.toml", "README.md", *packages()])


def healthcheck_command() -> str:
    (healthcheck,) = arguments(stages()[1], "HEALTHCHECK")
    match = re.fullmatch(r"(?:--\S+ )*CMD (.+)", healthcheck)
    assert match is not None
    return match.group(1)


@asynccontextmanager
async def health_server(status: int) -> AsyncIterator[int]:
    """A stand-in for the bot's server: /health answers `status`; the port."""

    async def health(request: web.Request) -> web.Response:
        return web.json_response({}, status=status)

    app = web.Application()
    app.router.add_get("/health", health)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield port
    finally:
        await runner.cleanup()


async def run_healthcheck(port: int, tmp_path: Path) -> int:
    """The HEALTHCHECK command through sh, as Docker runs it, with PORT set and `python` being
    this interpreter; its exit status."""
    (tmp_path / "python").symlink_to(sys.executable)
    env = {**os.environ, "PORT": str(port), "PATH": f"{tmp_path}:{os.environ.get('PATH', '')}"}
    process = await asyncio.create_subprocess_exec(
        "sh",
        "-c",
        healthcheck_command(),
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    return await process.wait()


async def test_healthcheck_passes_when_health_answers_200(tmp_path: Path) -> None:
    """The health check asks http://127.0.0.1:$PORT/health and passes on 200."""
    async with health_server(200) as port:
        assert await run_healthcheck(port, tmp_path) == 0


async def test_healthcheck_fails_when_health_answers_503(tmp_path: Path) -> None:
    """A 503 from /health fails the check."""
    async with health_server(503) as port:
        assert await run_healthcheck(port, tmp_path) == 1


async def test_healthcheck_fails_when_nothing_listens(tmp_path: Path) -> None:
    """No server on PORT fails the check."""
    assert await run_healthcheck(free_port(), tmp_path) == 1
