// `npm run db:backup -- <file>`: a consistent copy of the database named by DATABASE_URL (embedded
// file or libSQL server) into a new SQLite file, taken while the shop keeps running. Prints what it
// copied; on failure exits 1 with one line on stderr.
import { createClient } from "@libsql/client";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { copyDatabase } from "./db-copy.ts";

async function main([file, ...rest]: string[]): Promise<string> {
  if (!file || rest.length > 0) throw new Error("usage: npm run db:backup -- <backup file>");
  const url = process.env.DATABASE_URL ?? "file:data/broadcart.db";
  const out = resolve(file);
  if (existsSync(out)) throw new Error(`${out} exists already; a backup never overwrites a file`);
  const source = createClient({ url, authToken: process.env.DATABASE_AUTH_TOKEN });
  try {
    if (url.startsWith("file:")) {
      // SQLite's own snapshot of an embedded file: consistent, WAL included, one statement.
      await source.execute({ sql: "VACUUM INTO ?", args: [out] });
      const tables = await source.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
      return `backed up ${url} to ${out} (${Number(tables.rows[0]![0])} tables, VACUUM INTO)`;
    }
    const target = createClient({ url: `file:${out}` });
    try {
      const copied = await copyDatabase(source, target);
      return `backed up ${url} to ${out} (${copied.tables} tables, ${copied.rows} rows)`;
    } finally {
      target.close();
    }
  } finally {
    source.close();
  }
}

main(process.argv.slice(2)).then(
  (line) => console.log(line),
  (error: Error) => {
    console.error(`db:backup: ${error.message.split("\n")[0]}`);
    process.exit(1);
  },
);
