"""People and process around the interviews: accounts (roles, Argon2id, lockout), the audit
log, drafts of interviews in progress, quality flags and GPS checks."""
