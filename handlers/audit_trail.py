"""/audit for operators: the record of sensitive actions, a page at a time with Next, and
`/audit csv` for the whole of it. Who (a Telegram id), what, on what, when; never content."""

from __future__ import annotations

import csv
import io

from telegram import InlineKeyboardMarkup, InputFile, Update

from bot import audit as actions
from bot.context import BotContext
from bot.feature import Buttons, Command, Feature
from bot.rows import AuditEntry
from content.strings import Safe
from handlers import callbacks
from handlers.common import answer_query, is_operator, keyboard, read_press, show

# Entries per page: each line is under 100 characters, so a page stays far below 4,096.
PAGE_SIZE = 25
CSV_COLUMNS = ("when_utc", "actor", "action", "subject")


async def audit_command(update: Update, context: BotContext) -> None:
    """The newest page of the trail (operators, private chat), or the CSV with `/audit csv`."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    strings = context.strings
    if not is_operator(context, user.id):
        await message.reply_text(strings("audit.operators_only"))
        return
    if message.chat.type != "private":
        await message.reply_text(strings("audit.private_only"))
        return
    if context.args and context.args[0].lower() == "csv":
        entries = list(reversed(await context.storage.audit_entries()))
        await message.reply_document(
            InputFile(audit_csv(entries), filename="audit-trail.csv"),
            caption=strings("audit.csv_caption"),
        )
        return
    text, markup = await audit_page(context, 0)
    await message.reply_text(text, reply_markup=markup)


async def next_pressed(update: Update, context: BotContext) -> None:
    """Next › under a page of the trail: the following page, in place (operators only)."""
    pressed = await read_press(update, context, private=True)
    if pressed is None:
        return
    query, press, message = pressed
    if not is_operator(context, query.from_user.id):
        await answer_query(query, context.strings("audit.operators_only"))
        return
    await answer_query(query)
    text, markup = await audit_page(context, press.args[0])
    await show(context, message.chat.id, text, markup, replace=message)


async def audit_page(context: BotContext, page: int) -> tuple[Safe, InlineKeyboardMarkup | None]:
    """Page `page` (0: the newest entries) with a Next button while older entries remain."""
    storage, strings = context.storage, context.strings
    total = await storage.audit_count()
    if total == 0:
        return strings("audit.empty"), None
    page = min(page, (total - 1) // PAGE_SIZE)
    entries = await storage.audit_entries(PAGE_SIZE, page * PAGE_SIZE)
    zone = context.settings.timezone
    first = page * PAGE_SIZE + 1
    lines = [
        strings(
            "audit.title", first=first, last=first + len(entries) - 1, total=total, zone=zone.key
        )
    ]
    for entry in entries:
        lines.append(_line(context, entry))
    markup = None
    if first + len(entries) - 1 < total:
        markup = keyboard([[(strings("audit.next"), callbacks.encode("au", page + 1))]])
    return Safe("\n".join(lines)), markup


def _line(context: BotContext, entry: AuditEntry) -> Safe:
    strings = context.strings
    action_key = f"audit.{entry.action}"
    action = strings(action_key) if action_key in strings.templates else entry.action
    if entry.actor is None:
        server = entry.action == actions.BACKUP_RESTORED
        actor: object = strings("audit.by_server" if server else "audit.by_bot")
    else:
        actor = Safe(f"<code>{entry.actor}</code>")
    subject = "" if entry.subject is None else strings("audit.subject", subject=entry.subject)
    when = entry.at.astimezone(context.settings.timezone).strftime("%Y-%m-%d %H:%M")
    return strings("audit.line", when=when, action=action, actor=actor, subject=Safe(subject))


def audit_csv(entries: list[AuditEntry]) -> bytes:
    """One row per entry, oldest first, for a spreadsheet (UTF-8 with a BOM)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        writer.writerow(
            (
                entry.at.isoformat(timespec="seconds"),
                "" if entry.actor is None else entry.actor,
                entry.action,
                "" if entry.subject is None else entry.subject,
            )
        )
    return buffer.getvalue().encode("utf-8-sig")


FEATURE = Feature(
    name="audit",
    commands=(Command("audit", audit_command, ("operator",)),),
    # the page of the record of sensitive actions to show (0 the newest)
    buttons=(Buttons(next_pressed, {"au": 1}),),
)
