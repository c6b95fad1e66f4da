"""The assessment in a private chat: /assess, answer buttons, Back, Help, Pause, evidence notes,
the review with Change and Finish, and changing answers in a recent result.

Every press carries the assessment and the position it was shown for; it counts only if that is
still the user's item on screen, so stale, repeated or forged presses change nothing.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from telegram import Message, Update

from bot.context import BotContext
from bot.feature import Buttons, Command, Feature
from bot.routes import TextRoute
from bot.rows import Answer, CompletedAssessment, OpenAssessment, User
from bot.scheduling import Repeating
from content.strings import Safe
from handlers import callbacks, coleads, questions, registration, render
from handlers.common import (
    answer_query,
    is_private,
    keyboard,
    point_to_private,
    read_press,
    show,
)
from scoring import progress

EVIDENCE_LIMIT = 1000

log = logging.getLogger(__name__)


async def assess_command(update: Update, context: BotContext) -> None:
    """Start or resume the assessment; in a group, point to the private chat."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    if not is_private(update):
        await point_to_private(message, context, "assess")
        return
    await begin_or_resume(context, message.chat_id, user.id)


async def begin_or_resume(
    context: BotContext,
    chat_id: int,
    user_id: int,
    *,
    replace: Message | None = None,
    confirmed: bool = False,
) -> None:
    """Register the network first if needed; then resume the open assessment or start one.

    A result that never reached the user is sent again first, instead; after a result, a new
    round starts only when `confirmed` (a button), otherwise the user is asked (and offered to
    change answers in that result while it is recent).
    """
    storage, model = context.storage, context.content.model
    user = await storage.ensure_user(user_id)
    network = await storage.network_of(user_id)
    if network is None or registration.is_registering(user):
        await registration.begin(context, chat_id, user)
        return
    assessment = await storage.open_assessment(user_id)
    if assessment is None:
        if await questions.resend_undelivered(context, chat_id, user_id):
            return
        earlier = await storage.completed_assessments(network.id)
        own = [a for a in earlier if a.user_id == user_id and not a.agreed]
        if own and not confirmed:
            await _confirm_new_round(context, chat_id, own[-1], replace)
            return
        assessment = await storage.start_assessment(user_id, network.id, model.version)
        intro = context.strings("assess.new_round") if earlier else None
        await questions.present(context, chat_id, assessment, replace=replace, intro=intro)
        return
    answers = await storage.answers(assessment.id)
    if assessment.content_version != model.version:
        # Content changed since these answers were given: carry over those it can take.
        answers = await _carry_over(context, assessment.id, assessment.content_version, answers)
    resume = progress.resume_step(model, assessment.step, answers)
    if resume != assessment.step or assessment.content_version != model.version:
        await storage.touch(assessment.id, version=model.version, to=resume)
        assessment = await storage.in_progress(assessment.id) or assessment
    intro = None
    if answers and progress.first_unanswered(model, answers) < len(model.items):
        intro = context.strings(
            "assess.resumed", number=assessment.position + 1, count=len(model.items)
        )
    await questions.present(context, chat_id, assessment, replace=replace, intro=intro)


async def _carry_over(
    context: BotContext, assessment_id: int, version: str, answers: dict[str, Answer]
) -> dict[str, Answer]:
    """Bring answers given under content `version` to the current model, in storage too."""
    model = context.content.model
    carried = progress.carry_over(model, version, questions.options(answers))
    drop = [key for key in answers if key not in carried]
    keep = {
        key: (option, model.item(key).scale.options[option].points)
        for key, option in carried.items()
        if answers[key].option != option
    }
    await context.storage.renumber_answers(assessment_id, keep, drop)
    return {
        key: replace(
            answers[key], option=option, points=model.item(key).scale.options[option].points
        )
        for key, option in carried.items()
    }


async def _confirm_new_round(
    context: BotContext, chat_id: int, latest: CompletedAssessment, replace: Message | None
) -> None:
    strings = context.strings
    date = render.completed_on(latest, context.settings.timezone)
    rows = [[(strings("assess.confirm_new_round_button"), callbacks.encode("go"))]]
    text = strings("assess.confirm_new_round", date=date)
    if progress.can_change(latest.completed_at, context.services.clock.now()):
        rows.append([(strings("assess.change_answers"), callbacks.encode("ca", latest.id))])
        text = strings("assess.confirm_new_or_change", date=date)
    await show(context, chat_id, text, keyboard(rows), replace=replace)


