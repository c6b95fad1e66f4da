"""The schema, as migrations keyed by number, applied in order at start-up (`PRAGMA user_version`).

A released migration never changes (tests/bot/test_migrations.py pins each one's checksum);
a change to the schema is a new entry with the next number.
"""

from __future__ import annotations

# Entry N moves the schema from version N-1 to N; applied in order of N at start-up.
MIGRATIONS: dict[int, str] = {
    # 1: users, networks, leads, assessments and answers.
    1: """
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,              -- Telegram user id; no names are stored
        created_at TEXT NOT NULL,
        state TEXT,                          -- what free text is expected next, if anything
        draft TEXT,                          -- JSON of a registration in progress
        active INTEGER NOT NULL DEFAULT 1    -- 0 once the user has blocked the bot
    );
    CREATE TABLE networks (
        id INTEGER PRIMARY KEY,
        organisation TEXT NOT NULL,
        name TEXT NOT NULL,
        region TEXT NOT NULL,
        age TEXT NOT NULL,
        invite_code TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL
    );
    CREATE TABLE leads (
        user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        network_id INTEGER NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('lead', 'co-lead')),
        joined_at TEXT NOT NULL
    );
    CREATE INDEX leads_by_network ON leads(network_id);
    CREATE TABLE assessments (
        id INTEGER PRIMARY KEY,
        network_id INTEGER NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        content_version TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('in_progress', 'completed')),
        position INTEGER NOT NULL DEFAULT 0,  -- index of the item on screen
        awaiting_evidence TEXT,               -- item whose optional note is being asked for
        started_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        completed_at TEXT,
        total INTEGER,
        band TEXT,
        result TEXT                           -- JSON of the scored result
    );
    CREATE UNIQUE INDEX one_open_assessment_per_user
        ON assessments(user_id) WHERE status = 'in_progress';
    CREATE INDEX assessments_by_network ON assessments(network_id, status, completed_at);
    CREATE TABLE answers (
        assessment_id INTEGER NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
        item_key TEXT NOT NULL,
        option INTEGER NOT NULL,
        points INTEGER NOT NULL,
        evidence TEXT,
        answered_at TEXT NOT NULL,
        PRIMARY KEY (assessment_id, item_key)
    );
    """,
    # 2: hub groups, their nudge rotation, meetings, shared practices, and the delivery ledger.
    2: """
    CREATE TABLE hubs (
        id INTEGER PRIMARY KEY,                  -- stable even when the group's chat id changes
        chat_id INTEGER NOT NULL UNIQUE,
        region TEXT NOT NULL,
        active INTEGER NOT NULL DEFAULT 1,       -- 0 once the bot was removed from the group
        nudge_weekday INTEGER,                   -- 0 Monday .. 6 Sunday; NULL: nudges off
        nudge_time TEXT,                         -- HH:MM in the bot's time zone
        schedule_since TEXT NOT NULL,            -- no slot before this is ever due
        registered_by INTEGER NOT NULL,
        registered_at TEXT NOT NULL
    );
    CREATE INDEX hubs_by_region ON hubs(region, active);
    CREATE TABLE nudge_history (
        hub_id INTEGER NOT NULL REFERENCES hubs(id) ON DELETE CASCADE,
        cycle INTEGER NOT NULL,
        nudge_key TEXT NOT NULL,
        enabler TEXT,
        sent_at TEXT NOT NULL,
        PRIMARY KEY (hub_id, cycle, nudge_key)
    );
    CREATE TABLE meetings (
        id INTEGER PRIMARY KEY,
        hub_id INTEGER NOT NULL REFERENCES hubs(id) ON DELETE CASCADE,
        starts_at TEXT NOT NULL,
        topic TEXT NOT NULL,
        created_by INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        cancelled INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX meetings_by_hub ON meetings(hub_id, starts_at);
    CREATE TABLE practices (
        id INTEGER PRIMARY KEY,
        user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
        region TEXT NOT NULL,
        text TEXT NOT NULL,
        credit TEXT,                             -- network name to credit; NULL: anonymous
        status TEXT NOT NULL CHECK (status IN ('draft', 'pending', 'approved', 'rejected')),
        submitted_at TEXT NOT NULL,
        decided_by INTEGER,
        decided_at TEXT
    );
    CREATE INDEX practices_by_region ON practices(region, status);
    -- One row per message that must go out at most once: a nudge slot, a meeting reminder, a
    -- reminder to a lead. The row is claimed before sending and finished after.
    CREATE TABLE deliveries (
        slot TEXT PRIMARY KEY,
        chat_id INTEGER NOT NULL,
        kind TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'failed', 'skipped', 'unknown')),
        detail TEXT,
        created_at TEXT NOT NULL,
        finished_at TEXT
    );
    CREATE INDEX deliveries_by_chat ON deliveries(chat_id, kind);
    """,
    # 3: daily snapshots of anonymised aggregates, so /compare never reflects a single change
    # the moment it happens.
    3: """
    CREATE TABLE snapshots (
        day TEXT NOT NULL,                       -- local date the snapshot stands for
        scope TEXT NOT NULL,                     -- 'all' or a region key
        data TEXT NOT NULL,                      -- JSON of the distribution, or of its absence
        created_at TEXT NOT NULL,
        PRIMARY KEY (day, scope)
    );
    """,
    # 4: WRES indicators 2, 3 and 4, quarter by quarter, per network (and optional breakdown).
    4: """
    CREATE TABLE wres_quarters (
        network_id INTEGER NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
        indicator INTEGER NOT NULL CHECK (indicator IN (2, 3, 4)),
        quarter TEXT NOT NULL,                   -- e.g. 2026Q3
        label TEXT NOT NULL DEFAULT '',          -- a breakdown ("nursing", "band 5"); '' for all
        white_size INTEGER NOT NULL CHECK (white_size > 0),
        white_count INTEGER NOT NULL CHECK (white_count BETWEEN 0 AND white_size),
        bme_size INTEGER NOT NULL CHECK (bme_size > 0),
        bme_count INTEGER NOT NULL CHECK (bme_count BETWEEN 0 AND bme_size),
        entered_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
        entered_at TEXT NOT NULL,
        PRIMARY KEY (network_id, indicator, quarter, label)
    );
    """,
    # 5: hubs wait for an operator's approval (hubs made before this stay approved); a result
    # counts as delivered only once sent; practice review cards are remembered so they can be
    # withdrawn.
    5: """
    ALTER TABLE hubs ADD COLUMN status TEXT NOT NULL DEFAULT 'approved'
        CHECK (status IN ('pending', 'approved', 'rejected'));
    ALTER TABLE hubs ADD COLUMN decided_by INTEGER;
    ALTER TABLE hubs ADD COLUMN decided_at TEXT;
    ALTER TABLE assessments ADD COLUMN result_sent_at TEXT;  -- NULL: result not delivered yet
    UPDATE assessments SET result_sent_at = completed_at WHERE status = 'completed';
    CREATE TABLE review_cards (
        practice_id INTEGER NOT NULL REFERENCES practices(id) ON DELETE CASCADE,
        chat_id INTEGER NOT NULL,
        message_id INTEGER NOT NULL,
        PRIMARY KEY (practice_id, chat_id, message_id)
    );
    """,
    # 6: a network's action plan: steps from a result's advice, with an owner, a due date and a
    # status. `source` says which item or enabler the step came from ('item:<key>',
    # 'enabler:<key>', or '' for a step typed from scratch), so a later result can tell whether
    # it moved.
    6: """
    CREATE TABLE plan_steps (
        id INTEGER PRIMARY KEY,
        network_id INTEGER NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
        text TEXT NOT NULL,
        owner TEXT NOT NULL DEFAULT '',
        due TEXT NOT NULL,                       -- local date, YYYY-MM-DD
        status TEXT NOT NULL DEFAULT 'todo'
            CHECK (status IN ('todo', 'doing', 'done', 'dropped')),
        source TEXT NOT NULL DEFAULT '',
        created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        done_at TEXT                             -- when it was last marked done
    );
    CREATE INDEX plan_steps_by_network ON plan_steps(network_id, status);
    CREATE INDEX plan_steps_by_due ON plan_steps(status, due);
    """,
    # 7: answers in a completed assessment can be changed within 30 days: the change is answered
    # in an open assessment that `revises` the completed one, and on Finish the completed one is
    # re-scored in place; each re-score is recorded, so /score's history can show it.
    7: """
    ALTER TABLE assessments ADD COLUMN revises INTEGER
        REFERENCES assessments(id) ON DELETE CASCADE;
    CREATE TABLE assessment_changes (
        id INTEGER PRIMARY KEY,
        assessment_id INTEGER NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
        changed_at TEXT NOT NULL,
        total_before INTEGER NOT NULL,
        band_before TEXT NOT NULL,
        total_after INTEGER NOT NULL,
        band_after TEXT NOT NULL
    );
    CREATE INDEX assessment_changes_by_assessment ON assessment_changes(assessment_id);
    -- Co-leads side by side: leads of a network who complete assessments in the same round (30
    -- days) settle the items where they differ by two points or more; the agreed result is
    -- then stored as a completed assessment with `agreed` = 1, so it is the network's latest.
    ALTER TABLE assessments ADD COLUMN agreed INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE agreements (
        id INTEGER PRIMARY KEY,
        network_id INTEGER NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        agreed_at TEXT,                          -- NULL until every difference is settled
        agreed_id INTEGER REFERENCES assessments(id) ON DELETE SET NULL
    );
    CREATE INDEX agreements_by_network ON agreements(network_id, agreed_at);
    CREATE TABLE agreement_members (
        agreement_id INTEGER NOT NULL REFERENCES agreements(id) ON DELETE CASCADE,
        assessment_id INTEGER NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
        PRIMARY KEY (agreement_id, assessment_id)
    );
    CREATE TABLE agreement_settled (
        agreement_id INTEGER NOT NULL REFERENCES agreements(id) ON DELETE CASCADE,
        item_key TEXT NOT NULL,
        option INTEGER NOT NULL,
        settled_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
        settled_at TEXT NOT NULL,
        PRIMARY KEY (agreement_id, item_key)
    );
    """,
    # 8: buddy pairing (each lead's choices, and each month's groups), meeting RSVPs, and what
    # a meeting's calendar file needs (its revision, the announcement message carrying buttons).
    8: """
    CREATE TABLE buddies (
        user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        wants TEXT NOT NULL,                     -- a focus: 'enabler:<key>' or 'theme:<key>'
        offers TEXT NOT NULL,
        share INTEGER NOT NULL DEFAULT 0,        -- 1: a partner who shares too sees band, scores
        waited TEXT,                             -- month (YYYY-MM) the lead last waited, if any
        joined_at TEXT NOT NULL
    );
    CREATE TABLE buddy_rounds (
        month TEXT PRIMARY KEY,                  -- YYYY-MM: each month is paired once
        paired_at TEXT NOT NULL
    );
    CREATE TABLE buddy_groups (
        month TEXT NOT NULL REFERENCES buddy_rounds(month) ON DELETE CASCADE,
        group_no INTEGER NOT NULL,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        region TEXT NOT NULL,
        PRIMARY KEY (month, user_id)
    );
    CREATE INDEX buddy_groups_by_group ON buddy_groups(month, group_no);
    CREATE TABLE rsvps (
        meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
        user_id INTEGER NOT NULL,                -- a group member; may never have opened the bot
        going INTEGER NOT NULL CHECK (going IN (0, 1)),
        answered_at TEXT NOT NULL,
        PRIMARY KEY (meeting_id, user_id)
    );
    ALTER TABLE meetings ADD COLUMN sequence INTEGER NOT NULL DEFAULT 0;  -- calendar revision
    ALTER TABLE meetings ADD COLUMN announcement_id INTEGER;  -- the message with the buttons
    """,
    # 9: member pulses. Nothing stored ties an answer to a person: while a pulse is open each
    # member is known only by an HMAC of their Telegram id under the pulse's own key (to stop a
    # second answer and to resume), and the key and those markers are deleted when it closes.
    # Finished answers only add to counts per statement and option; the optional free text has
    # no link to any answer. The hubs' count of networks that ran a pulse is published per
    # region and quarter under the publication rule (scoring/publication.py).
    9: """
    CREATE TABLE pulses (
        id INTEGER PRIMARY KEY,
        network_id INTEGER NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
        code TEXT NOT NULL UNIQUE,               -- the link's payload: start=pulse_<code>
        hash_key TEXT,                           -- HMAC key while open; NULL once closed
        opened_by INTEGER,                       -- the lead who opened it (NULL after /forget)
        opened_at TEXT NOT NULL,
        closes_at TEXT NOT NULL,
        closed_at TEXT,
        answers INTEGER NOT NULL DEFAULT 0       -- finished answers
    );
    CREATE UNIQUE INDEX pulses_one_open ON pulses(network_id) WHERE closed_at IS NULL;
    CREATE INDEX pulses_by_network ON pulses(network_id, closed_at);
    CREATE TABLE pulse_takers (
        pulse_id INTEGER NOT NULL REFERENCES pulses(id) ON DELETE CASCADE,
        taker TEXT NOT NULL,                     -- HMAC of the member's id under the pulse's key
        position INTEGER NOT NULL DEFAULT 0,     -- statements answered so far
        draft TEXT,                              -- those answers (JSON), until finished
        done INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (pulse_id, taker)
    );
    CREATE TABLE pulse_counts (
        pulse_id INTEGER NOT NULL REFERENCES pulses(id) ON DELETE CASCADE,
        statement TEXT NOT NULL,
        option INTEGER NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (pulse_id, statement, option)
    );
    CREATE TABLE pulse_comments (
        pulse_id INTEGER NOT NULL REFERENCES pulses(id) ON DELETE CASCADE,
        text TEXT NOT NULL                       -- no time, no order, no link to any answer
    );
    CREATE INDEX pulse_comments_by_pulse ON pulse_comments(pulse_id);
    CREATE TABLE pulse_publications (
        region TEXT NOT NULL,
        quarter TEXT NOT NULL,                   -- e.g. 2027Q1
        members TEXT NOT NULL,                   -- JSON: the network ids the count describes
        shown INTEGER NOT NULL,                  -- 1: the count was shown (not "a few")
        PRIMARY KEY (region, quarter)
    );
    """,
    # 10: who speaks for a network. Each network has an owner (backfilled: its earliest-joined
    # lead) and a pending ownership offer; joining through an invite link waits for the owner's
    # Approve (join_requests: no names stored), and the link's code is dated so it expires after
    # 14 days (existing codes: dated now). A network counts in figures beyond itself only once
    # verified; networks already registered start unverified, so an operator or a hub admin
    # confirms each one before it moves a published figure. A lead's own round is the
    # network's result ('network'), awaits agreement ('pending'), or was closed unsettled after
    # 30 days as that lead's own view ('own').
    10: """
    ALTER TABLE networks ADD COLUMN owner_id INTEGER;
    UPDATE networks SET owner_id = (
        SELECT user_id FROM leads WHERE leads.network_id = networks.id
        ORDER BY joined_at, user_id LIMIT 1
    );
    ALTER TABLE networks ADD COLUMN owner_offer INTEGER;    -- a co-lead offered ownership
    ALTER TABLE networks ADD COLUMN verified_at TEXT;       -- NULL: not verified
    ALTER TABLE networks ADD COLUMN verified_by INTEGER;
    ALTER TABLE networks ADD COLUMN separate_reason TEXT;   -- why a second network here
    ALTER TABLE networks ADD COLUMN invite_issued_at TEXT;  -- the code expires 14 days on
    UPDATE networks SET invite_issued_at = strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now');
    CREATE TABLE join_requests (
        id INTEGER PRIMARY KEY,
        network_id INTEGER NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        code TEXT NOT NULL,                      -- the code it came with: stale once changed
        requested_at TEXT NOT NULL,
        UNIQUE (network_id, user_id)
    );
    ALTER TABLE assessments ADD COLUMN view TEXT NOT NULL DEFAULT 'network'
        CHECK (view IN ('network', 'pending', 'own'));
    UPDATE assessments SET view = 'pending' WHERE agreed = 0 AND id IN (
        SELECT m.assessment_id FROM agreement_members m
        JOIN agreements g ON g.id = m.agreement_id WHERE g.agreed_at IS NULL
    );
    ALTER TABLE agreements ADD COLUMN closed_at TEXT;  -- closed unsettled after 30 days
    """,
    # 11: a meeting's joining link (an allowed meeting service) and its length in minutes.
    11: """
    ALTER TABLE meetings ADD COLUMN join_url TEXT;
    ALTER TABLE meetings ADD COLUMN minutes INTEGER NOT NULL DEFAULT 60;
    """,
    # 12: the board paper's cover, remembered per network: the meeting it goes to, that meeting's
    # date, and the NHS EDI improvement plan's high impact actions the lead says it supports.
    # No person's name is kept (the chair and sponsor are lines to fill on paper).
    12: """
    CREATE TABLE board_covers (
        network_id INTEGER PRIMARY KEY REFERENCES networks(id) ON DELETE CASCADE,
        meeting TEXT NOT NULL DEFAULT '',       -- e.g. 'Trust Board (public)'; '' when not set
        meeting_on TEXT,                        -- ISO date of that meeting, if given
        actions TEXT NOT NULL DEFAULT '',       -- the picked high impact actions, e.g. '1,2,6'
        updated_at TEXT NOT NULL
    );
    """,
    # 13: information governance: when each user was last seen (a lead's command or press: the
    # "lead activity" retention counts from), when a quiet network's leads were warned before
    # its erasure, and the audit trail of sensitive actions (who, what, on what, when; never
    # content).
    13: """
    ALTER TABLE users ADD COLUMN last_seen TEXT;          -- NULL: not seen since this upgrade
    ALTER TABLE networks ADD COLUMN retention_warned_at TEXT;  -- NULL: no warning pending
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor INTEGER,                           -- Telegram id; NULL: the bot or the server
        action TEXT NOT NULL,
        subject INTEGER                          -- hub, network or user id the action was on
    );
    CREATE INDEX audit_by_time ON audit(at);
    """,
    # 14: the national picture (issue 25): every picture published, so the next one can be
    # held back until enough networks changed, and the quarter's picture sent to operators once.
    14: """
    CREATE TABLE national_pictures (
        id INTEGER PRIMARY KEY,
        quarter TEXT UNIQUE,                 -- e.g. 2027Q1 for a quarter's picture; NULL on demand
        as_of TEXT NOT NULL,                 -- the day its figures are from
        members TEXT NOT NULL,               -- JSON: network id -> what of it the picture used
        data TEXT NOT NULL,                  -- JSON: the published (suppressed) tables
        created_at TEXT NOT NULL
    );
    """,
}

# The newest schema version this code knows.
LATEST = max(MIGRATIONS)
