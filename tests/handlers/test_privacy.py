"""Consent and data rights: the opt-in share, what groups see, /privacy, /export, /forget."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from pathlib import Path

from content import Content
from tests.fakebot import FakeBotApi
from tests.harness import OPERATOR, FakeClock, Harness, running
from tests.seed import seed_result, uniform

LEAD = 1401
CO_LEAD = 1402
SHY = 1403
ADMIN = 1404
GROUP = -1014001
OTHER_REGION_GROUP = -1014002
MARKER = "ZEBRA-7Q-MARKER"


async def _hub(bot: Harness, chat_id: int = GROUP, region: str = "London") -> None:
    bot.fake.set_admins(chat_id, [ADMIN])
    await bot.send(OPERATOR, f"/hub {region}", chat_id=chat_id)


async def test_share_button_posts_name_and_band_only(bot: Harness) -> None:
    """ "Share my band with my hub" posts the directory's organisation name (plain) and the band,
    and no score."""
    await _hub(bot)
    await _hub(bot, OTHER_REGION_GROUP, "Midlands")
    await bot.register(LEAD, name="Barts BME Network")
    await bot.answer_all(LEAD, "lowest")
    await bot.tap(LEAD, "Share my band with my hub")
    [post] = [c for c in bot.fake.sent(GROUP) if "Barts Health NHS Trust" in c.text]
    assert post.text.startswith("The staff network at Barts Health NHS Trust has completed")
    assert "Barts BME Network" not in post.text
    assert "<b>Pathfinder</b>" in post.text
    assert not re.search(r"\d+/178|\d+%", post.text)
    assert bot.fake.sent(OTHER_REGION_GROUP)[-1].text.startswith("✓ This group is now the hub")
    assert "Share my band" not in " ".join(bot.buttons(LEAD))


async def test_share_twice_posts_once(bot: Harness) -> None:
    """A second press of the same share button (say, from an old message) posts nothing more."""
    await _hub(bot)
    await bot.register(LEAD)
    await bot.answer_all(LEAD, "lowest")
    message_id, rows = bot.keyboard(LEAD)
    data = rows[0][0]["callback_data"]
    first = await bot.press(LEAD, data, message_id=message_id)
    again = await bot.press(LEAD, data, message_id=message_id)
    assert len([c for c in bot.fake.sent(GROUP) if "band" in c.text]) == 1
    answers = [
        [c.params["text"] for c in calls if c.method == "answerCallbackQuery"]
        for calls in (first, again)
    ]
    # Once "Shared … with 1 hub group(s)" both times; now the second press says it was shared.
    assert answers[0] == [
        "Shared your network's name and band with your hub group. Nothing else was shared."
    ]
    assert "already shared" in answers[1][0]


async def test_the_entry_band_is_shared_without_celebration(bot: Harness) -> None:
    """A first result in the entry band is posted plainly, with no "has reached" and no 🎉."""
    await _hub(bot)
    await bot.register(LEAD)
    await bot.answer_all(LEAD, "lowest")
    await bot.tap(LEAD, "Share my band with my hub")
    [post] = [c for c in bot.fake.sent(GROUP) if "Barts Health NHS Trust" in c.text]
    assert "Pathfinder" in post.text
    assert "🎉" not in post.text
    assert "has reached" not in post.text


async def test_a_band_higher_than_last_time_is_celebrated(bot: Harness) -> None:
    """A result a band above the network's previous one is posted as reached, with 🎉."""
    await _hub(bot)
    await bot.register(LEAD)
    await bot.answer_all(LEAD, "lowest")
    await bot.new_round(LEAD)
    await bot.answer_all(LEAD, "top")
    await bot.tap(LEAD, "Share my band with my hub")
    [post] = [c for c in bot.fake.sent(GROUP) if "Barts Health NHS Trust" in c.text]
    assert "🎉" in post.text
    assert "has reached" in post.text
    assert "Activator" in post.text


async def test_only_the_networks_leads_can_share(bot: Harness, content: Content) -> None:
    """Someone else pressing a share button (a forged press) shares nothing."""
    await _hub(bot)
    assessment_id = await seed_result(bot.storage, content.model, LEAD)
    await seed_result(bot.storage, content.model, SHY)
    calls = await bot.press(SHY, f"1:sh:{assessment_id}", message_id=1)
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    assert [c for c in bot.fake.sent(GROUP) if "band" in c.text] == []


