"""The store's SQLite tables (``foleyline.server.store`` owns the database and its files).

Every statement is ``IF NOT EXISTS``: a store an older server made gains the new tables when
opened, and keeps its rows.
"""

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    engine TEXT NOT NULL DEFAULT '',
    settings TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS job_shots (
    job_id TEXT NOT NULL REFERENCES jobs(id),
    idx INTEGER NOT NULL,
    shot_id TEXT NOT NULL,
    shot TEXT NOT NULL,
    state TEXT NOT NULL,          -- pending, done, failed
    reason TEXT NOT NULL DEFAULT '',
    code TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (job_id, idx)
);
CREATE TABLE IF NOT EXISTS notes (
    shot_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    notes TEXT NOT NULL,
    PRIMARY KEY (shot_id, version)
);
CREATE TABLE IF NOT EXISTS takes (
    id TEXT PRIMARY KEY,
    shot_id TEXT NOT NULL,
    job_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    take TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS takes_by_shot ON takes(shot_id);
CREATE INDEX IF NOT EXISTS takes_by_job ON takes(job_id);
CREATE TABLE IF NOT EXISTS take_numbers (  -- the last take number given in each shot
    shot_id TEXT PRIMARY KEY,
    last INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS accepted (  -- the circled take of each shot
    shot_id TEXT PRIMARY KEY,
    take_id TEXT NOT NULL REFERENCES takes(id)
);
CREATE TABLE IF NOT EXISTS circled_audio (  -- a take's WAV re-stamped CIRCLED (and signed again)
    take_id TEXT NOT NULL REFERENCES takes(id),
    sha256 TEXT NOT NULL,          -- the file as generated
    circled TEXT NOT NULL,         -- the AudioFile of its circled copy, as JSON
    PRIMARY KEY (take_id, sha256)
);
CREATE TABLE IF NOT EXISTS media (
    sha256 TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    size INTEGER NOT NULL
);
-- The client's id of the request that made a job (GenerateRequest.request_id), and a hash of
-- the request: a retried request finds its job instead of making a second one.
CREATE TABLE IF NOT EXISTS job_requests (
    request_id TEXT PRIMARY KEY,
    job_id TEXT NOT NULL REFERENCES jobs(id),
    fingerprint TEXT NOT NULL
);
-- Rows an older server stored that cannot be sent back: kept, out of the listings and jobs.
CREATE TABLE IF NOT EXISTS quarantine (
    kind TEXT NOT NULL,           -- take, circled (a take's circled copy), job_shot
    key TEXT NOT NULL,
    row TEXT NOT NULL,
    reason TEXT NOT NULL
);
"""
