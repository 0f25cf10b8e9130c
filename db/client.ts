// The database layer models use, gathered in one import. Each part lives in
// its own module: the connection (connection.ts), transactions and their
// hooks (transaction.ts), queries both engines run alike (statements.ts),
// and what instances coordinate through on PostgreSQL (coordination.ts).
export { closeDatabase, createPool, db, engine, isPostgresUrl, openSqlite, pgPool, setDatabase, sqliteConnections, type DB, type Engine, type SqliteDB } from "./connection";
export { afterCommit, beforeCommit, hasCode, isUniqueViolation, transaction } from "./transaction";
export { changes, exec, forUpdate, prepared, rows, type Statement } from "./statements";
export { exclusively, listen } from "./coordination";
