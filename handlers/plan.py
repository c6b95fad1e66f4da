"""/plan: a network's action plan, made from a result's advice — steps with an owner, a due date
and a status — and its follow-up (a reminder a week before a step is due, a quarterly check-in).

Editing a step's text, owner or due date takes typed text: the step and field wait in a
`PlanEdit` entry, like the WRES entry, which goes stale after an hour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from telegram import Update

from bot.context import BotContext
from bot.conversation import DRAFT_EXPIRES, Entry
from bot.feature import Buttons, Command, Feature
from bot.routes import TextRoute
from bot.rows import Network, PlanStep, User
from bot.scheduling import Kind, Repeating, Send, deliver_due, message_sender
from content.strings import Safe
from handlers import callbacks
from handlers.common import (
    Button,
    answer_query,
    keyboard,
    lead_sender,
    paged,
    read_press,
    show,
)
from scoring import Tip, timing
from scoring.plan import (
    OPEN_LIMIT,
    OWNER_LIMIT,
    REMIND_BEFORE,
    TEXT_LIMIT,
    DateProblem,
    Status,
    archived,
    clean_text,
    default_due,
    duplicate,
    parse_due,
    source_of,
)
from scoring.wres import quarter_of

# Scheduled and once-only messages this feature sends (job and ledger slot names).
PLAN_DUE = Kind("plandue")  # a plan step due within a week: slot per step, due date and lead
PLAN_CHECKIN = Kind("plancheck")  # "how is the plan going?": slot per quarter and lead
PLAN_REMINDERS = Kind("plan-reminders")  # the quarter-hourly check behind PLAN_DUE and PLAN_CHECKIN


@dataclass(frozen=True)
class PlanEdit(Entry, state="plan:edit", expires=DRAFT_EXPIRES):
    """A step's field being typed: the step (None for a new step of the lead's own) and field."""

    step: int | None = None
    field: str = ""


FIELDS = ("text", "owner", "due")
NEW = "new"  # the field of a draft waiting for a step of the lead's own ("Add a step")
STATUSES = (Status.TODO, Status.DOING, Status.DONE, Status.DROPPED)
CHECK_EVERY = timedelta(minutes=15)


def _today(context: BotContext) -> date:
    return context.services.clock.now().astimezone(context.settings.timezone).date()


def _date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


async def waiting(context: BotContext, user: User) -> str | None:
    return "plan.type_it" if isinstance(user.entry, PlanEdit) else None


# -- adding advice from a result -----------------------------------------------------------------


async def _tips(context: BotContext, user_id: int, assessment_id: int) -> list[Tip] | None:
    """The advice of one of the network's results, or None if it is not the user's network's."""
    record = await context.storage.network_history(user_id)
    if record is None:
        return None
    for completed in record.completed:
        if completed.id == assessment_id:
            result = completed.result
            # The things to find out ("Don't know" answers) can become steps too.
            find_out = [
                Tip(
                    "item",
                    thing.key,
                    context.strings("plan.find_out", text=thing.text, who=thing.who),
                )
                for thing in result.find_out
            ]
            return [*result.tips, *find_out]
    return None


