// The POS routes. Device endpoints under /pos/v1/ (JSON; CSRF-exempt, each request authenticated
// by its signature): pair and ingest. Merchant pages under /merchant/pos for store owner and staff.
import { Hono, type Context } from "hono";
import * as v from "valibot";
import type { AppEnv } from "../../src/platform/context.ts";
import { allow } from "../../src/platform/access.ts";
import { BadRequest, DomainError } from "../../src/platform/errors.ts";
import { parseForm, type FieldErrors } from "../../src/platform/forms.ts";
import { utcToWallTime, wallTimeToUtc } from "../../src/platform/zoned-time.ts";
import { renderPage } from "../../views/render.tsx";
import { viewContext } from "../../views/view-context.ts";
import { Notice } from "../../views/components.tsx";
import { PosDevicesPage, PosMismatchesPage, PosTransactionsPage, type NewCode } from "../../views/pos/pos-pages.tsx";
import { PosNoStore } from "./errors.ts";
import type { IngestBatch } from "./protocol.ts";
import type { DisplayFeed } from "./display.ts";
import type { Pos } from "./service.ts";
import { ingestBatchSchema, MAX_BODY_BYTES, newDeviceForm, pairRequestSchema, resolveForm } from "./validation.ts";

type C = Context<AppEnv>;

async function jsonBody<S extends v.GenericSchema>(schema: S, text: string): Promise<v.InferOutput<S>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new BadRequest("invalid_json");
  }
  const result = v.safeParse(schema, parsed);
  if (!result.success) throw new BadRequest("invalid_body");
  return result.output;
}

async function boundedText(c: C): Promise<string> {
  const length = Number(c.req.header("content-length") ?? 0);
  if (length > MAX_BODY_BYTES) throw new DomainError(413, "body_too_large", "error.bad_request");
  const text = await c.req.text();
  if (text.length > MAX_BODY_BYTES) throw new DomainError(413, "body_too_large", "error.bad_request");
  return text;
}

/** Midnight to midnight of today in the shop's time zone. */
function today(c: C, now = new Date()): { from: Date; to: Date } {
  const day = utcToWallTime(now, c.var.timeZone).slice(0, 10);
  const from = wallTimeToUtc(`${day}T00:00`, c.var.timeZone) ?? new Date(now.getTime() - 86_400_000);
  const next = new Date(Date.parse(`${day}T00:00:00Z`) + 36 * 3_600_000).toISOString().slice(0, 10);
  const to = wallTimeToUtc(`${next}T00:00`, c.var.timeZone) ?? now;
  return { from, to };
}

export function posRoutes({ pos, display }: { pos: Pos; display: DisplayFeed }) {
  const app = new Hono<AppEnv>();
  const userId = (c: C) => c.var.user!.id;

  app.post("/pos/v1/pair", allow.public(), async (c) => {
    const request = await jsonBody(pairRequestSchema, await boundedText(c));
    return c.json(await pos.pair(request));
  });

  app.post("/pos/v1/ingest", allow.public(), async (c) => {
    const body = await boundedText(c);
    const device = await pos.authenticate({ method: c.req.method, path: c.req.path, body, header: (name) => c.req.header(name) });
    const batch: IngestBatch = await jsonBody(ingestBatchSchema, body);
    return c.json(await pos.ingest(device, batch));
  });

  // The customer display: a long poll, signed like ingest; `version` is the state the agent shows now.
  app.get("/pos/v1/display", allow.public(), async (c) => {
    const device = await pos.authenticate({ method: "GET", path: c.req.path, body: "", header: (name) => c.req.header(name) });
    const known = c.req.query("version") ?? null;
    return c.json(await display.next(device.storeId, known && /^[0-9a-f]{16}$/.test(known) ? known : null, c.req.raw.signal));
  });

  /** A merchant account without a store sees a notice instead of the page. */
  async function withStore(c: C, render: () => Promise<Response>): Promise<Response> {
    try {
      return await render();
    } catch (error) {
      if (error instanceof PosNoStore) {
        const v = viewContext(c);
        return renderPage(c, v.t("pos.title"), <Notice kind="info">{v.t("merchant.no_store")}</Notice>, c.req.method === "GET" ? 200 : 409);
      }
      throw error;
    }
  }

  async function devicesPage(c: C, extra: { newCode?: NewCode; status?: 200 | 201 | 422; errors?: FieldErrors; name?: string } = {}) {
    const v = viewContext(c);
    const { from, to } = today(c);
    const [{ store, devices }, { channels }] = await Promise.all([pos.devices(userId(c)), pos.figures(userId(c), from, to)]);
    return renderPage(c, v.t("pos.title"), <PosDevicesPage v={v} store={store} devices={devices} figures={channels} newCode={extra.newCode} errors={extra.errors} name={extra.name} />, extra.status ?? 200);
  }

  app.get("/merchant/pos", allow.roles("merchant"), (c) => withStore(c, () => devicesPage(c)));

  app.post("/merchant/pos/devices", allow.roles("merchant"), (c) =>
    withStore(c, async () => {
      const body = await c.req.parseBody();
      const form = parseForm(newDeviceForm, body);
      if (!form.ok) return devicesPage(c, { status: 422, errors: form.errors, name: String(body.name ?? "") });
      const created = await pos.createDevice(userId(c), form.value.name);
      return devicesPage(c, { status: 201, newCode: { name: created.device.name, code: created.code, expiresAt: created.expiresAt } });
    }),
  );

  app.post("/merchant/pos/devices/:id/revoke", allow.roles("merchant"), (c) =>
    withStore(c, async () => {
      await pos.revoke(userId(c), c.req.param("id"));
      return c.redirect("/merchant/pos", 303);
    }),
  );

  app.get("/merchant/pos/transactions", allow.roles("merchant"), (c) =>
    withStore(c, async () => {
      const v = viewContext(c);
      const [{ transactions }, { devices }] = await Promise.all([pos.transactions(userId(c)), pos.devices(userId(c))]);
      return renderPage(c, v.t("pos.tx.title"), <PosTransactionsPage v={v} transactions={transactions} devices={new Map(devices.map((d) => [d.id, d.name]))} />);
    }),
  );

  async function mismatchesPage(c: C, problem?: string, status: 200 | 404 | 422 = 200) {
    const v = viewContext(c);
    const { mismatches } = await pos.mismatches(userId(c));
    return renderPage(c, v.t("pos.mm.title"), <PosMismatchesPage v={v} mismatches={mismatches} problem={problem} />, status);
  }

  app.get("/merchant/pos/mismatches", allow.roles("merchant"), (c) => withStore(c, () => mismatchesPage(c)));

  app.post("/merchant/pos/mismatches/:id/resolve", allow.roles("merchant"), (c) =>
    withStore(c, async () => {
      const form = parseForm(resolveForm, await c.req.parseBody());
      const sku = form.ok ? form.value.sku : "";
      try {
        await pos.resolveMismatch(userId(c), c.req.param("id"), sku);
      } catch (error) {
        if (error instanceof DomainError && (error.status === 422 || error.status === 404)) return mismatchesPage(c, viewContext(c).t(error.messageKey), error.status);
        throw error;
      }
      return c.redirect("/merchant/pos/mismatches", 303);
    }),
  );

  return app;
}
