// `npm run db:migrate`: applies the committed migrations to the database named by DATABASE_URL (and
// DATABASE_AUTH_TOKEN). The Bun server migrates on start; a Worker never changes the schema, so run
// this against the libSQL server before deploying a new version there.
import { openDatabase } from "../db/client.ts";
import { migrateDatabase } from "../db/migrate.ts";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("db:migrate: DATABASE_URL is not set");
  process.exit(1);
}
try {
  const database = await openDatabase(url, { authToken: process.env.DATABASE_AUTH_TOKEN });
  await migrateDatabase(database);
  console.log(`migrated ${url.replace(/\/\/[^@/]*@/, "//")}`);
  database.client.close();
} catch (error) {
  console.error(`db:migrate: ${(error as Error).message.split("\n")[0]}`);
  process.exit(1);
}
