"""/pulse: a lead opens a member pulse, members answer anonymously through its link, and the
lead sees figures only for a closed pulse with enough answers."""

from __future__ import annotations

import io
import json
import re
import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path

from pypdf import PdfReader

from content import Content
from handlers import callbacks
from handlers.pulse import pulse_closing_job
from tests.harness import OPERATOR, Harness
from tests.seed import seed_result, uniform

LEAD = 2401
OTHER_LEAD = 2402
MEMBERS = [2410 + n for n in range(8)]
AGREE, DISAGREE = "Agree", "Disagree"
HUB, HUB_ADMIN = -1002401, 2490


async def _open(bot: Harness, content: Content, lead: int = LEAD) -> str:
    """A lead with a result (all "Agree") opens a pulse; its link's code."""
    await seed_result(bot.storage, content.model, lead, choose=uniform(3))
    calls = await bot.send(lead, "/pulse")
    texts = " ".join(call.text for call in calls)
    match = re.search(r"start=pulse_([A-Za-z0-9_-]+)", texts)
    assert match is not None, texts
    return match[1]


async def _answer(bot: Harness, member: int, code: str, label: str, *, finish: bool = True) -> None:
    """A member opens the link, begins, answers every statement with `label`, skips the text."""
    await bot.send(member, f"/start pulse_{code}")
    await bot.tap(member, "Begin")
    while "Skip" not in bot.buttons(member):
        await bot.tap(member, label)
    if finish:
        await bot.tap(member, "Skip")


async def test_pulse_gives_a_link_and_a_card_with_close(bot: Harness, content: Content) -> None:
    """/pulse opens a pulse: a card with the count, Close and Extend, and a text to forward."""
    code = await _open(bot, content)
    card = next(c for c in bot.fake.sent(LEAD) if "Answers so far" in c.text)
    assert "<b>0</b>" in card.text
    labels = [button["text"] for row in card.buttons for button in row]
    assert "Close" in labels
    assert "Extend by 7 days" in labels
    assert f"https://t.me/{bot.app.bot.username}?start=pulse_{code}" in bot.fake.sent(LEAD)[-1].text


async def test_member_sees_network_and_promise_then_answers(
    bot: Harness, content: Content, tmp_path: Path
) -> None:
    """A member sees the network's name and the promise of anonymity first; their finished
    answer is counted, and nothing stored holds their id."""
    code = await _open(bot, content)
    calls = await bot.send(MEMBERS[0], f"/start pulse_{code}")
    assert "Network 2401" in calls[-1].text
    assert "anonymous" in calls[-1].text
    # The privacy notice in short comes before the first question (issue 26).
    assert "Before you answer: your data in brief" in calls[-1].text
    assert "Information Commissioner" in calls[-1].text
    await bot.tap(MEMBERS[0], "Begin")
    assert "1 of 9" in bot.fake.shown(MEMBERS[0])[-1].text
    assert bot.buttons(MEMBERS[0])[0] == "Prefer not to say"
    while "Skip" not in bot.buttons(MEMBERS[0]):
        await bot.tap(MEMBERS[0], AGREE)
    await bot.tap(MEMBERS[0], "Skip")
    assert "Your answers are in" in bot.fake.shown(MEMBERS[0])[-1].text
    [pulse] = await bot.storage.pulses((await bot.storage.network_of(LEAD)).id)  # type: ignore[union-attr]
    assert pulse.answers == 1
    with closing(sqlite3.connect(tmp_path / "bot.sqlite3")) as db:
        takers = [row[0] for row in db.execute("SELECT taker FROM pulse_takers")]
        assert len(takers) == 1
        assert str(MEMBERS[0]) not in takers[0]
        assert db.execute("SELECT COUNT(*) FROM pulse_counts").fetchone()[0] == 9


async def test_member_who_opens_the_link_twice_is_told_they_answered(
    bot: Harness, content: Content
) -> None:
    """Opening the link again after answering says so and counts nothing more."""
    code = await _open(bot, content)
    await _answer(bot, MEMBERS[0], code, AGREE)
    calls = await bot.send(MEMBERS[0], f"/start pulse_{code}")
    assert "already answered" in calls[-1].text
    [pulse] = await bot.storage.pulses((await bot.storage.network_of(LEAD)).id)  # type: ignore[union-attr]
    assert pulse.answers == 1


