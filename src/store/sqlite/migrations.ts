/** The SQLite schema, one migration a step, applied in order at start inside a transaction each. */
export const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: 'cases, timeline, people, sequences, threads, requests, personal details',
    sql: `
      CREATE TABLE cases (
        reference        TEXT PRIMARY KEY,
        board_id         TEXT NOT NULL,
        status           TEXT NOT NULL,
        version          INTEGER NOT NULL CHECK (version >= 1),
        raised_at        TEXT NOT NULL,
        due_at           TEXT,
        last_hash        TEXT NOT NULL,
        idempotency_key  TEXT UNIQUE,
        state            TEXT NOT NULL,
        updated_at       TEXT NOT NULL
      );
      -- The deadline sweep reads only the cases due: a range scan of this index.
      CREATE INDEX cases_due ON cases (due_at) WHERE due_at IS NOT NULL;
      CREATE INDEX cases_board_raised ON cases (board_id, raised_at);

      CREATE TABLE events (
        reference  TEXT NOT NULL REFERENCES cases (reference),
        seq        INTEGER NOT NULL CHECK (seq >= 1),
        type       TEXT NOT NULL,
        at         TEXT NOT NULL,
        body       TEXT NOT NULL,
        prev_hash  TEXT NOT NULL,
        hash       TEXT NOT NULL,
        PRIMARY KEY (reference, seq)
      ) WITHOUT ROWID;
      -- The timeline is append-only.
      CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'the case timeline is append-only'); END;
      CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'the case timeline is append-only'); END;

      CREATE TABLE case_people (
        person_id  TEXT NOT NULL,
        reference  TEXT NOT NULL REFERENCES cases (reference),
        PRIMARY KEY (person_id, reference)
      ) WITHOUT ROWID;

      CREATE TABLE sequences (
        board_id  TEXT NOT NULL,
        year      INTEGER NOT NULL,
        last      INTEGER NOT NULL,
        PRIMARY KEY (board_id, year)
      ) WITHOUT ROWID;

      CREATE TABLE threads (
        reference  TEXT NOT NULL REFERENCES cases (reference),
        platform   TEXT NOT NULL,
        agency_id  TEXT NOT NULL,
        ref        TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (reference, platform, agency_id)
      ) WITHOUT ROWID;

      CREATE TABLE requests (
        scope       TEXT NOT NULL,
        key         TEXT NOT NULL,
        claimed_at  TEXT NOT NULL,
        PRIMARY KEY (scope, key)
      ) WITHOUT ROWID;

      -- The adult's details, sealed (AES-256-GCM), apart from the case.
      CREATE TABLE personal_details (
        reference   TEXT PRIMARY KEY REFERENCES cases (reference),
        key_id      TEXT NOT NULL,
        iv          TEXT NOT NULL,
        tag         TEXT NOT NULL,
        ciphertext  TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'contacts: how to reach each member of staff directly',
    sql: `
      CREATE TABLE contacts (
        person_id   TEXT NOT NULL,
        platform    TEXT NOT NULL,
        ref         TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        PRIMARY KEY (person_id, platform)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    name: 'leases: which deadline sweeper is working on a case, until when',
    sql: `
      CREATE TABLE leases (
        reference  TEXT PRIMARY KEY,
        owner      TEXT NOT NULL,
        until      TEXT NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 4,
    name: 'access log (who read what of a case) and a bounded security log (refused attempts by non-parties)',
    sql: `
      CREATE TABLE access_log (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        at         TEXT NOT NULL,
        reference  TEXT NOT NULL,
        person_id  TEXT NOT NULL,
        agency_id  TEXT NOT NULL,
        what       TEXT NOT NULL,
        platform   TEXT
      );
      CREATE INDEX access_log_reference ON access_log (reference, at);
      CREATE INDEX access_log_person ON access_log (person_id, at);
      CREATE INDEX access_log_at ON access_log (at);
      -- Who read what is kept: no rewriting it.
      CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
      CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;

      -- Refused attempts by people who are no party to a case; only the newest rows are kept.
      CREATE TABLE security_log (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        at         TEXT NOT NULL,
        kind       TEXT NOT NULL,
        action     TEXT NOT NULL,
        reference  TEXT,
        person_id  TEXT,
        agency_id  TEXT,
        platform   TEXT
      );
      CREATE INDEX security_log_at ON security_log (at);
    `,
  },
  {
    version: 5,
    name: 'checkpoints: the store-wide anchor, append-only',
    sql: `
      -- One signed checkpoint per case write, in the same transaction (see src/app/store/anchor.ts).
      CREATE TABLE checkpoints (
        seq          INTEGER PRIMARY KEY CHECK (seq >= 1),
        at           TEXT NOT NULL,
        reference    TEXT NOT NULL,
        version      INTEGER NOT NULL,
        last_hash    TEXT NOT NULL,
        cases        INTEGER NOT NULL,
        idempotency  TEXT,
        key_id       TEXT NOT NULL,
        prev         TEXT NOT NULL,
        seal         TEXT NOT NULL
      );
      CREATE INDEX checkpoints_reference ON checkpoints (reference, seq);
      CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints BEGIN SELECT RAISE(ABORT, 'the anchor is append-only'); END;
      CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints BEGIN SELECT RAISE(ABORT, 'the anchor is append-only'); END;
    `,
  },
  {
    version: 6,
    name: 'outbox: what each change owes people, written with it and done by the delivery worker',
    sql: `
      CREATE TABLE outbox (
        id              TEXT PRIMARY KEY,
        reference       TEXT NOT NULL,
        kind            TEXT NOT NULL,
        platform        TEXT NOT NULL,
        recipient       TEXT NOT NULL,
        event           INTEGER NOT NULL,
        depends_on      TEXT NOT NULL DEFAULT '[]',
        payload         TEXT NOT NULL DEFAULT '{}',
        status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        created_at      TEXT NOT NULL,
        last_error      TEXT,
        result          TEXT,
        lease_owner     TEXT,
        lease_until     TEXT,
        done_at         TEXT
      );
      -- The worker's scan: pending items by when they are due (cost follows the number pending).
      CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE status = 'pending';
      CREATE INDEX outbox_failed ON outbox (created_at) WHERE status = 'failed';
      CREATE INDEX outbox_reference ON outbox (reference, created_at);
    `,
  },
  {
    version: 7,
    name: 'outbox: failures counted apart from attempts, so crashes do not spend the retry budget',
    sql: `ALTER TABLE outbox ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;`,
  },
  {
    version: 8,
    name: "personal cards: each person's own card of a case in their 1:1 chat, kept current",
    sql: `
      CREATE TABLE personal_cards (
        reference  TEXT NOT NULL,
        platform   TEXT NOT NULL,
        person_id  TEXT NOT NULL,
        message    TEXT NOT NULL,
        retired    TEXT NOT NULL DEFAULT '[]',
        updated_at TEXT NOT NULL,
        PRIMARY KEY (reference, platform, person_id)
      );
    `,
  },
  {
    version: 9,
    name: "case agencies: the two agencies of each case, for each agency's list of open cases",
    sql: `
      -- Read joined to cases (a row whose case is gone lists nothing).
      CREATE TABLE case_agencies (
        agency_id  TEXT NOT NULL,
        reference  TEXT NOT NULL,
        PRIMARY KEY (agency_id, reference)
      ) WITHOUT ROWID;
      INSERT OR IGNORE INTO case_agencies (agency_id, reference)
        SELECT json_extract(state, '$.raising.agencyId'), reference FROM cases
        WHERE json_valid(state) AND json_extract(state, '$.raising.agencyId') IS NOT NULL;
      INSERT OR IGNORE INTO case_agencies (agency_id, reference)
        SELECT json_extract(state, '$.responding.agencyId'), reference FROM cases
        WHERE json_valid(state) AND json_extract(state, '$.responding.agencyId') IS NOT NULL;
      -- A board's open cases: the lists of its own role holders.
      CREATE INDEX cases_open_board ON cases (board_id, raised_at) WHERE status = 'open';
    `,
  },
  {
    version: 10,
    name: 'slack installations',
    sql: `
      -- Each workspace (team:T…) or organisation (enterprise:E…) that installed the Slack app:
      -- its ids in clear, the installation (bot token, refresh token) sealed (AES-256-GCM).
      CREATE TABLE slack_installations (
        key           TEXT PRIMARY KEY,
        team_id       TEXT,
        enterprise_id TEXT,
        installed_at  TEXT NOT NULL,
        updated_at    TEXT NOT NULL,
        sealed        TEXT NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 11,
    name: 'directory',
    sql: `
      -- The directory's history: who was learned, given or relieved of a role, away; append-only.
      CREATE TABLE directory_log (
        seq   INTEGER PRIMARY KEY AUTOINCREMENT,
        at    TEXT NOT NULL,
        by    TEXT NOT NULL,
        kind  TEXT NOT NULL,
        body  TEXT NOT NULL
      );
      CREATE TRIGGER directory_log_no_update BEFORE UPDATE ON directory_log BEGIN SELECT RAISE(ABORT, 'the directory log is append-only'); END;
      CREATE TRIGGER directory_log_no_delete BEFORE DELETE ON directory_log BEGIN SELECT RAISE(ABORT, 'the directory log is append-only'); END;
    `,
  },
  {
    version: 12,
    name: 'procedures: each version of a board procedure stored once, cases referring to it',
    sql: `
      -- Keyed by the SHA-256 of the procedure's canonical JSON (src/store/procedure-refs.ts); kept for ever.
      CREATE TABLE procedures (
        key        TEXT PRIMARY KEY,
        board_id   TEXT NOT NULL,
        label      TEXT NOT NULL,
        body       TEXT NOT NULL,
        stored_at  TEXT NOT NULL
      );
      CREATE TRIGGER procedures_no_update BEFORE UPDATE ON procedures BEGIN SELECT RAISE(ABORT, 'a stored procedure is never changed'); END;
      CREATE TRIGGER procedures_no_delete BEFORE DELETE ON procedures BEGIN SELECT RAISE(ABORT, 'a stored procedure is never removed'); END;
    `,
  },
];
