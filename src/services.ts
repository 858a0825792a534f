// Builds every service from the runtime's dependencies, wiring modules through each other's services.
import type { Database } from "../db/database.ts";
import { createAuditTrail } from "../modules/compliance/index.ts";
import { createCatalog, createOrders, type CardPayments, type ImageStore, type OrderSettings } from "../modules/orders/index.ts";
import { createLive } from "../modules/live/index.ts";
import { createAccounts } from "./accounts/service.ts";
import type { Clock } from "./platform/clock.ts";
import type { Logger } from "./platform/logging.ts";
import type { PasswordHasher } from "./platform/password.ts";
import type { Sealer } from "./platform/sealing.ts";

export interface ServiceDeps {
  database: Database;
  clock: Clock;
  passwords: PasswordHasher;
  sealer: Sealer;
  /** Null where no card provider is configured: checkout then offers paying in store or on delivery only. */
  cardPayments: CardPayments | null;
  orderSettings: OrderSettings;
  log?: Logger;
  /** Where product photos' bytes live: a folder on Bun, an R2 bucket on Workers. */
  images: ImageStore;
}

export function createServices({ database, clock, passwords, sealer, cardPayments, orderSettings, log, images }: ServiceDeps) {
  const audit = createAuditTrail({ database, clock });
  const accounts = createAccounts({ database, audit, clock, passwords });
  const catalog = createCatalog({ database, audit, clock, images });
  const live = createLive({ database, audit, clock, catalog, hostNames: (ids) => accounts.displayNames(ids) });
  const orders = createOrders({ database, audit, clock, catalog, sealer, cardPayments, settings: orderSettings, log });
  return { audit, accounts, catalog, live, orders };
}

export type Services = ReturnType<typeof createServices>;