async def test_member_who_reopens_midway_resumes(bot: Harness, content: Content) -> None:
    """Opening the link halfway through picks up at the next statement."""
    code = await _open(bot, content)
    await bot.send(MEMBERS[0], f"/start pulse_{code}")
    await bot.tap(MEMBERS[0], "Begin")
    await bot.tap(MEMBERS[0], AGREE)
    await bot.tap(MEMBERS[0], AGREE)
    calls = await bot.send(MEMBERS[0], f"/start pulse_{code}")
    assert "3 of 9" in calls[-1].text


async def test_member_who_stops_halfway_is_not_counted(
    bot: Harness, content: Content, tmp_path: Path
) -> None:
    """Stop halfway: nothing is counted and the partial answers are deleted."""
    code = await _open(bot, content)
    await bot.send(MEMBERS[0], f"/start pulse_{code}")
    await bot.tap(MEMBERS[0], "Begin")
    for _ in range(4):
        await bot.tap(MEMBERS[0], AGREE)
    await bot.tap(MEMBERS[0], "Stop")
    assert "Nothing you answered is counted" in bot.fake.shown(MEMBERS[0])[-1].text
    with closing(sqlite3.connect(tmp_path / "bot.sqlite3")) as db:
        assert db.execute("SELECT COUNT(*) FROM pulse_takers").fetchone()[0] == 0
        assert db.execute("SELECT COUNT(*) FROM pulse_counts").fetchone()[0] == 0
        assert db.execute("SELECT answers FROM pulses").fetchone()[0] == 0


async def test_fifth_answer_after_close_is_not_counted_and_nothing_is_shown(
    bot: Harness, content: Content, tmp_path: Path
) -> None:
    """Four answers, Close, then the fifth finishes: it is refused, and the pulse (4 answers)
    shows nothing, now or later."""
    code = await _open(bot, content)
    for member in MEMBERS[:4]:
        await _answer(bot, member, code, AGREE)
    await _answer(bot, MEMBERS[4], code, AGREE, finish=False)
    await bot.send(LEAD, "/pulse")
    await bot.tap(LEAD, "Close")
    assert "Fewer than 5 answered, so nothing is shown" in bot.fake.shown(LEAD)[-1].text
    await bot.tap(MEMBERS[4], "Skip")
    assert "closed before your answers were in" in bot.fake.shown(MEMBERS[4])[-1].text
    with closing(sqlite3.connect(tmp_path / "bot.sqlite3")) as db:
        assert db.execute("SELECT answers, hash_key FROM pulses").fetchone() == (4, None)
        assert db.execute("SELECT COUNT(*) FROM pulse_takers").fetchone()[0] == 0
        assert db.execute("SELECT COUNT(*) FROM pulse_counts").fetchone()[0] == 0
    calls = await bot.send(LEAD, "/pulse")
    assert "nothing shown" in calls[-1].text
    assert "See what members said" not in [b["text"] for r in calls[-1].buttons for b in r]
    [pulse] = await bot.storage.pulses((await bot.storage.network_of(LEAD)).id)  # type: ignore[union-attr]
    calls = await bot.press(LEAD, callbacks.encode("qr", pulse.id))
    assert [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"] == [
        "There is nothing to show for that pulse."
    ]
    assert bot.fake.sent(MEMBERS[5]) == []


async def test_closed_pulse_with_enough_answers_shows_gaps_and_free_text(
    bot: Harness, content: Content
) -> None:
    """Five answers and Close: the share agreeing and spread per statement beside the leads'
    answers, widest gaps first, a plan button, and the free text with no link to answers."""
    code = await _open(bot, content)
    for member in MEMBERS[:3]:
        await _answer(bot, member, code, DISAGREE)
    for member in MEMBERS[3:5]:
        await _answer(bot, member, code, AGREE, finish=False)
        await bot.send(member, "More evening meetings please")
        assert "Your answers are in" in bot.fake.shown(member)[-1].text
    await bot.send(LEAD, "/pulse")
    await bot.tap(LEAD, "Close")
    assert "closed with 5 answers" in bot.fake.shown(LEAD)[-1].text
    await bot.tap(LEAD, "See what members said")
    results = bot.fake.sent(LEAD)[-2].text
    assert "5 answered" in results
    assert "Members: <b>40%</b> agree they know how to get involved" in results
    assert "(60% disagree, 0% neither); leads: Agree / Yes." in results
    comments = bot.fake.sent(LEAD)[-1].text
    assert comments.count("More evening meetings please") == 2
    await bot.tap(LEAD, "📋 Plan")
    assert "Added to your plan" in bot.fake.sent(LEAD)[-1].text
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    [step] = await bot.storage.plan_steps(network.id)
    assert step.source.startswith("pulse:")


