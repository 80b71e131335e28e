"""Schema migrations, applied in order on start under an advisory lock."""

from __future__ import annotations

import asyncpg

MIGRATIONS: list[str] = [
    # 1: case file and read model
    """
    CREATE TABLE case_files (
        case_id      text PRIMARY KEY,
        reporter     jsonb NOT NULL,
        persons      jsonb NOT NULL,
        summary      text NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE cases (
        case_id       text PRIMARY KEY REFERENCES case_files(case_id) ON DELETE CASCADE,
        region        text NOT NULL,
        municipality  text NOT NULL,
        phase         text NOT NULL,
        acute         boolean NOT NULL,
        structural    boolean NOT NULL,
        opened_at     timestamptz NOT NULL,
        started       boolean NOT NULL DEFAULT false,
        version       integer NOT NULL DEFAULT 0,
        timeline      jsonb NOT NULL DEFAULT '[]',
        updated_at    timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX cases_region_phase ON cases (region, phase, opened_at);
    CREATE INDEX cases_municipality ON cases (municipality, opened_at);
    CREATE INDEX cases_not_started ON cases (opened_at) WHERE NOT started;
    CREATE TABLE huisverbod_files (
        huisverbod_id text PRIMARY KEY,
        case_id       text NOT NULL REFERENCES case_files(case_id) ON DELETE CASCADE,
        address       text NOT NULL,
        requested_by  jsonb NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE huisverboden (
        huisverbod_id text PRIMARY KEY,
        case_id       text NOT NULL REFERENCES case_files(case_id) ON DELETE CASCADE,
        municipality  text NOT NULL,
        status        text NOT NULL,
        requested_at  timestamptz NOT NULL,
        imposed_at    timestamptz,
        ends_at       timestamptz,
        max_end       timestamptz,
        version       integer NOT NULL,
        snapshot      jsonb NOT NULL,
        updated_at    timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX huisverboden_municipality_status ON huisverboden (municipality, status, requested_at);
    CREATE INDEX huisverboden_case ON huisverboden (case_id);
    """,
    # 2: deadlines as rows (dashboards), the notice outbox, case urgency and partner
    """
    ALTER TABLE case_files ADD COLUMN unsafety jsonb NOT NULL DEFAULT '{}';
    ALTER TABLE cases ADD COLUMN urgent boolean NOT NULL DEFAULT false;
    ALTER TABLE cases ADD COLUMN partner text;
    CREATE INDEX cases_region_open ON cases (region, opened_at) WHERE phase <> 'closed';
    CREATE TABLE case_deadlines (
        case_id     text NOT NULL REFERENCES case_files(case_id) ON DELETE CASCADE,
        source      text NOT NULL,
        seq         integer NOT NULL,
        region      text NOT NULL,
        key         text NOT NULL,
        label       text NOT NULL,
        rule        text NOT NULL,
        responsible text NOT NULL,
        due_at      timestamptz NOT NULL,
        remind_at   timestamptz,
        status      text NOT NULL,
        met_at      timestamptz,
        PRIMARY KEY (case_id, source, seq)
    );
    CREATE INDEX case_deadlines_region_open ON case_deadlines (region, due_at)
        WHERE status IN ('open', 'overdue') AND met_at IS NULL;
    CREATE TABLE notices (
        key        text PRIMARY KEY,
        case_id    text NOT NULL REFERENCES case_files(case_id) ON DELETE CASCADE,
        region     text NOT NULL,
        kind       text NOT NULL,
        recipient  text NOT NULL,
        subject    text NOT NULL,
        due_at     timestamptz,
        detail     text NOT NULL,
        status     text NOT NULL DEFAULT 'pending',
        created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX notices_case ON notices (case_id, created_at);
    """,
    # 3: need-to-know columns and the append-only access log
    """
    ALTER TABLE cases ADD COLUMN police_involved boolean NOT NULL DEFAULT false;
    CREATE INDEX cases_partner ON cases (partner, opened_at) WHERE partner IS NOT NULL;
    CREATE TABLE access_log (
        id            bigserial PRIMARY KEY,
        at            timestamptz NOT NULL DEFAULT now(),
        action        text NOT NULL,
        outcome       integer NOT NULL,
        subject       text NOT NULL,
        org           text NOT NULL,
        org_kind      text NOT NULL,
        role          text NOT NULL,
        client        text NOT NULL,
        case_ids      text[] NOT NULL,
        person_refs   text[] NOT NULL,
        huisverbod_id text,
        detail        text NOT NULL
    );
    CREATE INDEX access_log_cases ON access_log USING gin (case_ids);
    CREATE FUNCTION access_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'the access log is append-only'; END $$;
    CREATE TRIGGER access_log_no_change BEFORE UPDATE OR DELETE ON access_log
        FOR EACH ROW EXECUTE FUNCTION access_log_is_append_only();
    CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log
        FOR EACH STATEMENT EXECUTE FUNCTION access_log_is_append_only();
    """,
    # 4: per-case data keys, wrapped by the master keyring (crypto-shredding)
    """
    CREATE TABLE case_keys (
        case_id    text PRIMARY KEY REFERENCES case_files(case_id) ON DELETE CASCADE,
        master_kid text NOT NULL,
        wrapped    bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
    );
    """,
    # 5: deliveries of notices to partners (the outbox: one row per notice and recipient)
    """
    ALTER TABLE case_files ADD COLUMN wijkteam text;
    CREATE TABLE deliveries (
        key         text PRIMARY KEY,
        notice_key  text NOT NULL REFERENCES notices(key) ON DELETE CASCADE,
        case_id     text NOT NULL REFERENCES case_files(case_id) ON DELETE CASCADE,
        audience    text NOT NULL,
        partner_id  text,
        channel     text NOT NULL,
        address     text NOT NULL,
        subject     text NOT NULL,
        body        jsonb NOT NULL,
        due_at      timestamptz,
        status      text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
        attempts    integer NOT NULL DEFAULT 0,
        last_error  text,
        sent_at     timestamptz,
        created_at  timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX deliveries_case ON deliveries (case_id, created_at);
    """,
    # 6: escalation paths of a case, and placements (the shelter's location lives only here)
    """
    CREATE TABLE case_paths (
        path_id    text PRIMARY KEY,
        case_id    text NOT NULL REFERENCES case_files(case_id) ON DELETE CASCADE,
        kind       text NOT NULL,
        status     text NOT NULL,
        version    integer NOT NULL,
        state      jsonb NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX case_paths_case ON case_paths (case_id, started_at);
    CREATE TABLE placements (
        placement_id text PRIMARY KEY,
        case_id      text NOT NULL REFERENCES case_files(case_id) ON DELETE CASCADE,
        path_id      text NOT NULL,
        person_ref   text NOT NULL,
        kind         text NOT NULL,
        provider     text NOT NULL,
        location     text NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX placements_case ON placements (case_id);
    """,
    """
    CREATE TABLE idempotency_keys (
        principal    text NOT NULL,
        key          text NOT NULL,
        request_hash text NOT NULL,
        status       integer,
        body         jsonb,
        created_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (principal, key)
    );
    """,
    # a case number people can say on the phone, the worker a case is assigned to, and one
    # access-log entry per view of a page however often it refreshes
    """
    CREATE TABLE case_numbers (
        prefix text NOT NULL,
        year   integer NOT NULL,
        last   integer NOT NULL,
        PRIMARY KEY (prefix, year)
    );
    ALTER TABLE cases ADD COLUMN number text UNIQUE, ADD COLUMN assigned_to text;
    CREATE INDEX cases_assigned ON cases (assigned_to, opened_at) WHERE assigned_to IS NOT NULL;
    CREATE TABLE staff (
        subject   text PRIMARY KEY,
        org       text NOT NULL,
        role      text NOT NULL,
        name      text NOT NULL,
        email     text,
        last_seen timestamptz NOT NULL DEFAULT now()
    );
    ALTER TABLE access_log ADD COLUMN view_id text;
    CREATE UNIQUE INDEX access_log_views ON access_log (subject, view_id, action)
        WHERE view_id IS NOT NULL;
    -- deadlines passed unmet whose procedure has ended can no longer be met: they lapse, as
    -- the workflows now record when a procedure ends
    UPDATE case_deadlines d SET status = 'closed'
     WHERE d.status = 'overdue' AND d.met_at IS NULL
       AND (EXISTS (SELECT 1 FROM huisverboden h WHERE d.source = 'huisverbod:' || h.huisverbod_id
                      AND h.status IN ('refused', 'lifted', 'expired', 'withdrawn'))
            OR EXISTS (SELECT 1 FROM cases c WHERE c.case_id = d.case_id AND c.phase = 'closed'));
    """,
    # the grounds of a huisverbod request (facts and circumstances, the police's risk
    # assessment answers, children at the address, Veilig Thuis consulted) and the time of
    # the incident; older requests have none
    """
    ALTER TABLE huisverbod_files ADD COLUMN grounds text;
    ALTER TABLE huisverbod_files ADD COLUMN risk_assessment jsonb NOT NULL DEFAULT '[]';
    ALTER TABLE huisverbod_files ADD COLUMN children_at_address boolean;
    ALTER TABLE huisverbod_files ADD COLUMN veilig_thuis_consulted boolean NOT NULL DEFAULT false;
    ALTER TABLE huisverbod_files ADD COLUMN incident_at timestamptz;
    """,
    # the radar: keyed pseudonyms of the persons of every contact (a melding; later an advice
    # question), matched within a region; destroyed with the contact. And whether a case was
    # flagged as repeated violence when it came in.
    """
    CREATE TABLE radar_pseudonyms (
        kind       text NOT NULL,
        contact_id text NOT NULL,
        region     text NOT NULL,
        pseudonym  text NOT NULL,
        at         timestamptz NOT NULL,
        PRIMARY KEY (kind, contact_id, pseudonym)
    );
    CREATE INDEX radar_pseudonyms_match ON radar_pseudonyms (region, pseudonym, at);
    ALTER TABLE cases ADD COLUMN repeat_violence boolean NOT NULL DEFAULT false;
    """,
    # advice questions (adviesvragen): the question, the persons and the advice texts with the
    # read model of their workflow; their follow-ups as rows beside the cases' deadlines
    """
    CREATE TABLE advice_questions (
        advice_id    text PRIMARY KEY,
        region       text NOT NULL,
        municipality text,
        asker        jsonb NOT NULL,
        question     text NOT NULL,
        persons      jsonb NOT NULL DEFAULT '[]',
        received_at  timestamptz NOT NULL,
        status       text NOT NULL DEFAULT 'registered',
        case_id      text REFERENCES case_files(case_id) ON DELETE SET NULL,
        started      boolean NOT NULL DEFAULT false,
        version      integer NOT NULL DEFAULT 0,
        timeline     jsonb NOT NULL DEFAULT '[]',
        updated_at   timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX advice_questions_region ON advice_questions (region, received_at);
    CREATE TABLE advice_notes (
        advice_id text NOT NULL REFERENCES advice_questions(advice_id) ON DELETE CASCADE,
        ref       text NOT NULL,
        kind      text NOT NULL,
        text      text NOT NULL,
        at        timestamptz NOT NULL,
        PRIMARY KEY (advice_id, ref)
    );
    CREATE TABLE advice_deadlines (
        advice_id   text NOT NULL REFERENCES advice_questions(advice_id) ON DELETE CASCADE,
        seq         integer NOT NULL,
        region      text NOT NULL,
        key         text NOT NULL,
        label       text NOT NULL,
        rule        text NOT NULL,
        responsible text NOT NULL,
        due_at      timestamptz NOT NULL,
        remind_at   timestamptz,
        status      text NOT NULL,
        met_at      timestamptz,
        reminded    boolean NOT NULL DEFAULT false,
        PRIMARY KEY (advice_id, seq)
    );
    CREATE INDEX advice_deadlines_region_open ON advice_deadlines (region, due_at)
        WHERE status IN ('open', 'overdue') AND met_at IS NULL;
    """,
    # the region's dispatcher delivers from the outbox: a delivery it is to send has its
    # region and the moment of its next attempt (rows of the notify workflows have none), and
    # a claim that lapses when the attempt was cut off
    """
    ALTER TABLE deliveries ADD COLUMN region text;
    ALTER TABLE deliveries ADD COLUMN next_attempt_at timestamptz;
    ALTER TABLE deliveries ADD COLUMN claimed_until timestamptz;
    CREATE INDEX deliveries_due ON deliveries (region, next_attempt_at)
        WHERE status IN ('pending', 'sending') AND next_attempt_at IS NOT NULL;
    """,
    # the outbox also serves advice questions (the reminder of an agreed follow-up): a notice
    # and its deliveries belong to a case or to an advice question, and go with it
    """
    ALTER TABLE notices ALTER COLUMN case_id DROP NOT NULL,
        ADD COLUMN advice_id text REFERENCES advice_questions(advice_id) ON DELETE CASCADE,
        ADD CONSTRAINT notices_of_one CHECK ((case_id IS NULL) <> (advice_id IS NULL));
    ALTER TABLE deliveries ALTER COLUMN case_id DROP NOT NULL,
        ADD COLUMN advice_id text REFERENCES advice_questions(advice_id) ON DELETE CASCADE,
        ADD CONSTRAINT deliveries_of_one CHECK ((case_id IS NULL) <> (advice_id IS NULL));
    CREATE INDEX notices_advice ON notices (advice_id) WHERE advice_id IS NOT NULL;
    CREATE INDEX deliveries_advice ON deliveries (advice_id) WHERE advice_id IS NOT NULL;
    """,
    # the huisverbod in the municipality's zaaksysteem (ZGW): the URL of each resource filed
    # for it (the zaak, its besluiten, documents, links and statuses), so that a retried
    # delivery creates nothing twice
    """
    CREATE TABLE zgw_resources (
        huisverbod_id text NOT NULL,
        key           text NOT NULL,
        url           text NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (huisverbod_id, key)
    );
    """,
    # what a restore of an older backup lost for good: workflows that run on although their
    # case's data key went with the restore (no one can read them again), for the coordinator
    # to enter again as a new melding
    """
    CREATE TABLE restore_losses (
        workflow_id text PRIMARY KEY,
        case_id     text NOT NULL,
        kind        text NOT NULL,
        started_at  timestamptz NOT NULL,
        found_at    timestamptz NOT NULL DEFAULT now()
    );
    """,
    # the inzageverzoek and correction (AVG art. 15, 16): the access log names the advice
    # questions a request read (as it names cases), and a correction of a person's data keeps
    # the old value, who changed it, when and why; it goes with its file, and is never changed
    """
    ALTER TABLE access_log ADD COLUMN advice_ids text[] NOT NULL DEFAULT '{}';
    CREATE INDEX access_log_advice ON access_log USING gin (advice_ids);
    CREATE TABLE person_corrections (
        id         bigserial PRIMARY KEY,
        case_id    text REFERENCES case_files(case_id) ON DELETE CASCADE,
        advice_id  text REFERENCES advice_questions(advice_id) ON DELETE CASCADE,
        person_ref text NOT NULL,
        field      text NOT NULL,
        old_value  text,
        new_value  text,
        reason     text NOT NULL,
        subject    text NOT NULL,
        org        text NOT NULL,
        at         timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT person_corrections_of_one CHECK ((case_id IS NULL) <> (advice_id IS NULL))
    );
    CREATE INDEX person_corrections_case ON person_corrections (case_id, person_ref);
    CREATE INDEX person_corrections_advice ON person_corrections (advice_id, person_ref);
    CREATE FUNCTION person_corrections_are_kept() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'a correction is kept as it was made'; END $$;
    CREATE TRIGGER person_corrections_no_change BEFORE UPDATE ON person_corrections
        FOR EACH ROW EXECUTE FUNCTION person_corrections_are_kept();
    """,
    # the pages' sessions ended by signing out, kept until they would have expired
    """
    CREATE TABLE ended_sessions (
        session_id text PRIMARY KEY,
        expires_at timestamptz NOT NULL
    );
    """,
    # the coordinator's dashboard lists undelivered notices every few seconds: only those
    """
    CREATE INDEX deliveries_failed ON deliveries (created_at DESC) WHERE status = 'failed';
    """,
    # a projection's version counts its workflow's history (workflows.procedure._next_version)
    """
    ALTER TABLE cases ALTER COLUMN version TYPE bigint;
    ALTER TABLE huisverboden ALTER COLUMN version TYPE bigint;
    ALTER TABLE case_paths ALTER COLUMN version TYPE bigint;
    ALTER TABLE advice_questions ALTER COLUMN version TYPE bigint;
    """,
    # the sign-in limit, shared by every API process: each attempt of the last minute per
    # account or client address (a crash may forget them: unlogged)
    """
    CREATE UNLOGGED TABLE sign_in_attempts (
        key text NOT NULL,
        at  timestamptz NOT NULL
    );
    CREATE INDEX sign_in_attempts_key ON sign_in_attempts (key, at);
    CREATE INDEX sign_in_attempts_at ON sign_in_attempts (at);
    """,
    # the RiHG's signals as the police rated them, beside the free answers of before
    """
    ALTER TABLE huisverbod_files ADD COLUMN rihg jsonb NOT NULL DEFAULT '[]';
    """,
    # names compared as `domain.names.fold` does: lower case, accents dropped ("Zoe" and "ZOE"
    # find "Zoë"). In SQL, for the stored name and the searched one alike; immutable, so an
    # index may use it. Without the unaccent extension (the embedded Postgres has none):
    # NFKD splits a letter from its accents, which are then dropped.
    r"""
    CREATE FUNCTION fold_name(name text) RETURNS text
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        AS $$ SELECT lower(regexp_replace(normalize(name, NFKD), '[\u0300-\u036f]', '', 'g')) $$;
    """,
    # the region of a workflow lost in a restore, from its case workflow's search attribute
    # (NULL: started before cases carried it, or not found)
    """
    ALTER TABLE restore_losses ADD COLUMN region text;
    """,
    # the last check of each mayor's office's zaaksysteem catalogue (the worker's, at start-up
    # and now and then): what it found, in Dutch, for /healthz and the inbox
    """
    CREATE TABLE zgw_checks (
        partner_id   text PRIMARY KEY,
        municipality text NOT NULL,
        checked_at   timestamptz NOT NULL,
        findings     jsonb NOT NULL
    );
    """,
]

LOCK_KEY = 0x6B6574656E  # "keten"


async def migrate(conn: asyncpg.Connection) -> int:
    """Apply the migrations not applied yet; return the schema version."""
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", LOCK_KEY)
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = await conn.fetchval("SELECT coalesce(max(version), 0) FROM schema_migrations")
        for version, sql in enumerate(MIGRATIONS, start=1):
            if version > done:
                await conn.execute(sql)
                await conn.execute("INSERT INTO schema_migrations (version) VALUES ($1)", version)
    return len(MIGRATIONS)
