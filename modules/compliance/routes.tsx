// Officer pages of the compliance module: the audit trail and its chain verification.
import { Hono } from "hono";
import type { AppEnv } from "../../src/platform/context.ts";
import { allow } from "../../src/platform/access.ts";
import { renderPage } from "../../views/render.tsx";
import { viewContext } from "../../views/view-context.ts";
import { AuditPage, ChainVerdictNotice } from "../../views/compliance/audit.tsx";
import type { AuditTrail } from "./audit.ts";

export function complianceRoutes({ audit }: { audit: AuditTrail }) {
  const app = new Hono<AppEnv>();

  app.get("/compliance/audit", allow.roles("officer", "admin"), async (c) => {
    const v = viewContext(c);
    return renderPage(c, v.t("audit.title"), <AuditPage v={v} entries={await audit.recent(50)} />);
  });

  app.post("/compliance/audit/verify", allow.roles("officer", "admin"), async (c) => {
    const v = viewContext(c);
    const verdict = await audit.verifyChain();
    return renderPage(c, v.t("audit.title"), <ChainVerdictNotice v={v} verdict={verdict} />);
  });

  return app;
}
