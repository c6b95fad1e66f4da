"""Turn assessment state and results into message text and keyboards, from content strings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup

from bot.rows import Answer, AssessmentChange, CompletedAssessment, Network, OpenAssessment
from content import Content
from content.strings import Safe, escape
from handlers import callbacks
from handlers.common import Button, keyboard
from scoring import Band, Result
from scoring.baseline import newer_network
from scoring.engine import band_position
from scoring.model import Attribute
from scoring.plan import Move


def band_name(content: Content, band: Band | str) -> Safe:
    return content.strings(f"bands.{Band(band).value}")


def question(
    content: Content,
    assessment: OpenAssessment,
    position: int,
    current: int | None,
    *,
    with_help: bool = False,
    last: Answer | None = None,
) -> tuple[Safe, InlineKeyboardMarkup]:
    """The item at `position`: progress line, statement, answer buttons low to high ("Don't
    know" first), then the navigation row: Back, Help, Pause.

    In a new round, `last` is the network's answer last time: said under the question, with
    a "Same as last time" button on its own row just above the navigation row.

    `current` is the option already chosen (when the user came Back), marked on its button.
    The first item of a section opens with the section's one-line introduction; `with_help`
    puts the item's help above the question.
    """
    strings, model = content.strings, content.model
    item = model.items[position]
    section = model.section(item.section)
    statement = escape(item.text)
    first_of_section = position == 0 or model.items[position - 1].section != item.section
    if first_of_section and section.intro:
        intro = strings("assess.section_intro", intro=section.intro)
        statement = Safe(f"{intro}\n\n{statement}")
    text = strings(
        "assess.question",
        number=position + 1,
        count=len(model.items),
        section=section.title,
        text=statement,
    )
    if with_help:
        text = Safe(f"{question_help(content, position)}\n\n{text}")
    if current is not None:
        answer = item.scale.options[current].label
        text = Safe(f"{text}\n\n{strings('assess.current_answer', answer=answer)}")
    if last is not None:
        said = item.scale.options[last.option].label
        if last.evidence:
            note = strings("reassess.last_note", answer=said, note=_short(last.evidence))
        else:
            note = strings("reassess.last_answer", answer=said)
        text = Safe(f"{text}\n\n{note}")
    rows: list[list[Button]] = []
    for index, option in enumerate(item.scale.options):
        label = strings("assess.marked", label=option.label) if index == current else option.label
        rows.append([(label, callbacks.encode("a", assessment.id, position, index))])
    if last is not None:
        same = strings("reassess.same_button", answer=item.scale.options[last.option].label)
        rows.append([(same, callbacks.encode("sm", assessment.id, position))])
    navigation: list[Button] = []
    if position > 0:
        navigation.append((strings("assess.back"), callbacks.encode("b", assessment.id, position)))
    navigation.append((strings("assess.help"), callbacks.encode("h", assessment.id, position)))
    navigation.append((strings("assess.pause"), callbacks.encode("p", assessment.id)))
    rows.append(navigation)
    return text, keyboard(rows)


NOTE_SHOWN = 160  # characters of last round's evidence note shown under a question


def _short(note: str) -> str:
    note = " ".join(note.split())
    return note if len(note) <= NOTE_SHOWN else note[: NOTE_SHOWN - 1].rstrip() + "…"


def question_help(content: Content, position: int) -> Safe:
    """What the item asks, what a positive answer looks like, why it matters, who knows."""
    item = content.model.items[position]
    positive = next(option.label for option in item.scale.options if option.demonstrates)
    return content.strings(
        "assess.help_text",
        help=item.help,
        positive=positive,
        example=item.example,
        why=item.why,
        who=item.who_knows,
    )


def review(
    content: Content,
    assessment: OpenAssessment,
    answers: Mapping[str, int],
    age: str | None = None,
) -> tuple[Safe, InlineKeyboardMarkup]:
    """The answers section by section (number, short label, answer), a "Change" button per
    section and "Finish"; with the network's `age`, the review's note on newer networks."""
    strings, model = content.strings, content.model
    lines: list[str] = [strings("assess.review_title")]
    rows: list[list[Button]] = []
    for index, section in enumerate(model.sections):
        lines += ["", strings("assess.review_section", title=section.title)]
        for position, item in enumerate(model.items):
            if item.section != section.key:
                continue
            option = answers.get(item.key)
            answer = item.scale.options[option].label if option is not None else "—"
            lines.append(
                strings("assess.review_line", number=position + 1, label=item.label, answer=answer)
            )
        change = strings("assess.review_change", section=section.title)
        rows.append([(change, callbacks.encode("rc", assessment.id, index))])
    unknown = sum(
        1
        for key, option in answers.items()
        if model.has_item(key) and model.item(key).scale.is_dont_know(option)
    )
    if unknown:
        lines += ["", strings("assess.review_dont_know", count=unknown)]
    if newer_network(age):
        lines += ["", strings("assess.review_optimism", age=strings(f"ages.{age}"))]
    rows.append([(strings("assess.finish"), callbacks.encode("f", assessment.id))])
    return Safe("\n".join(lines)), keyboard(rows)


def section_picker(
    content: Content,
    assessment: OpenAssessment,
    title: str,
    positions: Sequence[int],
    answers: Mapping[str, int],
) -> tuple[Safe, InlineKeyboardMarkup]:
    """A section's questions with their answers, a button for each to change it, and "Back to
    review" on the last row."""
    strings, model = content.strings, content.model
    lines: list[str] = [strings("reassess.pick_title", section=title)]
    rows: list[list[Button]] = []
    for position in positions:
        item = model.items[position]
        option = answers.get(item.key)
        answer = item.scale.options[option].label if option is not None else "—"
        label = item.label or item.key
        lines.append(strings("reassess.pick_line", number=position + 1, label=label, answer=answer))
        button = strings("reassess.pick_button", number=position + 1, label=label)
        rows.append([(button, callbacks.encode("rq", assessment.id, position))])
    rows.append([(strings("reassess.back_to_review"), callbacks.encode("rv", assessment.id))])
    return Safe("\n".join(lines)), keyboard(rows)


def evidence_prompt(
    content: Content,
    assessment: OpenAssessment,
    position: int,
    option: int,
    note: str | None = None,
) -> tuple[Safe, InlineKeyboardMarkup]:
    """Ask for the optional note; with one saved already, show it: Skip keeps it, a typed note
    replaces it, "Remove the note" deletes it."""
    item = content.model.items[position]
    values = {
        "number": position + 1,
        "count": len(content.model.items),
        "answer": item.scale.options[option].label,
    }
    skip = callbacks.encode("s", assessment.id, position)
    navigation: list[Button] = [
        (content.strings("assess.back"), callbacks.encode("b", assessment.id, position)),
        (content.strings("assess.pause"), callbacks.encode("p", assessment.id)),
    ]
    if not note:
        text = content.strings("assess.evidence_prompt", example=item.evidence_example, **values)
        return text, keyboard([[(content.strings("assess.skip"), skip)], navigation])
    text = content.strings("assess.evidence_prompt_saved", note=note, **values)
    remove = callbacks.encode("sr", assessment.id, position)
    return text, keyboard(
        [
            [(content.strings("assess.skip_keep"), skip)],
            [(content.strings("assess.remove_note"), remove)],
            navigation,
        ]
    )


def _attributes(content: Content, attributes: tuple[Attribute, ...]) -> Safe:
    lines = (content.strings("result.attribute_line", text=a.text) for a in attributes)
    return Safe("\n".join(lines))


def result(content: Content, result: Result) -> Safe:
    """The full result message: total and band, sections, CRAFT, what holds it back, tips."""
    strings, model = content.strings, content.model
    lines = [
        strings(
            "result.title",
            total=result.total,
            maximum=result.maximum,
            band=band_name(content, result.band),
        ),
        band_summary(content, result),
        *position(content, result),
        "",
        strings("result.sections"),
    ]
    for section in result.sections:
        title = model.section(section.key).title if _has_section(content, section.key) else ""
        lines.append(
            strings(
                "result.section_line",
                title=title or section.key,
                points=section.points,
                maximum=section.maximum,
            )
        )
    lines += ["", strings("result.craft")]
    for enabler in result.enablers:
        lines.append(
            strings(
                "result.craft_line",
                name=model.enabler(enabler.key).name,
                percent=round(enabler.percent),
            )
        )
    lines.append("")
    lines.append(_progress(content, result))
    lines += ["", strings("result.tips")]
    for number, tip in enumerate(result.tips, start=1):
        lines.append(strings("result.tip_line", number=number, text=tip.text))
    lines += ["", *find_out(content, result), "", strings("result.footer")]
    return Safe("\n".join(lines))


def band_summary(content: Content, result: Result) -> Safe:
    """The band's theme (where the source gives one we can read) and what it means."""
    rule = content.model.band_rule(result.band)
    if not rule.theme:
        return content.strings("result.band_summary_plain", summary=rule.summary)
    return content.strings(
        "result.band_summary", theme=rule.theme.capitalize(), summary=rule.summary
    )


def position(content: Content, result: Result) -> list[Safe]:
    """Where the total sits within its band; nothing when the gate holds the band lower."""
    rule = content.model.band_rule(result.band)
    where = band_position(rule, result.total)
    if where == "above":
        return []
    return [
        content.strings(
            f"result.position_{where}",
            total=result.total,
            band=band_name(content, result.band),
            minimum=rule.minimum,
            maximum=rule.maximum,
        )
    ]


def find_out(content: Content, result: Result) -> list[Safe]:
    """How many answers were "Don't know", and each as a thing to find out with who knows."""
    strings = content.strings
    if not result.find_out:
        return [strings("result.dont_know_none")]
    lines: list[Safe] = [strings("result.find_out", count=len(result.find_out))]
    for thing in result.find_out[:FIND_OUT_LINES]:
        lines.append(strings("result.find_out_line", text=thing.text, who=thing.who))
    if len(result.find_out) > FIND_OUT_LINES:
        more = len(result.find_out) - FIND_OUT_LINES
        lines.append(strings("result.find_out_more", count=more))
    return lines


FIND_OUT_LINES = 10  # keeps the result within one message however many "Don't know" answers


def _has_section(content: Content, key: str) -> bool:
    return any(section.key == key for section in content.model.sections)


FAILING_LINES = 8  # keeps the result within one message however many answers fail the gate


def _progress(content: Content, result: Result) -> Safe:
    """What holds the band back, or what the next band needs."""
    strings = content.strings
    if result.holding_back:
        held = _held_back(content, result)
        failing = [content.model.item(k) for k in result.failing if content.model.has_item(k)]
        if not failing:
            return held
        lines = [
            strings("gate22.failing_line", label=item.label or item.text)
            for item in failing[:FAILING_LINES]
        ]
        if len(failing) > FAILING_LINES:
            lines.append(strings("gate22.failing_more", count=len(failing) - FAILING_LINES))
        return Safe("\n".join([held, strings("gate22.failing_title"), *lines]))
    if result.next_band is None:
        return strings("result.top")
    band = band_name(content, result.next_band)
    attributes = _attributes(content, result.missing_for_next)
    if result.points_to_next and attributes:
        return strings(
            "result.next_both", points=result.points_to_next, band=band, attributes=attributes
        )
    if attributes:
        return strings("result.next_attributes", band=band, attributes=attributes)
    return strings("result.next_points", points=result.points_to_next, band=band)


def _held_back(content: Content, result: Result) -> Safe:
    """Which foundations of the bands below are missing (why the band shown is lower)."""
    strings = content.strings
    bands = {a.band for a in result.holding_back}
    count = len(result.holding_back)
    if len(bands) > 1:
        lines = (
            strings("result.attribute_of_band", text=a.text, band=band_name(content, a.band))
            for a in result.holding_back
        )
        return strings(
            "result.held_back_mixed",
            score_band=band_name(content, result.score_band),
            attributes=Safe("\n".join(lines)),
        )
    return strings(
        "result.held_back",
        score_band=band_name(content, result.score_band),
        count=count,
        lower_band=band_name(content, bands.pop()),
        foundations=strings("result.foundation" if count == 1 else "result.foundations"),
        attributes=_attributes(content, result.holding_back),
    )


HISTORY_LINES = 12  # the latest three years of quarterly rounds; keeps /score within one message


def history(
    content: Content,
    assessments: Sequence[CompletedAssessment],
    timezone: ZoneInfo,
    changes: Sequence[AssessmentChange] = (),
) -> Safe:
    """Completed assessments, newest first, each with its re-scores (what it was before each
    change of answers); the oldest beyond HISTORY_LINES are counted."""
    strings = content.strings
    lines = [strings("score.history")]
    shown = assessments[-HISTORY_LINES:]
    for assessment in reversed(shown):
        maximum = assessment.result.maximum
        lines.append(
            strings(
                "score.history_line",
                date=completed_on(assessment, timezone),
                total=assessment.total,
                maximum=maximum,
                band=band_name(content, assessment.band),
            )
        )
        for change in (c for c in reversed(changes) if c.assessment_id == assessment.id):
            lines.append(
                strings(
                    "score.history_changed",
                    date=local_date(change.changed_at, timezone),
                    total=change.total_before,
                    maximum=maximum,
                    band=band_name(content, change.band_before),
                )
            )
    if len(assessments) > len(shown):
        lines.append(strings("score.history_more", count=len(assessments) - len(shown)))
    return Safe("\n".join(lines))


def local_date(moment: datetime, timezone: ZoneInfo) -> str:
    """A date as people read it: "1 Mar 2027"."""
    return local_day(moment.astimezone(timezone).date())


def local_day(day: date) -> str:
    return day.strftime("%-d %b %Y")


def completed_on(assessment: CompletedAssessment, timezone: ZoneInfo) -> str:
    return local_date(assessment.completed_at, timezone)


def baseline_summary(content: Content, result: Result) -> list[Safe]:
    """The 2017 national picture, where this total stands against the 2017 average total (the
    review gives no section or enabler figures), and the caveat that goes with any 2017 figure."""
    strings, baseline = content.strings, content.baseline
    percent = baseline.published_shares()
    difference = result.total - baseline.mean_total
    key = "compare.baseline_above" if difference >= 0 else "compare.baseline_below"
    return [
        strings(
            "compare.baseline_summary",
            year=baseline.year,
            count=baseline.networks_assessed,
            mean=baseline.mean_total,
            maximum=baseline.max_total,
            pathfinder=percent[Band.PATHFINDER],
            cultivator=percent[Band.CULTIVATOR],
            activator=percent[Band.ACTIVATOR],
        ),
        strings(key, total=result.total, maximum=result.maximum, points=abs(difference)),
        strings("compare.baseline_caveat"),
    ]


def chart_caption(content: Content, result: Result) -> Safe:
    """The result chart's caption, stating the figures it shows for those who cannot see it."""
    strings, model = content.strings, content.model
    sections = ", ".join(
        str(
            strings(
                "result.chart_section",
                name=model.section(s.key).title,
                points=s.points,
                maximum=s.maximum,
            )
        )
        for s in result.sections
        if _has_section(content, s.key)
    )
    enablers = ", ".join(
        str(
            strings("result.chart_figure", name=model.enabler(e.key).name, percent=round(e.percent))
        )
        for e in result.enablers
    )
    return strings(
        "result.chart_caption",
        baseline=round(content.baseline.mean_percent),
        sections=Safe(sections),
        enablers=Safe(enablers),
    )


def since_last_time(content: Content, done: Sequence[tuple[str, Move]]) -> Safe:
    """A result's opening: plan steps done since the last one, and whether their items moved."""
    strings = content.strings
    lines = [strings("result.since_title")]
    if not done:
        lines.append(strings("result.since_none"))
    for text, move in done:
        lines.append(strings("result.since_line", text=text, moved=strings(f"result.moved_{move}")))
    return Safe("\n".join(lines))


def verify_card(content: Content, network: Network) -> Safe:
    """The Verify card: the organisation and the network (never any answer), and the reason
    given for a second network at the same organisation."""
    strings = content.strings
    lines = [
        strings(
            "gov.verify_card",
            organisation=network.organisation,
            network=network.name,
            region=content.directory.region(network.region).name,
            age=strings(f"ages.{network.age}"),
            id=network.id,
        )
    ]
    if network.separate_reason:
        lines.append(strings("gov.verify_separate", reason=network.separate_reason))
    return Safe("\n\n".join(lines))