async def add_pressed(update: Update, context: BotContext) -> None:
    """Open a result's advice as a list to pick from, or add the piece picked."""
    read = await read_press(update, context, private=True)
    if read is None:
        return
    query, press, message = read
    strings = context.strings
    tips = await _tips(context, query.from_user.id, press.args[0])
    network = await context.storage.network_of(query.from_user.id)
    if tips is None or network is None:
        await answer_query(query, strings("errors.button_expired"))
        return
    if press.kind in ("pl", "pk"):
        await answer_query(query)
        # Many "Don't know" answers make many things to find out: the list goes in pages.
        lines = [
            strings("result.tip_line", number=index + 1, text=tip.text)
            for index, tip in enumerate(tips)
        ]
        page = press.args[1] if press.kind == "pk" else 1
        text, nav, shown = paged(
            context,
            lines,
            page=page,
            kind="pk",
            args=(press.args[0],),
            header=strings("plan.pick"),
        )
        buttons: list[Button] = [
            (str(index + 1), callbacks.encode("pp", press.args[0], index))
            for index in range(shown.start, shown.stop)
        ]
        rows = [buttons[i : i + 5] for i in range(0, len(buttons), 5)]
        if nav:
            rows.append(nav)
        if press.kind == "pk":
            await show(context, message.chat_id, text, keyboard(rows), replace=message)
        else:
            await context.bot.send_message(message.chat_id, text, reply_markup=keyboard(rows))
        return
    index = press.args[1]
    if index >= len(tips):
        await answer_query(query, strings("errors.button_expired"))
        return
    tip = tips[index]
    if await _already_open(context, network, tip.text[:TEXT_LIMIT]):
        await answer_query(query, strings("plan22.duplicate_short"))
        await context.bot.send_message(
            message.chat_id, strings("plan22.duplicate", text=tip.text[:TEXT_LIMIT])
        )
        return
    due = default_due(_today(context))
    added = await context.storage.add_plan_step(
        network.id,
        query.from_user.id,
        text=tip.text[:TEXT_LIMIT],
        owner="",
        due=due,
        source=source_of(tip.kind, tip.source),
        open_limit=OPEN_LIMIT,
    )
    if added is None:
        await answer_query(query, strings("plan.full_short", limit=OPEN_LIMIT))
        await context.bot.send_message(message.chat_id, strings("plan.full", limit=OPEN_LIMIT))
        return
    await answer_query(query, strings("plan.added_short"))
    number = await _number_of(context, network, added)
    await context.bot.send_message(
        message.chat_id,
        strings("plan22.added", number=number, text=tip.text, due=_date(due)),
        reply_markup=await _step_keyboard(context, network.id, added),
    )


# -- /plan ---------------------------------------------------------------------------------------


async def plan_command(update: Update, context: BotContext) -> None:
    """List the network's plan in pages, each step with a button to manage it; `/plan add
    <text>` adds a step of the lead's own."""
    found = await lead_sender(update, context, "plan.no_network")
    if found is None:
        return
    message, user, network = found
    if await _editing(context, user.id):
        await context.storage.set_entry(user.id, None)
    args = list(context.args or [])
    if args and args[0].lower() == "add":
        await _add_own(context, message.chat_id, user.id, network, " ".join(args[1:]))
        return
    if args:
        await message.reply_text(context.strings("plan22.how_to_add"))
    text, markup = await _listing(context, network)
    await message.reply_text(text, reply_markup=markup)


async def _add_own(
    context: BotContext, chat_id: int, user_id: int, network: Network, typed: str
) -> bool:
    """Add a step the lead typed; say why not (empty, too long, already there, plan full).
    True if it was added."""
    strings = context.strings
    text = clean_text(typed)
    if not text:
        await context.bot.send_message(chat_id, strings("plan22.add_usage"))
        return False
    if len(text) > TEXT_LIMIT:
        await context.bot.send_message(chat_id, strings("plan.too_long", limit=TEXT_LIMIT))
        return False
    if await _already_open(context, network, text):
        await context.bot.send_message(chat_id, strings("plan22.duplicate", text=text))
        return False
    due = default_due(_today(context))
    added = await context.storage.add_plan_step(
        network.id, user_id, text=text, owner="", due=due, source="", open_limit=OPEN_LIMIT
    )
    if added is None:
        await context.bot.send_message(chat_id, strings("plan.full", limit=OPEN_LIMIT))
        return False
    number = await _number_of(context, network, added)
    await context.bot.send_message(
        chat_id,
        strings("plan22.added_own", number=number, text=text, due=_date(due)),
        reply_markup=await _step_keyboard(context, network.id, added),
    )
    return True


async def _already_open(context: BotContext, network: Network, text: str) -> bool:
    steps = await context.storage.plan_steps(network.id)
    return duplicate(text, [s.text for s in steps if Status(s.status).open])


