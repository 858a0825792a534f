// Applies the committed drizzle-kit migrations in db/migrations.
//
// Several instances starting at once against one libSQL server race: each reads the applied list,
// and the slower one then fails on a table the faster one just created. The migrator's batch is
// atomic, so the loser changed nothing: it waits a moment and reads the list again, by which time
// there is nothing left to apply.
import { migrate } from "drizzle-orm/libsql/migrator";
import { fileURLToPath } from "node:url";
import type { Database } from "./database.ts";

export const migrationsFolder = fileURLToPath(new URL("./migrations", import.meta.url));

const ATTEMPTS = 5;

export async function migrateDatabase(database: Database): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await migrate(database.db, { migrationsFolder });
    } catch (error) {
      if (attempt >= ATTEMPTS || !/already exists/i.test(String(error))) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt + Math.random() * 200));
    }
  }
}