async def test_group_never_sees_a_network_unless_it_shared(bot: Harness, content: Content) -> None:
    """Over a scripted session, the hub group gets no name or score of a network that did not
    share, and only name and band of the one that did."""
    await _hub(bot)
    for index in range(5):
        await seed_result(
            bot.storage,
            content.model,
            7000 + index,
            name=f"Quiet Network {index}",
            choose=uniform(index % 4),
        )
    await bot.register(SHY, name="Shy Network")
    await bot.answer_all(SHY, "top")
    await bot.register(LEAD, name="Proud Network")
    await bot.answer_all(LEAD, "lowest")
    await bot.tap(LEAD, "Share my band with my hub")
    for user in (LEAD, SHY, ADMIN):
        for command in ("/compare", "/score", "/assess", "/help", "/meetings", "/hub"):
            await bot.send(user, command, chat_id=GROUP)
    await bot.send(ADMIN, "/nudge", chat_id=GROUP)
    await bot.send(ADMIN, "/meeting 2027-03-10 13:00 Planning", chat_id=GROUP)
    texts = [c.text for c in bot.fake.shown(GROUP)]
    joined = "\n".join(texts)
    assert "Shy Network" not in joined
    assert "Quiet Network" not in joined
    # The one post names the sharing network's organisation (from the directory), nothing else.
    [shared] = [t for t in texts if "Barts Health" in t]
    assert "Pathfinder" in shared  # the entry band, posted plainly
    # The only score-like figure a group may see is an aggregate's median.
    scores = re.findall(r"(\w+ )?\d+/178", joined)
    assert scores
    assert set(scores) == {"Median "}
    assert not re.search(r"\d+/178", shared)


async def _notice(bot: Harness, user_id: int = LEAD) -> list[str]:
    """Every page of /privacy, following "More" to the last page."""
    pages = [(await bot.send(user_id, "/privacy"))[-1].text]
    while bot.buttons(user_id) == ["More ›"]:
        edits = await bot.tap(user_id, "More ›")
        pages.append(next(c.text for c in edits if c.method == "editMessageText"))
    return pages


async def test_privacy_says_what_is_stored_and_how_to_remove_it(bot: Harness) -> None:
    """/privacy explains storage, visibility and the /export and /forget commands."""
    text = "\n".join(await _notice(bot))
    for words in ("Telegram user id", "Who sees it", "/export", "/forget", "at least 5"):
        assert words in text


async def test_export_holds_all_my_answers_and_nobody_elses(bot: Harness) -> None:
    """/export sends JSON with every answer and note of the user's, none of a co-lead's."""
    await bot.register(LEAD)
    await bot.answer_all(LEAD, "top", evidence=MARKER)
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    await bot.join(CO_LEAD, LEAD)
    await bot.send(CO_LEAD, "/assess")
    await bot.answer_all(CO_LEAD, "lowest", evidence="co-lead note")
    calls = await bot.send(LEAD, "/export")
    document, _ = [c for c in calls if c.method == "sendDocument"]
    data = json.loads(document.files["document"])
    assert data["user"]["id"] == LEAD
    assert data["network"]["name"] == "Barts BME Network"
    [assessment] = data["assessments"]
    assert len(assessment["answers"]) == 50
    assert MARKER in {a["evidence"] for a in assessment["answers"]}
    assert "co-lead note" not in json.dumps(data)
    assert str(CO_LEAD) not in json.dumps(data)


async def test_export_explains_itself_and_puts_words_beside_codes(bot: Harness) -> None:
    """The JSON starts with a header, and shows questions, answers, region and age in words."""
    await bot.register(LEAD)
    await bot.answer_all(LEAD, "top")
    calls = await bot.send(LEAD, "/export")
    document, _ = [c for c in calls if c.method == "sendDocument"]
    data = json.loads(document.files["document"])
    assert next(iter(data)) == "about_this_file"
    assert data["network"]["region_name"] == "London"
    assert "year" in data["network"]["age_in_words"]
    answer = data["assessments"][0]["answers"][0]
    assert answer["question"].endswith(".")
    assert answer["answer"] in {"Strongly agree", "Yes"}


async def test_export_sends_the_answers_as_csv(bot: Harness, content: Content) -> None:
    """A CSV beside the JSON has a header row and one row per answer, question in words."""
    await bot.register(LEAD)
    await bot.answer_all(LEAD, "top")
    calls = await bot.send(LEAD, "/export")
    _, table = [c for c in calls if c.method == "sendDocument"]
    rows = list(csv.DictReader(io.StringIO(table.files["document"].decode("utf-8-sig"))))
    assert len(rows) == len(content.model.items)
    assert rows[0]["question"]
    assert rows[0]["answer"]
    assert rows[0]["points"]


async def test_export_for_a_stranger_says_nothing_is_held(bot: Harness) -> None:
    """Someone the bot has never stored gets a plain answer, not an empty file."""
    calls = await bot.send(SHY, "/export")
    assert "nothing" in calls[-1].text