async def _own_open(context: BotContext, user_id: int, assessment_id: int) -> OpenAssessment | None:
    assessment = await context.storage.in_progress(assessment_id)
    if assessment is None or assessment.user_id != user_id:
        return None
    return assessment


async def answer_pressed(update: Update, context: BotContext) -> None:
    """Record the chosen option (or, in a new round, "Same as last time") for the item on
    screen and show what comes next."""
    pressed = await read_press(update, context, private=True)
    if pressed is None:
        return
    query, press, message = pressed
    option = press.args[2] if press.kind == "a" else None
    taken = await _take_answer(context, query.from_user.id, press.args[0], press.args[1], option)
    if taken is None:
        await answer_query(query, context.strings("assess.stale"))
        return
    await answer_query(query)
    updated, answers, last = taken
    await questions.present(
        context, message.chat.id, updated, replace=message, answers=answers, last=last
    )


async def _take_answer(
    context: BotContext, user_id: int, assessment_id: int, position: int, option: int | None
) -> tuple[OpenAssessment, dict[str, Answer], dict[str, Answer]] | None:
    """Record `option` (None: the same as last round) for the item at `position` and move on;
    the assessment and answers as they now stand (and last round's answers), or None for a
    press that does not count."""
    model = context.content.model
    # One trip reads all an answer needs: the assessment, its answers, last round's answers.
    found = await context.storage.answering(assessment_id)
    if found is None or found[0].user_id != user_id:
        return None
    assessment, answers, last_round = found
    last = questions.as_now(context, last_round)
    if option is None:
        option = progress.same_as_last(model, position, questions.options(last))
    if option is None or not progress.press_counts(model, assessment.step, position, option):
        return None
    item = model.items[position]
    previous = answers.get(item.key)
    before_last = last.get(item.key)
    # Last round's answer, for an item not yet answered this round: the same again is not
    # asked for its note (it carries over). Within a round, the saved note is offered again.
    before = before_last.option if before_last and previous is None else None
    step = progress.after_answer(model, answers, position, option, before=before)
    carries = progress.note_carries(
        option, before_last.option if before_last else None, previous is not None
    )
    note = before_last.evidence if carries and before_last else None
    points = item.scale.options[option].points
    recorded = await context.storage.record_answer(
        assessment_id,
        expected=assessment.step,
        to=step,
        item_key=item.key,
        option=option,
        points=points,
        note=note,
    )
    if not recorded:
        return None
    # What the database now holds, without reading it back.
    kept = previous.evidence if previous and previous.option == option else None
    answers[item.key] = Answer(item.key, option, points, kept or note)
    updated = replace(assessment, position=step.position, awaiting_evidence=step.awaiting_evidence)
    return updated, answers, last


async def back_pressed(update: Update, context: BotContext) -> None:
    """Re-ask the previous item with its current answer marked."""
    pressed = await read_press(update, context, private=True)
    if pressed is None:
        return
    query, press, message = pressed
    assessment_id, position = press.args
    assessment = await _own_open(context, query.from_user.id, assessment_id)
    step = progress.after_back(assessment.step, position) if assessment else None
    moved = (
        assessment is not None
        and step is not None
        and await context.storage.move(assessment_id, expected=assessment.step, to=step)
    )
    updated = (
        replace(assessment, position=step.position, awaiting_evidence=None)
        if moved and assessment and step
        else None
    )
    if updated is None:
        await answer_query(query, context.strings("assess.stale"))
        return
    await answer_query(query)
    await questions.present(context, message.chat.id, updated, replace=message)