async def _editing(context: BotContext, user_id: int) -> bool:
    user = await context.storage.user(user_id)
    return user is not None and isinstance(user.entry, PlanEdit)


async def _working(context: BotContext, network: Network) -> list[PlanStep]:
    """The steps /plan shows, in its order: archived ones (finished over a quarter ago) left out."""
    now = context.services.clock.now()
    return [
        step
        for step in await context.storage.plan_steps(network.id)
        if not archived(Status(step.status), step.updated_at, now)
    ]


async def _number_of(context: BotContext, network: Network, step_id: int) -> int:
    """A step's number in /plan (0 once it has been archived)."""
    for number, step in enumerate(await _working(context, network), start=1):
        if step.id == step_id:
            return number
    return 0


async def _listing(context: BotContext, network: Network, page: int = 1) -> tuple[Safe, Any]:
    strings = context.strings
    steps = await _working(context, network)
    add_row: list[Button] = [(strings("plan22.add_button"), callbacks.encode("pw"))]
    if not steps:
        return strings("plan22.empty"), keyboard([add_row])
    open_steps = [s for s in steps if Status(s.status).open]
    header = strings("plan.title", network=network.name, open=len(open_steps), limit=OPEN_LIMIT)
    footer_lines: list[str] = []
    if len(open_steps) >= OPEN_LIMIT:
        footer_lines += ["", strings("plan.full", limit=OPEN_LIMIT)]
    footer_lines += ["", strings("plan.list_hint")]
    if len(steps) < len(await context.storage.plan_steps(network.id)):
        footer_lines.append(strings("plan22.archived_note"))
    lines = [step_line(context, number, step) for number, step in enumerate(steps, start=1)]
    text, nav, shown = paged(
        context, lines, page=page, kind="pn", header=header, footer="\n".join(footer_lines)
    )
    buttons: list[Button] = [
        (str(number), callbacks.encode("pv", step.id))
        for number, step in enumerate(steps, start=1)
        if shown.start < number <= shown.stop
    ]
    rows = [buttons[i : i + 6] for i in range(0, len(buttons), 6)]
    if len(open_steps) < OPEN_LIMIT:
        rows.append(add_row)
    if nav:
        rows.append(nav)
    return text, keyboard(rows)


async def page_pressed(update: Update, context: BotContext) -> None:
    """Show another page of the plan, or ask for a step of the lead's own ("Add a step")."""
    read = await read_press(update, context, private=True)
    if read is None:
        return
    query, press, message = read
    strings = context.strings
    network = await context.storage.network_of(query.from_user.id)
    if network is None:
        await answer_query(query, strings("plan.no_network"))
        return
    await answer_query(query)
    if press.kind == "pw":
        entry = PlanEdit(context.services.clock.now(), field=NEW)
        await context.storage.set_entry(query.from_user.id, entry)
        await context.bot.send_message(message.chat_id, strings("plan22.ask_new"))
        return
    text, markup = await _listing(context, network, press.args[0])
    await show(context, message.chat_id, text, markup, replace=message)


def step_line(context: BotContext, number: int, step: PlanStep) -> Safe:
    strings = context.strings
    return strings(
        "plan.step_line",
        number=number if number else "•",
        text=step.text,
        status=strings(f"plan.status_{step.status}"),
        owner=step.owner or strings("plan.no_owner"),
        due=_date(step.due),
    )


async def _card(context: BotContext, network: Network, step: PlanStep, title: str) -> Safe:
    number = await _number_of(context, network, step.id)
    return Safe(f"{title}\n{step_line(context, number, step)}")


async def _step_keyboard(context: BotContext, network_id: int, step_id: int) -> Any:
    """A step's buttons: its statuses (the current one ticked), its edits, and Remove."""
    strings = context.strings
    step = await context.storage.plan_step(step_id, network_id)
    current = step.status if step else None

    def label(status: Status) -> str:
        name = strings(f"plan.status_{status.value}")
        return strings("plan22.status_current", status=name) if status.value == current else name

    statuses = [
        (label(status), callbacks.encode("ps", step_id, n)) for n, status in enumerate(STATUSES)
    ]
    edits = [
        (strings(f"plan.edit_{field}"), callbacks.encode("pe", step_id, n))
        for n, field in enumerate(FIELDS)
    ]
    return keyboard([statuses, edits, [(strings("plan.remove"), callbacks.encode("pr", step_id))]])