def _scan(db: Path) -> list[str]:
    """Every place the marker could hide: each table's rows and the raw database files."""
    found = []
    with sqlite3.connect(db) as connection:
        tables = [
            r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        for table in tables:
            for row in connection.execute(
                f'SELECT * FROM "{table}"'
            ):  # test-only, names from sqlite
                if MARKER in repr(row):
                    found.append(table)
    for path in (db, db.with_name(db.name + "-wal")):
        if path.exists() and MARKER.encode() in path.read_bytes():
            found.append(path.name)
    return found


async def test_forget_leaves_no_trace(
    fake: FakeBotApi, content: Content, tmp_path: Path, clock: FakeClock
) -> None:
    """After /forget, neither any table nor the database or WAL file holds the user's note."""
    db = tmp_path / "bot.sqlite3"
    async with running(fake, content, db, clock) as bot:
        await bot.register(LEAD)
        await bot.answer_all(LEAD, "top", evidence=MARKER)
        await bot.send(LEAD, f"/share Practice {MARKER}")
        await bot.tap(LEAD, "Share anonymously")
        assert _scan(db) != []
        await bot.send(LEAD, "/forget")
        await bot.tap(LEAD, "Yes, delete everything")
        assert "deleted" in fake.shown(LEAD)[-1].text
        assert _scan(db) == []
        assert await bot.storage.user(LEAD) is None
        assert await bot.storage.network_of(LEAD) is None
        assert bot.errors == []
    assert _scan(db) == []


async def test_forget_keeps_the_network_for_remaining_leads(bot: Harness) -> None:
    """When a co-lead remains, the network and the co-lead's results stay."""
    await bot.register(LEAD)
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    await bot.join(CO_LEAD, LEAD)
    await bot.send(CO_LEAD, "/assess")
    await bot.answer_all(CO_LEAD, "lowest")
    await bot.send(LEAD, "/forget")
    await bot.tap(LEAD, "Yes, delete everything")
    kept = await bot.storage.network_of(CO_LEAD)
    assert kept is not None
    assert kept.id == network.id
    assert await bot.storage.lead_ids(network.id) == [CO_LEAD]
    assert len(await bot.storage.completed_assessments(network.id)) == 1


async def test_forget_can_be_called_off(bot: Harness) -> None:
    """ "No, keep it" deletes nothing."""
    await bot.register(LEAD)
    await bot.send(LEAD, "/forget")
    await bot.tap(LEAD, "No, keep it")
    assert await bot.storage.network_of(LEAD) is not None
    assert "Nothing was deleted" in bot.fake.shown(LEAD)[-1].text


async def test_forget_clears_what_a_hub_admin_did(bot: Harness) -> None:
    """A hub admin's id leaves the hub and meeting records; the hub keeps working."""
    bot.fake.set_admins(GROUP, [ADMIN])
    await bot.send(ADMIN, "/hub London", chat_id=GROUP)  # asked by the admin,
    await bot.tap(OPERATOR, "Approve", chat_id=OPERATOR)  # approved by the operator
    await bot.send(ADMIN, "/meeting 2027-03-10 13:00 Planning", chat_id=GROUP)
    exported = await bot.storage.export_user(ADMIN)
    assert exported["hubs_registered"] != []
    await bot.send(ADMIN, "/forget")
    await bot.tap(ADMIN, "Yes, delete everything")
    hub = await bot.storage.hub_by_chat(GROUP)
    assert hub is not None
    assert (hub.registered_by, hub.active) == (0, True)
    after = await bot.storage.export_user(ADMIN)
    # The audit trail records that an erasure was done, and when, but not whose.
    assert not any(after.values())


async def test_private_commands_in_a_group_say_so_and_do_nothing(bot: Harness) -> None:
    """/export, /forget, /report and /share in a group only point to the private chat."""
    await bot.register(LEAD)
    for command in ("/export", "/forget", "/report", "/share something good"):
        calls = await bot.send(LEAD, command, chat_id=GROUP)
        assert [c.method for c in calls] == ["sendMessage"], command
        assert "only works in a private chat" in calls[0].text
    assert await bot.storage.network_of(LEAD) is not None
    assert await bot.storage.practice(1) is None


async def test_old_share_button_says_only_the_latest_can_be_shared(bot: Harness) -> None:
    """A share button from an older result posts nothing and says only the latest can go."""
    await _hub(bot)
    await bot.register(LEAD)
    await bot.answer_all(LEAD, "lowest")
    old_message, rows = bot.keyboard(LEAD)
    old_share = rows[0][0]["callback_data"]
    await bot.new_round(LEAD)
    await bot.answer_all(LEAD, "top")
    calls = await bot.press(LEAD, old_share, message_id=old_message)
    assert "latest result" in calls[0].params["text"]
    assert [c for c in bot.fake.sent(GROUP) if "has reached" in c.text] == []


async def test_band_post_shows_a_network_name_as_plain_text(bot: Harness, content: Content) -> None:
    """A network outside the directory is named in the post escaped, never bold or a link."""
    await _hub(bot)
    assessment_id = await seed_result(bot.storage, content.model, LEAD, name="A&B <b>Net</b>")
    await bot.send(LEAD, "/score")  # a message (id 1) for the press to come from
    await bot.press(LEAD, f"1:sh:{assessment_id}", message_id=1)
    [post] = [c for c in bot.fake.sent(GROUP) if "Net" in c.text]
    assert post.text.startswith("A&amp;B &lt;b&gt;Net&lt;/b&gt; has completed")