async def help_pressed(update: Update, context: BotContext) -> None:
    """Add the question's help to the same message, above the question and its buttons."""
    pressed = await read_press(update, context, private=True)
    if pressed is None:
        return
    query, press, message = pressed
    assessment_id, position = press.args
    model = context.content.model
    found = await context.storage.in_progress_with_answers(assessment_id)
    assessment, answers = found or (None, {})
    if (
        assessment is None
        or assessment.user_id != query.from_user.id
        or assessment.awaiting_evidence is not None
        or assessment.position != position
        or position >= len(model.items)
    ):
        await answer_query(query, context.strings("assess.stale"))
        return
    await answer_query(query)
    key = model.items[position].key
    current = answers.get(key)
    text, markup = render.question(
        context.content,
        assessment,
        position,
        current.option if current else None,
        with_help=True,
        last=(await questions.last_time(context, assessment)).get(key),
    )
    await show(context, message.chat.id, text, markup, replace=message)


async def change_section_pressed(update: Update, context: BotContext) -> None:
    """From the review: list one section's questions to pick one to change ("rc"), ask the one
    picked ("rq"), or go back to the review ("rv")."""
    pressed = await read_press(update, context, private=True)
    if pressed is None:
        return
    query, press, message = pressed
    model = context.content.model
    found = await context.storage.in_progress_with_answers(press.args[0])
    assessment, answers = found or (None, {})
    if assessment is None or assessment.user_id != query.from_user.id:
        await answer_query(query, context.strings("assess.stale"))
        return
    if press.kind == "rc":
        positions = progress.section_positions(model, assessment.step, press.args[1])
        if positions is None:
            await answer_query(query, context.strings("assess.stale"))
            return
        await answer_query(query)
        section = model.sections[press.args[1]]
        text, markup = render.section_picker(
            context.content, assessment, section.title, positions, questions.options(answers)
        )
        await show(context, message.chat.id, text, markup, replace=message)
        return
    if press.kind == "rv":
        if not progress.at_review(model, assessment.step):
            await answer_query(query, context.strings("assess.stale"))
            return
        await answer_query(query)
        await questions.present(context, message.chat.id, assessment, replace=message)
        return
    step = progress.jump_to(model, assessment.step, press.args[1])
    moved = step is not None and await context.storage.move(
        assessment.id, expected=assessment.step, to=step
    )
    if not moved or step is None:
        await answer_query(query, context.strings("assess.stale"))
        return
    await answer_query(query)
    updated = replace(assessment, position=step.position, awaiting_evidence=None)
    await questions.present(context, message.chat.id, updated, replace=message, answers=answers)


async def finish_pressed(update: Update, context: BotContext) -> None:
    """Work out the result from the review: the only way an assessment is scored."""
    pressed = await read_press(update, context, private=True)
    if pressed is None:
        return
    query, press, message = pressed
    model = context.content.model
    found = await context.storage.in_progress_with_answers(press.args[0])
    assessment, answers = found or (None, {})
    if (
        assessment is None
        or assessment.user_id != query.from_user.id
        or not progress.finish_counts(model, assessment.step, answers)
    ):
        await answer_query(query, context.strings("assess.stale"))
        return
    await answer_query(query)
    await questions.complete(context, message.chat.id, assessment, answers, replace=message)


async def change_answers_pressed(update: Update, context: BotContext) -> None:
    """Open the user's latest completed assessment at its review, to change answers and
    re-score it (within 30 days of completing it)."""
    pressed = await read_press(update, context, private=True)
    if pressed is None:
        return
    query, press, message = pressed
    storage, model = context.storage, context.content.model
    user_id = query.from_user.id
    original = await storage.completed(press.args[0])
    network = await storage.network_of(user_id)
    own = (
        [
            a
            for a in await storage.completed_assessments(network.id)
            if a.user_id == user_id and not a.agreed
        ]
        if network
        else []
    )
    if original is None or not own or own[-1].id != original.id:
        await answer_query(query, context.strings("assess.stale"))
        return
    if not progress.can_change(original.completed_at, context.services.clock.now()):
        await answer_query(query)
        await show(context, message.chat.id, context.strings("assess.change_closed"), None)
        return
    stored = await storage.answers(original.id)
    carried = progress.carry_over(model, original.content_version, questions.options(stored))
    rows = [
        (
            key,
            option,
            model.item(key).scale.options[option].points,
            stored[key].evidence if stored[key].option == option else None,
        )
        for key, option in carried.items()
    ]
    to = progress.Step(progress.first_unanswered(model, carried))
    revision = await storage.start_revision(
        user_id, original, version=model.version, answers=rows, to=to
    )
    await answer_query(query)
    if revision is None:  # an assessment is open already: carry on with that one
        await begin_or_resume(context, message.chat.id, user_id, replace=message)
        return
    await questions.present(context, message.chat.id, revision, replace=message)