async def test_forged_callback_cannot_read_another_networks_pulse(
    bot: Harness, content: Content
) -> None:
    """A lead pressing forged "results" and "close" data for another network's pulse gets
    nothing and changes nothing."""
    code = await _open(bot, content)
    for member in MEMBERS[:5]:
        await _answer(bot, member, code, AGREE)
    await bot.send(LEAD, "/pulse")
    await bot.tap(LEAD, "Close")
    [pulse] = await bot.storage.pulses((await bot.storage.network_of(LEAD)).id)  # type: ignore[union-attr]
    await seed_result(bot.storage, content.model, OTHER_LEAD)
    await bot.send(OTHER_LEAD, "/pulse")  # their own pulse's card, to press on
    before = len(bot.fake.sent(OTHER_LEAD))
    for data in (callbacks.encode("qr", pulse.id), callbacks.encode("qp", pulse.id, 0)):
        calls = await bot.press(OTHER_LEAD, data)
        answers = [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"]
        assert answers == ["That pulse is not one of your network's."]
    assert len(bot.fake.sent(OTHER_LEAD)) == before
    network = await bot.storage.network_of(OTHER_LEAD)
    assert network is not None
    assert await bot.storage.plan_steps(network.id) == []


async def test_open_pulse_shows_no_figures_even_with_enough_answers(
    bot: Harness, content: Content
) -> None:
    """While open, a results press shows nothing, however many have answered."""
    code = await _open(bot, content)
    for member in MEMBERS[:6]:
        await _answer(bot, member, code, AGREE)
    [pulse] = await bot.storage.pulses((await bot.storage.network_of(LEAD)).id)  # type: ignore[union-attr]
    calls = await bot.press(LEAD, callbacks.encode("qr", pulse.id))
    answers = [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"]
    assert answers == ["There is nothing to show for that pulse."]


async def test_pulse_closes_itself_after_14_days_and_leads_are_told(
    bot: Harness, content: Content
) -> None:
    """The closing check closes a pulse 14 days on, tells each lead once; the link then says
    it is closed."""
    code = await _open(bot, content)
    bot.clock.advance(timedelta(days=13, hours=23))
    await bot.run_callback(pulse_closing_job)
    assert not any("has closed" in c.text for c in bot.fake.sent(LEAD))
    bot.clock.advance(timedelta(hours=2))
    await bot.run_callback(pulse_closing_job)
    await bot.run_callback(pulse_closing_job)
    assert sum("has closed" in c.text for c in bot.fake.sent(LEAD)) == 1
    calls = await bot.send(MEMBERS[0], f"/start pulse_{code}")
    assert "has closed" in calls[-1].text


async def test_extend_moves_the_closing_date_up_to_four_weeks(
    bot: Harness, content: Content
) -> None:
    """Extend adds a week each time, up to 28 days from the opening, then says no."""
    await _open(bot, content)
    await bot.tap(LEAD, "Extend")
    assert "closes on 22 Mar 2027" in bot.fake.sent(LEAD)[-1].text
    await bot.tap(LEAD, "Extend")
    assert "closes on 29 Mar 2027" in bot.fake.sent(LEAD)[-1].text
    await bot.tap(LEAD, "Extend")
    assert "cannot be extended" in bot.fake.sent(LEAD)[-1].text


async def test_not_a_lead_and_unknown_link(bot: Harness) -> None:
    """/pulse from someone without a network, and a made-up link, get a clear answer."""
    calls = await bot.send(MEMBERS[0], "/pulse")
    assert "Only a network's leads" in calls[-1].text
    calls = await bot.send(MEMBERS[0], "/start pulse_nosuchcode")
    assert "does not work" in calls[-1].text


async def test_forget_by_a_member_drops_their_unfinished_answer(
    bot: Harness, content: Content, tmp_path: Path
) -> None:
    """/forget by a member halfway through deletes their partial answer and marker."""
    code = await _open(bot, content)
    await _answer(bot, MEMBERS[0], code, AGREE)
    await bot.send(MEMBERS[1], f"/start pulse_{code}")
    await bot.tap(MEMBERS[1], "Begin")
    await bot.tap(MEMBERS[1], AGREE)
    await bot.send(MEMBERS[1], "/forget")
    await bot.tap(MEMBERS[1], "Yes")
    assert "half-finished pulse answers" in bot.fake.shown(MEMBERS[1])[-1].text
    with closing(sqlite3.connect(tmp_path / "bot.sqlite3")) as db:
        assert db.execute("SELECT done FROM pulse_takers").fetchall() == [(1,)]
        assert db.execute("SELECT answers FROM pulses").fetchone()[0] == 1


async def test_forget_by_the_last_lead_deletes_the_pulses(
    bot: Harness, content: Content, tmp_path: Path
) -> None:
    """/forget by the network's last lead deletes its pulses, counts and free text."""
    code = await _open(bot, content)
    for member in MEMBERS[:5]:
        await _answer(bot, member, code, AGREE)
    await bot.send(LEAD, "/pulse")
    await bot.tap(LEAD, "Close")
    await bot.send(LEAD, "/forget")
    await bot.tap(LEAD, "Yes")
    with closing(sqlite3.connect(tmp_path / "bot.sqlite3")) as db:
        for table in ("pulses", "pulse_counts", "pulse_takers", "pulse_comments"):
            assert db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0


async def test_forget_by_a_co_lead_keeps_the_pulse_without_them(
    bot: Harness, content: Content, tmp_path: Path
) -> None:
    """A lead who opened a pulse and forgets, with a co-lead left: the pulse stays, no longer
    saying who opened it."""
    await _open(bot, content)
    await bot.join(OTHER_LEAD, LEAD)
    await bot.send(LEAD, "/forget")
    await bot.tap(LEAD, "Yes")
    with closing(sqlite3.connect(tmp_path / "bot.sqlite3")) as db:
        assert db.execute("SELECT opened_by FROM pulses").fetchall() == [(None,)]


async def test_hub_digest_counts_networks_that_ran_a_pulse_under_the_publication_rule(
    bot: Harness, content: Content
) -> None:
    """The digest says "a few" for four networks' pulses, 5 for five, and a sixth network's
    pulse alone does not change the published number (it would single that network out)."""
    bot.fake.set_admins(HUB, [HUB_ADMIN])
    await bot.send(OPERATOR, "/hub London", chat_id=HUB)

    async def digest() -> str:
        await bot.send(HUB_ADMIN, "/digest", chat_id=HUB)
        return bot.fake.sent(HUB)[-1].text

    for lead in range(2450, 2454):
        await _open(bot, content, lead)
    assert "a few of the region's networks asked their members" in await digest()
    await _open(bot, content, 2454)
    assert "5 of the region's networks asked their members this quarter" in await digest()
    await _open(bot, content, 2455)
    assert "5 of the region's networks asked their members this quarter" in await digest()


async def test_board_pack_carries_what_members_say(bot: Harness, content: Content) -> None:
    """The latest closed pulse with enough answers goes into the pack, beside the leads'
    answers, and its free text stays out."""
    code = await _open(bot, content)
    for member in MEMBERS[:5]:
        await _answer(bot, member, code, DISAGREE, finish=False)
        await bot.send(member, "Private thoughts for the leads")
    await bot.send(LEAD, "/pulse")
    await bot.tap(LEAD, "Close")
    calls = await bot.send(LEAD, "/report")
    [document] = [c for c in calls if c.method == "sendDocument"]
    pdf = PdfReader(io.BytesIO(document.files["document"]))
    text = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    assert "What members say" in text
    assert "5 answered" in text
    assert "Members: 0% agree they know how to get involved (100% disagree, 0% neither)" in text
    assert "Private thoughts" not in text
    assert 2 <= len(pdf.pages) <= 4


async def _stored_answers(bot: Harness, pulse_id: int, options: list[int], first: int) -> None:
    """Members finish the pulse straight through storage, each with every statement `option`."""
    keys = [s.key for s in bot.app.bot_data["services"].content.pulse.statements]
    for member, option in enumerate(options, start=first):
        assert await bot.storage.begin_pulse(pulse_id, member)
        for position in range(len(keys)):
            assert await bot.storage.answer_pulse(pulse_id, member, position, option)
        assert await bot.storage.finish_pulse(pulse_id, member, keys, None)


async def test_latest_pulse_figures_per_network_for_the_national_picture(
    bot: Harness, content: Content
) -> None:
    """Per network: the latest closed pulse with enough answers, with agree/answer counts;
    open pulses, too-small ones and networks without one are left out."""
    now = bot.clock.now()
    ids = []
    for lead in (2460, 2461, 2462):
        await seed_result(bot.storage, content.model, lead)
        network = await bot.storage.network_of(lead)
        assert network is not None
        ids.append(network.id)
    first = await bot.storage.open_pulse(ids[0], 2460, now + timedelta(days=14))
    assert first is not None
    await _stored_answers(bot, first.id, [4, 4, 5, 1, 0], 3000)
    assert await bot.storage.close_pulse(first.id, 5)
    bot.clock.advance(timedelta(days=1))
    second = await bot.storage.open_pulse(ids[0], 2460, now + timedelta(days=15))
    assert second is not None
    await _stored_answers(bot, second.id, [1, 1, 1], 3000)
    assert await bot.storage.close_pulse(second.id, 5)
    still_open = await bot.storage.open_pulse(ids[1], 2461, now + timedelta(days=14))
    assert still_open is not None
    await _stored_answers(bot, still_open.id, [4] * 6, 3100)
    found = await bot.storage.latest_pulse_figures(ids, 5)
    assert list(found) == [ids[0]]
    assert found[ids[0]].pulse.id == first.id
    assert found[ids[0]].agreeing()["purpose"] == (3, 4)


async def test_export_gives_the_lead_the_pulse_figures(bot: Harness, content: Content) -> None:
    """A lead's /export holds the network's pulses and, for a closed one with enough answers,
    its totals per statement."""
    code = await _open(bot, content)
    for member in MEMBERS[:5]:
        await _answer(bot, member, code, AGREE)
    await bot.send(LEAD, "/pulse")
    await bot.tap(LEAD, "Close")
    calls = await bot.send(LEAD, "/export")
    document = next(c for c in calls if c.method == "sendDocument")
    data = json.loads(document.files["document"])
    [pulse] = data["pulses"]
    assert pulse["answers"] == 5
    assert pulse["counts_by_statement"]["purpose"] == [0, 0, 0, 0, 5, 0]
    assert "nothing you answered is stored with your Telegram id" in data["member_pulses"]


async def test_export_tells_a_member_nothing_is_tied_to_them(
    bot: Harness, content: Content
) -> None:
    """A member who answered exports only their bare user record (made when they reached the
    optional text) and the note that nothing they answered is tied to them."""
    code = await _open(bot, content)
    await _answer(bot, MEMBERS[0], code, AGREE)
    calls = await bot.send(MEMBERS[0], "/export")
    document = next(c for c in calls if c.method == "sendDocument")
    data = json.loads(document.files["document"])
    assert data["user"]["id"] == MEMBERS[0]
    assert data["user"]["state"] is None
    assert data["pulses"] == []
    assert data["network"] is None
    assert "nothing you answered is stored with your Telegram id" in data["member_pulses"]


async def test_export_for_someone_unknown_mentions_member_pulses(bot: Harness) -> None:
    """Someone the bot stores nothing about is told so, and that pulse answers are not tied."""
    calls = await bot.send(MEMBERS[1], "/export")
    assert "nothing you answered is stored with your Telegram id" in calls[-1].text


async def test_privacy_explains_member_pulses(bot: Harness) -> None:
    """/privacy says what a pulse keeps, that the key goes at close, and who sees what."""
    await bot.send(MEMBERS[0], "/privacy")
    await bot.tap(MEMBERS[0], "More")
    await bot.tap(MEMBERS[0], "More")  # the notice's page on member pulses
    text = bot.fake.shown(MEMBERS[0])[-1].text
    assert "Member pulses" in text
    assert "the key is deleted when the pulse closes" in text
    assert "at least 5 answers" in text


async def test_a_new_pulse_after_a_closed_one_starts_from_nothing(
    bot: Harness, content: Content
) -> None:
    """After Close, /pulse lists the past pulse and offers a new one, which starts at 0 answers
    with a new link; the closed pulse's link stays closed and its figures stay as they were."""
    code = await _open(bot, content)
    for member in MEMBERS[:5]:
        await _answer(bot, member, code, AGREE)
    await bot.send(LEAD, "/pulse")
    await bot.tap(LEAD, "Close")
    calls = await bot.send(LEAD, "/pulse")
    assert "Past pulses" in calls[-1].text
    await bot.tap(LEAD, "Start a new pulse")
    assert "<b>0</b>" in bot.fake.shown(LEAD)[-2].text
    match = re.search(r"start=pulse_([A-Za-z0-9_-]+)", bot.fake.sent(LEAD)[-1].text)
    assert match is not None
    assert match[1] != code
    await _answer(bot, MEMBERS[0], match[1], DISAGREE)  # a new pulse: they may answer again
    assert "has closed" in (await bot.send(MEMBERS[1], f"/start pulse_{code}"))[-1].text
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    new, old = await bot.storage.pulses(network.id)
    assert (new.answers, old.answers) == (1, 5)
    figures = await bot.storage.pulse_figures(old.id)
    assert figures is not None
    assert figures.counts["purpose"] == (0, 0, 0, 0, 5, 0)
