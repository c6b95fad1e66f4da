"""Callback data: a short versioned format, built and parsed only here.

`1:<kind>:<int>:<int>...` — the version, a kind code and a fixed number of small non-negative
integers. A modified client can send anything, so parsing checks every part and returns None for
anything that is not exactly what this bot would have sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

VERSION = "1"
MAX_BYTES = 64  # Telegram's limit on callback data
MAX_ARG = 2**53  # keeps ids within what every client handles

# kind -> number of integer arguments
KINDS: dict[str, int] = {
    "a": 3,  # answer: assessment, position, option
    "b": 2,  # back: assessment, position on screen (a question or its evidence prompt)
    "h": 2,  # help on the question: assessment, position on screen
    "rc": 2,  # review: change a section: assessment, section index
    "f": 1,  # review: finish and work out the result: assessment
    "ca": 1,  # after a result: change answers in that completed assessment
    "ag": 3,  # co-leads: settle a differing item: agreement, item position, option
    "p": 1,  # pause: assessment
    "s": 2,  # skip the evidence note (keeping a saved one): assessment, position
    "sr": 2,  # remove the saved evidence note: assessment, position
    "c": 1,  # continue an assessment (from a reminder): assessment
    "go": 0,  # start or resume the assessment (from /start)
    "o": 1,  # registration: pick organisation match
    "t": 0,  # registration: use the organisation as typed
    "r": 1,  # registration: pick region
    "g": 1,  # registration: pick network age
    "n": 0,  # registration: use the suggested network name
    "mc": 1,  # cancel a hub meeting: meeting
    "mr": 2,  # answer a hub meeting: meeting, 1 going / 0 can't make it
    "mf": 1,  # send a hub meeting's calendar file: meeting
    "mw": 1,  # tell an admin who answered a hub meeting: meeting
    "bw": 1,  # /buddy: what the lead wants help with (focus index)
    "bo": 2,  # /buddy: what they offer: wants, offers (focus indexes)
    "bs": 3,  # /buddy: share band and scores with a partner: wants, offers, 1 share / 0 not
    "sc": 2,  # shared practice, credit choice: practice, 1 credited / 0 anonymous
    "pa": 2,  # shared practice, review: practice, 1 approve / 0 reject
    "sh": 1,  # share the band of a completed assessment with the region's hubs
    "fg": 1,  # /forget confirmation: 1 delete / 0 keep
    "ni": 1,  # replace the network's invite link: network
    "wi": 1,  # WRES entry: pick the indicator (2, 3 or 4)
    "wq": 1,  # WRES entry: pick the quarter (year * 10 + quarter, e.g. 20263)
    "wr": 1,  # WRES: replace a recorded quarter: 1 replace / 0 keep
    "wx": 0,  # WRES entry: cancel
    "lr": 3,  # /leads, remove a lead: network, lead, 0 ask / 1 confirm / 2 cancel
    "ha": 3,  # hub request, operator's decision: hub, region index, 1 approve / 0 reject
    "pl": 1,  # a result's "Add to plan": list its advice to pick from (assessment)
    "pp": 2,  # add one piece of a result's advice to the plan: assessment, tip index
    "ps": 2,  # plan step: set status (0 to do, 1 doing, 2 done, 3 dropped): step, status
    "pe": 2,  # plan step: edit by typing (0 text, 1 owner, 2 due date): step, field
    "pr": 1,  # plan step: remove (asks first): step
    "py": 2,  # plan step: confirm removal: step, 1 remove / 0 keep
    "pv": 1,  # plan step: show its buttons: step
    "pn": 1,  # /privacy: show a page of the privacy notice (0 the first)
    "au": 1,  # /audit: the page of the record of sensitive actions to show (0 the newest)
}


@dataclass(frozen=True)
class Press:
    kind: str
    args: tuple[int, ...]


def encode(kind: str, *args: int) -> str:
    if KINDS.get(kind) != len(args) or any(not 0 <= a < MAX_ARG for a in args):
        raise ValueError(f"bad callback {kind!r} {args!r}")
    data = ":".join((VERSION, kind, *(str(a) for a in args)))
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def decode(data: object) -> Press | None:
    """The press a button sent, or None for anything malformed, unknown or out of range."""
    if not isinstance(data, str) or len(data.encode()) > MAX_BYTES:
        return None
    parts = data.split(":")
    if len(parts) < 2 or parts[0] != VERSION or parts[1] not in KINDS:
        return None
    raw = parts[2:]
    if len(raw) != KINDS[parts[1]] or not all(re.fullmatch(r"0|[1-9][0-9]{0,15}", r) for r in raw):
        return None
    args = tuple(int(r) for r in raw)
    if any(a >= MAX_ARG for a in args):
        return None
    return Press(parts[1], args)


def pattern(*kinds: str) -> re.Pattern[str]:
    """A CallbackQueryHandler pattern selecting presses of the given kinds."""
    return re.compile(rf"^{VERSION}:({'|'.join(map(re.escape, kinds))})(:|$)")