async def pause_pressed(update: Update, context: BotContext) -> None:
    """Leave the assessment where it is; /assess picks it up again."""
    pressed = await read_press(update, context, private=True)
    if pressed is None:
        return
    query, press, message = pressed
    assessment = await _own_open(context, query.from_user.id, press.args[0])
    if assessment is None:
        await answer_query(query, context.strings("assess.stale"))
        return
    await answer_query(query)
    answers = await context.storage.answers(assessment.id)
    count = len(context.content.model.items)
    number = min(progress.first_unanswered(context.content.model, answers), count - 1) + 1
    text = context.strings("assess.paused", number=number, count=count)
    await show(context, message.chat.id, text, None, replace=message)


async def skip_pressed(update: Update, context: BotContext) -> None:
    """Go on without a new evidence note: Skip keeps a saved one, "Remove the note" deletes it."""
    pressed = await read_press(update, context, private=True)
    if pressed is None:
        return
    query, press, message = pressed
    assessment_id, position = press.args
    model = context.content.model
    assessment = await _own_open(context, query.from_user.id, assessment_id)
    finished = (
        None
        if assessment is None
        or position >= len(model.items)
        or assessment.awaiting_evidence != model.items[position].key
        else await _finish_evidence(context, assessment, None, remove=press.kind == "sr")
    )
    if finished is None:
        await answer_query(query, context.strings("assess.stale"))
        return
    await answer_query(
        query, context.strings("assess.note_removed") if press.kind == "sr" else None
    )
    updated, answers = finished
    await questions.present(context, message.chat.id, updated, replace=message, answers=answers)


async def _finish_evidence(
    context: BotContext, assessment: OpenAssessment, note: str | None, *, remove: bool = False
) -> tuple[OpenAssessment, dict[str, Answer]] | None:
    """Store (or skip) the awaited note and move on; the assessment and answers as they now
    stand, or None if no note was awaited any more."""
    answers = await context.storage.answers(assessment.id)
    model = context.content.model
    key = assessment.awaiting_evidence or ""
    position = model.items.index(model.item(key)) if model.has_item(key) else assessment.position
    step = progress.after_evidence(model, answers, position)
    done = await context.storage.finish_evidence(
        assessment.id,
        item_key=assessment.awaiting_evidence or "",
        evidence=note,
        to=step,
        remove=remove,
    )
    if not done:
        return None
    updated = replace(assessment, position=step.position, awaiting_evidence=None)
    return updated, answers


async def evidence_received(
    update: Update, context: BotContext, assessment: OpenAssessment
) -> None:
    """Store a typed evidence note for the item awaiting one, then ask the next item."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    note = message.text.strip()
    if len(note) > EVIDENCE_LIMIT:
        limit = EVIDENCE_LIMIT
        await message.reply_text(context.strings("assess.evidence_too_long", limit=limit))
        return
    finished = await _finish_evidence(context, assessment, note)
    if finished is None:
        await message.reply_text(context.strings("assess.stale"))
        return
    updated, answers = finished
    saved = context.strings("assess.evidence_saved")
    await questions.present(context, message.chat_id, updated, intro=saved, answers=answers)


async def continue_pressed(update: Update, context: BotContext) -> None:
    """Resume from a reminder's Continue button or the /start button."""
    pressed = await read_press(update, context, private=True)
    if pressed is None:
        return
    query, press, message = pressed
    if press.kind == "c" and await _own_open(context, query.from_user.id, press.args[0]) is None:
        await answer_query(query, context.strings("assess.stale"))
        return
    await answer_query(query)
    # The button itself (Continue, Start, or the new-round confirmation) is the go-ahead.
    await begin_or_resume(context, message.chat.id, query.from_user.id, confirmed=True)


