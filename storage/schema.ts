// The database schema (Drizzle, SQLite). Generate migrations with `npm run db:generate`.
//
// Conventions, chosen once so every table reads the same way:
// - ids are INTEGER AUTOINCREMENT so a deleted row's id is never reused and
//   audit-log references stay unambiguous (schools use the pack's code); the
//   three tables every enrolment appends to (enrolments, outbox, audit_log) are
//   plain INTEGER PRIMARY KEY instead: AUTOINCREMENT rewrites sqlite_sequence in
//   every commit, one WAL page of the ~16 an enrolment wrote. Enrolments and the
//   audit log are never deleted, so their ids never repeat; an outbox id can
//   repeat after forget() deletes the newest rows, so the dispatcher records an
//   outcome by id and idempotency key together;
// - instants are INTEGER milliseconds since the epoch, read as `Date`
//   (`timestamp_ms`); callers always pass the time, storage has no clock default,
//   so tests and the planner can run on a fake clock;
// - calendar dates (opening day, notice days) are TEXT `YYYY-MM-DD`, because
//   the policy counts Chinese working days, not instants;
// - money is INTEGER whole yuan: every subsidy rate in §2.4 is whole yuan;
// - closed vocabularies are TEXT with a CHECK, so a typo cannot reach the file;
// - personal data (name, ID number, phone) is stored only as AES-GCM
//   ciphertext from storage/crypto.ts; people rows are never deleted, only
//   tombstoned by forget(), so statistics and subsidy counts keep their rows.
//
// The tables live in storage/schema/, one module per meaning; this file is the one path the program imports
// them from (and drizzle-kit reads), so where a table sits is nobody else's concern. The column helpers
// (storage/schema/columns.ts) are left out on purpose: they are how the schema is written, not what it holds.
export * from "./schema/vocabularies.js";
export * from "./schema/people.js";
export * from "./schema/staff.js";
export * from "./schema/programme.js";
export * from "./schema/messaging.js";
export * from "./schema/records.js";
