// Builds every service from the runtime's dependencies, wiring modules through each other's services.
import type { Database } from "../db/database.ts";
import { createAuditTrail } from "../modules/compliance/index.ts";
import { createCatalog } from "../modules/orders/index.ts";
import { createLive } from "../modules/live/index.ts";
import { createAccounts } from "./accounts/service.ts";
import type { Clock } from "./platform/clock.ts";
import type { PasswordHasher } from "./platform/password.ts";

export interface ServiceDeps {
  database: Database;
  clock: Clock;
  passwords: PasswordHasher;
}

export function createServices({ database, clock, passwords }: ServiceDeps) {
  const audit = createAuditTrail({ database, clock });
  const accounts = createAccounts({ database, audit, clock, passwords });
  const catalog = createCatalog({ database, audit, clock });
  const live = createLive({ database, audit, clock, catalog, hostNames: (ids) => accounts.displayNames(ids) });
  return { audit, accounts, catalog, live };
}

export type Services = ReturnType<typeof createServices>;