async def waiting(context: BotContext, user: User) -> str | None:
    in_assessment = await context.storage.open_assessment(user.id) is not None
    return "assess.use_buttons" if in_assessment else None


async def text_in_assessment(update: Update, context: BotContext, user: User) -> bool:
    """Handle free text during an assessment: an awaited evidence note, or else a request for
    help, answered with the question's help and its buttons again; False if none open."""
    message = update.effective_message
    assessment = await context.storage.open_assessment(user.id)
    if message is None or assessment is None:
        return False
    if assessment.awaiting_evidence:
        await evidence_received(update, context, assessment)
        return True
    model = context.content.model
    answers = await context.storage.answers(assessment.id)
    if assessment.position >= len(model.items) and progress.first_unanswered(model, answers) >= len(
        model.items
    ):
        hint = context.strings("assess.review_hint")
        await questions.present(context, message.chat_id, assessment, intro=hint, answers=answers)
        return True
    position = (
        assessment.position
        if assessment.position < len(model.items)
        else progress.first_unanswered(model, answers)
    )
    typed = progress.typed_option(model.items[position], message.text or "")
    if typed is not None:  # "agree" typed for the Agree button
        taken = await _take_answer(context, user.id, assessment.id, position, typed)
        if taken is not None:
            updated, answers, last = taken
            await questions.present(context, message.chat_id, updated, answers=answers, last=last)
            return True
    key = model.items[position].key
    current = answers.get(key)
    text, markup = render.question(
        context.content,
        assessment,
        position,
        current.option if current else None,
        with_help=True,
        last=(await questions.last_time(context, assessment)).get(key),
    )
    text = Safe(f"{context.strings('assess.text_help')}\n\n{text}")
    await show(context, message.chat_id, text, markup)
    return True


FEATURE = Feature(
    name="assessment",
    commands=(Command("assess", assess_command, ("private",)),),
    buttons=(
        Buttons(
            answer_pressed,
            {
                "a": 3,  # answer: assessment, position, option
                "sm": 2,  # new round: "Same as last time" for the question: assessment, position
            },
        ),
        # back: assessment, position on screen (a question or its evidence prompt)
        Buttons(back_pressed, {"b": 2}),
        Buttons(pause_pressed, {"p": 1}),  # pause: assessment
        # skip the evidence note (keeping a saved one) / remove the saved note: assessment, position
        Buttons(skip_pressed, {"s": 2, "sr": 2}),
        # continue an assessment (from a reminder): assessment; start or resume (from /start)
        Buttons(continue_pressed, {"c": 1, "go": 0}),
        Buttons(help_pressed, {"h": 2}),  # help on the question: assessment, position on screen
        Buttons(
            change_section_pressed,
            {
                "rc": 2,  # review: change a section: assessment, section index
                # review: change one question picked from a section's list: assessment, position
                "rq": 2,
                "rv": 1,  # review: back to the review from a section's list: assessment
            },
        ),
        Buttons(finish_pressed, {"f": 1}),  # review: finish and work out the result: assessment
        # after a result: change answers in that completed assessment
        Buttons(change_answers_pressed, {"ca": 1}),
        # co-leads: settle a differing item: agreement, item position, option
        Buttons(coleads.settle_pressed, {"ag": 3}),
        Buttons(
            registration.button_pressed,
            # registration: organisation match (index), use the organisation as typed, region
            # (index), network age (index), use the suggested network name, register a separate
            # network at an organisation that has one
            {"o": 1, "t": 0, "r": 1, "g": 1, "n": 0, "js": 0},
        ),
        # verify a network (operator or hub admin of its region): network
        Buttons(registration.verify_pressed, {"nv": 1}),
    ),
    text_routes=(
        TextRoute(registration.text_route, registration.waiting),
        # Any other text while an assessment is open: tried after every feature's own route.
        TextRoute(text_in_assessment, waiting, last=True),
    ),
    entries=(registration.Registering,),
    start_payloads={"assess": begin_or_resume},
    kinds=(coleads.ROUNDS,),
    repeating=(
        Repeating(coleads.ROUNDS, coleads.close_overdue_rounds_job, every=coleads.ROUNDS_EVERY),
    ),
)
