-- Who may open a practice database, and in which role (metdash.auth).
-- Passwords are stored only as argon2id hashes; failed sign-ins are counted here so a
-- lock survives a restart of the app.
CREATE TABLE users (
    username        VARCHAR PRIMARY KEY,         -- lower case, letters/digits/._-
    display_name    VARCHAR NOT NULL,
    role            VARCHAR NOT NULL CHECK (role IN ('owner', 'biller', 'front_desk', 'viewer')),
    password_hash   VARCHAR NOT NULL,            -- argon2id, PHC string ($argon2id$v=19$...)
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    failed_attempts INTEGER NOT NULL DEFAULT 0,  -- consecutive failures since the last success
    locked_until    TIMESTAMP,                   -- no sign-in before this moment (local time)
    created_at      TIMESTAMP NOT NULL DEFAULT current_timestamp,
    last_login      TIMESTAMP
);
