// `npm run db:restore -- <file>`: loads a backup made by db:backup into the database named by
// DATABASE_URL, which must be empty (a new file, or a fresh libSQL server database): a restore never
// writes over a shop's data. Stop the app first when restoring an embedded file. Prints what it
// loaded; on failure exits 1 with one line on stderr.
import { createClient } from "@libsql/client";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { copyDatabase, isEmpty } from "./db-copy.ts";

async function main([file, ...rest]: string[]): Promise<string> {
  if (!file || rest.length > 0) throw new Error("usage: npm run db:restore -- <backup file>");
  const backup = resolve(file);
  if (!existsSync(backup)) throw new Error(`no backup at ${backup}`);
  const url = process.env.DATABASE_URL ?? "file:data/broadcart.db";
  if (url.startsWith("file:")) mkdirSync(dirname(resolve(url.slice("file:".length).split("?")[0]!)), { recursive: true });
  const source = createClient({ url: `file:${backup}` });
  const target = createClient({ url, authToken: process.env.DATABASE_AUTH_TOKEN });
  try {
    if (!(await isEmpty(target))) throw new Error(`${url} is not empty; restore into a new database`);
    const copied = await copyDatabase(source, target);
    return `restored ${backup} into ${url} (${copied.tables} tables, ${copied.rows} rows)`;
  } finally {
    source.close();
    target.close();
  }
}

main(process.argv.slice(2)).then(
  (line) => console.log(line),
  (error: Error) => {
    console.error(`db:restore: ${error.message.split("\n")[0]}`);
    process.exit(1);
  },
);