async def step_pressed(update: Update, context: BotContext) -> None:
    """Show a step's buttons, change its status, start an edit, or remove it."""
    read = await read_press(update, context, private=True)
    if read is None:
        return
    query, press, message = read
    strings, storage = context.strings, context.storage
    network = await storage.network_of(query.from_user.id)
    step = await storage.plan_step(press.args[0], network.id) if network else None
    if network is None or step is None:
        await answer_query(query, strings("plan.gone"))
        return
    if press.kind == "pv":
        await answer_query(query)
        await show(
            context,
            message.chat_id,
            await _card(context, network, step, strings("plan.step_title")),
            await _step_keyboard(context, network.id, step.id),
        )
        return
    if press.kind == "ps":
        if press.args[1] >= len(STATUSES):
            await answer_query(query, strings("errors.button_expired"))
            return
        status = STATUSES[press.args[1]]
        changed = await storage.set_plan_status(
            step.id, network.id, status.value, open_limit=OPEN_LIMIT
        )
        if not changed:
            await answer_query(query, strings("plan.full_short", limit=OPEN_LIMIT))
            return
        await answer_query(
            query, strings("plan.status_set", status=strings(f"plan.status_{status.value}"))
        )
        updated = await storage.plan_step(step.id, network.id)
        if updated is not None:
            text = await _card(context, network, updated, strings("plan.step_title"))
            markup = await _step_keyboard(context, network.id, step.id)
            await show(context, message.chat_id, text, markup, replace=message)
        return
    if press.kind == "pe":
        if press.args[1] >= len(FIELDS):
            await answer_query(query, strings("errors.button_expired"))
            return
        field = FIELDS[press.args[1]]
        await answer_query(query)
        entry = PlanEdit(context.services.clock.now(), step=step.id, field=field)
        await storage.set_entry(query.from_user.id, entry)
        prompt = strings(
            f"plan.ask_{field}", text=step.text, default=_date(default_due(_today(context)))
        )
        await context.bot.send_message(message.chat_id, prompt)
        return
    if press.kind == "pr":
        await answer_query(query)
        confirm = keyboard(
            [
                [
                    (strings("plan.remove_yes"), callbacks.encode("py", step.id, 1)),
                    (strings("plan.remove_no"), callbacks.encode("py", step.id, 0)),
                ]
            ]
        )
        await show(
            context,
            message.chat_id,
            strings("plan.remove_confirm", text=step.text),
            confirm,
            replace=message,
        )
        return
    # py: confirm removal
    await answer_query(query)
    if press.args[1] and await storage.remove_plan_step(step.id, network.id):
        await show(
            context, message.chat_id, strings("plan.removed", text=step.text), None, replace=message
        )
    else:
        await show(context, message.chat_id, strings("plan.kept"), None, replace=message)


# -- typed edits ---------------------------------------------------------------------------------


