// Copying a whole Broadcart database between libSQL clients, for backups and restores: the schema
// as SQLite stores it (tables, then indexes), then every table's rows in pages. The source is read
// inside one read transaction, so the copy is one consistent moment even while the shop is selling.
import type { Client, InValue, Transaction } from "@libsql/client";

const PAGE_ROWS = 500;

interface SchemaObject {
  type: "table" | "index" | "view" | "trigger";
  name: string;
  sql: string;
}

export interface CopyReport {
  tables: number;
  rows: number;
}

/** What a database holds beyond SQLite's own bookkeeping (its tables and indexes, with their SQL). */
async function schemaOf(q: Client | Transaction): Promise<SchemaObject[]> {
  const result = await q.execute(
    "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' AND type IN ('table', 'index', 'view', 'trigger') ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'view' THEN 1 WHEN 'index' THEN 2 ELSE 3 END, rowid",
  );
  return result.rows.map((row) => ({ type: row.type as SchemaObject["type"], name: String(row.name), sql: String(row.sql) }));
}

/** True when the database has no tables yet: a restore never writes over a shop's data. */
export async function isEmpty(client: Client): Promise<boolean> {
  return (await schemaOf(client)).every((object) => object.type !== "table");
}

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Copies everything in `source` into the empty `target`, in one write transaction on the target with
 * foreign keys checked at its commit (a libSQL server enforces them; tables are copied in schema order).
 */
export async function copyDatabase(source: Client, target: Client): Promise<CopyReport> {
  const read = await source.transaction("read");
  const write = await target.transaction("write");
  try {
    await write.execute("PRAGMA defer_foreign_keys = ON");
    const schema = await schemaOf(read);
    const tables = schema.filter((object) => object.type === "table");
    for (const table of tables) await write.execute(table.sql);
    let rows = 0;
    for (const table of tables) {
      const columns = (await read.execute(`SELECT * FROM ${quoted(table.name)} LIMIT 0`)).columns;
      if (columns.length === 0) continue;
      const insert = `INSERT INTO ${quoted(table.name)} (${columns.map(quoted).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`;
      for (let offset = 0; ; offset += PAGE_ROWS) {
        const page = await read.execute({ sql: `SELECT * FROM ${quoted(table.name)} ORDER BY rowid LIMIT ? OFFSET ?`, args: [PAGE_ROWS, offset] });
        if (page.rows.length === 0) break;
        await write.batch(page.rows.map((row) => ({ sql: insert, args: columns.map((_, i) => row[i] as InValue) })));
        rows += page.rows.length;
        if (page.rows.length < PAGE_ROWS) break;
      }
    }
    // AUTOINCREMENT counters, so ids of rows deleted before the backup are never handed out again.
    const sequences = await read.execute("SELECT name, seq FROM sqlite_sequence").catch(() => null);
    for (const row of sequences?.rows ?? []) {
      await write.execute({ sql: "DELETE FROM sqlite_sequence WHERE name = ?", args: [row.name as InValue] });
      await write.execute({ sql: "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", args: [row.name as InValue, row.seq as InValue] });
    }
    // Views, indexes and triggers after the rows: a trigger must not fire on the restore's own inserts.
    for (const object of schema.filter((object) => object.type !== "table")) await write.execute(object.sql);
    await write.commit();
    return { tables: tables.length, rows };
  } finally {
    write.close();
    read.close();
  }
}
