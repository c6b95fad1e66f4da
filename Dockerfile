# The Staff Network Hub Bot. Build with `docker build -t staff-network-hub-bot .`; how to run it,
# back it up and check it: docs/deploy.md.

# -- builder: a virtual environment with the dependencies, then the bot ------------------------
FROM python:3.11-slim AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH="/opt/venv/bin:$PATH"
WORKDIR /src

# The dependencies in their own layer, rebuilt only when pyproject.toml changes.
COPY pyproject.toml ./
RUN python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'], sep='\n')" > requirements.txt \
 && pip install -r requirements.txt

# Then the bot's own packages; their dependencies are all in place already.
COPY README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY scoring ./scoring
COPY content ./content
RUN pip install --no-deps .

# -- runtime: the virtual environment alone, run by an unprivileged user ----------------------
FROM python:3.11-slim

# The board pack (WeasyPrint) draws text with pango, harfbuzz and fontconfig; DejaVu covers the
# characters users type (emoji it lacks are dropped, never drawn as boxes).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b \
    libharfbuzz-subset0 libfontconfig1 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 bot \
 && useradd --system --uid 10001 --gid bot --home-dir /app --shell /usr/sbin/nologin bot \
 && mkdir -p /app /data \
 && chown bot:bot /app /data

COPY --from=builder /opt/venv /opt/venv
ENV PATH="/opt/venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    BOT_DB_PATH=/data/bot.sqlite3 \
    HEALTH_HOST=0.0.0.0

WORKDIR /app
USER bot
# Fail the build, not the first start, if content or time zones are missing; and build
# matplotlib's font cache now rather than on the first chart.
RUN python -c "import zoneinfo, content, matplotlib.font_manager; zoneinfo.ZoneInfo('Europe/London'); content.load_content()"

# The database, its -wal and -shm files and its .lock file live here: mount a volume.
VOLUME /data
# The health check in both modes, and Telegram's posts in webhook mode (PORT, default 8080),
# on every interface of the container (HEALTH_HOST above), so that a published port reaches it.
EXPOSE 8080
# `docker stop` sends SIGTERM: the bot finishes the updates in flight and closes the database.
STOPSIGNAL SIGTERM
# slim has no curl; a non-2xx answer or no answer makes urlopen raise, and python exit 1.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:${PORT:-8080}/health', timeout=4)" || exit 1

CMD ["python", "-m", "bot"]