async def text_received(update: Update, context: BotContext, user: User) -> bool:
    """Take the typed text, owner or due date of the step being edited; False if none is."""
    message = update.effective_message
    entry = user.entry
    if message is None or message.text is None or not isinstance(entry, PlanEdit):
        return False
    storage, strings = context.storage, context.strings
    field = entry.field
    network = await storage.network_of(user.id)
    if field == NEW and network is not None:
        typed = clean_text(message.text)
        if typed and len(typed) <= TEXT_LIMIT:  # else it is asked for again
            await storage.set_entry(user.id, None)
        await _add_own(context, message.chat_id, user.id, network, typed)
        return True
    if entry.step is None or field not in FIELDS or network is None:
        await storage.set_entry(user.id, None)
        return False
    step = await storage.plan_step(entry.step, network.id)
    if step is None:
        await storage.set_entry(user.id, None)
        await message.reply_text(strings("plan.gone"))
        return True
    typed = " ".join(message.text.split())
    if field == "due":
        due = parse_due(typed, _today(context))
        if isinstance(due, DateProblem):
            await message.reply_text(strings(f"plan.date_{due.value}", typed=typed))
            return True
        await storage.edit_plan_step(step.id, network.id, due=due)
    else:
        limit = TEXT_LIMIT if field == "text" else OWNER_LIMIT
        if not typed or len(typed) > limit:
            await message.reply_text(strings("plan.too_long", limit=limit))
            return True
        if field == "text":
            await storage.edit_plan_step(step.id, network.id, text=typed)
        else:
            await storage.edit_plan_step(step.id, network.id, owner=typed)
    await storage.set_entry(user.id, None)
    updated = await storage.plan_step(step.id, network.id)
    if updated is not None:
        text = await _card(context, network, updated, strings("plan.saved"))
        await message.reply_text(
            text, reply_markup=await _step_keyboard(context, network.id, step.id)
        )
    return True


# -- follow-up -----------------------------------------------------------------------------------


async def plan_reminders_job(context: BotContext) -> None:
    """In working hours: remind each lead once of a step due within the week, and, in the first
    week of a quarter, ask once how the plan is going."""
    now = context.services.clock.now()
    zone = context.settings.timezone
    if not timing.in_working_hours(now, zone):
        return
    today = now.astimezone(zone).date()
    storage = context.storage

    due = await storage.plan_steps_due(today, today + REMIND_BEFORE)
    subjects = {PLAN_DUE.slot(step.id, step.due, lead): (step, lead) for step, lead in due}

    async def reminder(subject: tuple[PlanStep, int]) -> tuple[int, Send] | None:
        step, lead = subject
        text = context.strings(
            "plan.reminder",
            text=step.text,
            due=_date(step.due),
            owner=step.owner or context.strings("plan.no_owner"),
        )
        markup = await _step_keyboard(context, step.network_id, step.id)
        return lead, message_sender(context, text, markup)

    await deliver_due(context, PLAN_DUE, subjects, reminder)

    if not timing.in_first_week_of_quarter(today):
        return
    quarter = quarter_of(today)

    async def checkin(user_id: int) -> tuple[int, Send] | None:
        network = await storage.network_of(user_id)
        if network is None:
            return None
        steps = [s for s in await storage.plan_steps(network.id) if Status(s.status).open]
        text = context.strings("plan.checkin", network=network.name, open=len(steps))
        return user_id, message_sender(context, text)

    leads = {PLAN_CHECKIN.slot(quarter, user_id): user_id for user_id in await storage.plan_leads()}
    await deliver_due(context, PLAN_CHECKIN, leads, checkin)


FEATURE = Feature(
    name="plan",
    commands=(Command("plan", plan_command, ("private",)),),
    buttons=(
        # a result's "Add to plan": list its advice (assessment), another page of it (assessment,
        # page from 1); add one piece: assessment, tip
        Buttons(add_pressed, {"pl": 1, "pk": 2, "pp": 2}),
        # /plan: show a page of the plan (page from 1); "Add a step" of the lead's own
        Buttons(page_pressed, {"pn": 1, "pw": 0}),
        Buttons(
            step_pressed,
            {
                "pv": 1,  # show a step's buttons: step
                "ps": 2,  # set status (0 to do, 1 doing, 2 done, 3 dropped): step, status
                "pe": 2,  # edit by typing (0 text, 1 owner, 2 due date): step, field
                "pr": 1,  # remove (asks first): step
                "py": 2,  # confirm removal: step, 1 remove / 0 keep
            },
        ),
    ),
    text_routes=(TextRoute(text_received, waiting),),
    entries=(PlanEdit,),
    kinds=(PLAN_DUE, PLAN_CHECKIN, PLAN_REMINDERS),
    repeating=(Repeating(PLAN_REMINDERS, plan_reminders_job, every=CHECK_EVERY),),
)
