// The POS service: pairing devices to a store, verifying each signed request (HMAC under the
// device's secret, timestamp within MAX_CLOCK_SKEW_MS, nonce never seen), ingesting batches of till
// transactions once per (device, sequence), and the mismatch queue staff work through.
// Store sales themselves are recorded by the orders service (orders.storeSales), in the same
// transaction as the POS rows, so a transaction is stored exactly when its sale is.
import { and, desc, eq, gt, inArray, isNull, lt, notLike, sql } from "drizzle-orm";
import type { Database, Tx } from "../../db/database.ts";
import { posDevices, posMismatches, posNonces, posPairingCodes, posTransactions } from "../../db/schema/pos.ts";
import type { Actor, AuditTrail } from "../compliance/index.ts";
import type { ChannelFigures, Store, StoreSales } from "../orders/index.ts";
import type { Clock } from "../../src/platform/clock.ts";
import { constantTimeEqual, randomToken, sha256Hex } from "../../src/platform/crypto.ts";
import { newId } from "../../src/platform/ids.ts";
import { resealRows, resealValues } from "../../src/platform/resealing.ts";
import { sealedPrefix, type Sealer } from "../../src/platform/sealing.ts";
import { MAX_CLOCK_SKEW_MS, sameReceipt, sign, signingString, type IngestAnswer, type IngestBatch, type PairAnswer, type PairRequest, type StoreTransaction } from "./protocol.ts";
import { DeviceNotFound, DeviceRefused, MismatchNotFound, NonceReused, PairingRefused, PosNoStore, StaleRequest, UnknownStoreSku } from "./errors.ts";

export const PAIRING_MINUTES = 10;
/** Nonces are kept twice as long as a timestamp stays acceptable (±5 minutes). */
const NONCE_KEEP_MS = 2 * MAX_CLOCK_SKEW_MS;
/** No 0/O, 1/I/L: the code is read out loud or typed from a screen. */
const CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

export type DeviceRow = typeof posDevices.$inferSelect;
export type PosTransactionRow = typeof posTransactions.$inferSelect;
export type MismatchRow = typeof posMismatches.$inferSelect;

export interface PosDevice {
  id: string;
  name: string;
  status: DeviceRow["status"];
  paired: boolean;
  createdAt: Date;
  pairedAt: Date | null;
  lastSeenAt: Date | null;
  lastSequence: number;
  /** Transactions of this device still waiting in the mismatch queue. */
  waiting: number;
}

export interface SignedRequest {
  method: string;
  path: string;
  body: string;
  header(name: string): string | undefined;
}

export interface PosDeps {
  database: Database;
  audit: AuditTrail;
  clock: Clock;
  sealer: Sealer;
  storeSales: StoreSales;
  /** The store the user works at as owner or staff, or null (orders.managedStore). */
  managedStore: (userId: string) => Promise<Store | null>;
}

/** "7K4Q9M2X" shown as "7K4Q-9M2X". */
function newPairingCode(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(8)), (byte) => CODE_ALPHABET[byte % CODE_ALPHABET.length]).join("");
}

export function formatPairingCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

const normalizeCode = (code: string) => code.toUpperCase().replace(/[^0-9A-Z]/g, "");
const codeHash = (code: string) => sha256Hex(`pos-pairing|${normalizeCode(code)}`);

export function createPos({ database, audit, clock, sealer, storeSales, managedStore }: PosDeps) {
  const { db } = database;

  async function storeOf(userId: string): Promise<Store> {
    const store = await managedStore(userId);
    if (!store) throw new PosNoStore();
    return store;
  }

  async function deviceOfStore(storeId: string, deviceId: string): Promise<DeviceRow> {
    const [device] = await db.select().from(posDevices).where(and(eq(posDevices.id, deviceId), eq(posDevices.storeId, storeId)));
    if (!device) throw new DeviceNotFound();
    return device;
  }

  /** Stores one transaction (already known not to be stored), and its sale when every code is known. */
  async function ingestOne(tx: Tx, device: DeviceRow, t: StoreTransaction, now: Date) {
    const codes = t.lines.map((line) => line.code);
    const known = await storeSales.skusByCode(device.storeId, codes, tx);
    const unknown = new Map<string, number>();
    for (const line of t.lines) if (!known.has(line.code.trim())) unknown.set(line.code.trim(), (unknown.get(line.code.trim()) ?? 0) + line.quantity);
    const row = { deviceId: device.id, sequence: t.sequence, storeId: device.storeId, kind: t.kind, receiptNo: t.receiptNo, at: new Date(t.at), payload: JSON.stringify(t), totalFen: t.totalFen, currency: t.currency, receivedAt: now };
    if (unknown.size > 0) {
      await tx.insert(posTransactions).values({ ...row, status: "mismatch", orderId: null });
      await tx.insert(posMismatches).values([...unknown].map(([code, quantity]) => ({ id: newId("pmm", now.getTime()), storeId: device.storeId, deviceId: device.id, sequence: t.sequence, reason: "unknown_code" as const, code, quantity, status: "open" as const, createdAt: now })));
      await audit.record(tx, { actor: { type: "device", id: device.id }, action: "pos.mismatch_queued", subject: `pos_transaction:${device.id}:${t.sequence}`, data: { receiptNo: t.receiptNo, kind: t.kind, unknownCodes: [...unknown.keys()] } });
      return;
    }
    const lines = t.lines.map((line) => ({ skuId: known.get(line.code.trim())!.id, quantity: line.quantity, unitPriceFen: line.unitPriceFen }));
    const sale = await storeSales.recordStoreSale(tx, { storeId: device.storeId, deviceId: device.id, sequence: t.sequence, kind: t.kind, receiptNo: t.receiptNo, at: row.at, lines, totalFen: t.totalFen, currency: t.currency, payment: t.payment, memberCode: t.memberCode || null });
    await tx.insert(posTransactions).values({ ...row, status: "recorded", orderId: sale.orderId });
    await queueShortfalls(tx, device, t.sequence, sale.shortfalls, now);
  }

  async function queueShortfalls(tx: Tx, device: Pick<DeviceRow, "id" | "storeId">, sequence: number, shortfalls: { code: string; quantity: number }[], now: Date) {
    if (shortfalls.length === 0) return;
    await tx.insert(posMismatches).values(shortfalls.map((s) => ({ id: newId("pmm", now.getTime()), storeId: device.storeId, deviceId: device.id, sequence, reason: "short_stock" as const, code: s.code, quantity: s.quantity, status: "open" as const, createdAt: now })));
  }

  return {
    /** Staff add a till device; the answer carries the pairing code, shown once. */
    async createDevice(userId: string, name: string): Promise<{ device: PosDevice; code: string; expiresAt: Date }> {
      const store = await storeOf(userId);
      const now = clock.now();
      const id = newId("dev", now.getTime());
      const code = newPairingCode();
      const expiresAt = new Date(now.getTime() + PAIRING_MINUTES * 60_000);
      const hash = await codeHash(code);
      await database.write(async (tx) => {
        await tx.insert(posDevices).values({ id, storeId: store.id, name, secretSealed: null, status: "active", createdBy: userId, createdAt: now, lastSequence: 0 });
        await tx.insert(posPairingCodes).values({ codeHash: hash, deviceId: id, expiresAt });
        await audit.record(tx, { actor: { type: "user", id: userId }, action: "pos.device_created", subject: `pos_device:${id}`, data: { storeId: store.id, name, pairingExpiresAt: expiresAt.toISOString() } });
      });
      return { device: { id, name, status: "active", paired: false, createdAt: now, pairedAt: null, lastSeenAt: null, lastSequence: 0, waiting: 0 }, code: formatPairingCode(code), expiresAt };
    },

    /** `agent pair <code>`: a valid, unused, unexpired code of an active device → its id and a new secret. */
    async pair(request: PairRequest): Promise<PairAnswer> {
      const now = clock.now();
      const hash = await codeHash(request.code);
      const secret = randomToken(32);
      const secretSealed = await sealer.seal(secret);
      return database.write(async (tx) => {
        const [pairing] = await tx.select().from(posPairingCodes).where(eq(posPairingCodes.codeHash, hash));
        if (!pairing || pairing.usedAt || pairing.expiresAt.getTime() <= now.getTime()) throw new PairingRefused();
        const [device] = await tx.select().from(posDevices).where(eq(posDevices.id, pairing.deviceId));
        if (!device || device.status !== "active") throw new PairingRefused();
        const used = await tx.update(posPairingCodes).set({ usedAt: now }).where(and(eq(posPairingCodes.codeHash, hash), isNull(posPairingCodes.usedAt)));
        if (used.rowsAffected !== 1) throw new PairingRefused();
        const name = request.name?.trim() || device.name;
        await tx.update(posDevices).set({ secretSealed, pairedAt: now, name }).where(eq(posDevices.id, device.id));
        await audit.record(tx, { actor: { type: "device", id: device.id }, action: "pos.device_paired", subject: `pos_device:${device.id}`, data: { storeId: device.storeId, name } });
        return { deviceId: device.id, secret, storeId: device.storeId };
      });
    },

    /**
     * Checks a device's signed request: known active paired device, timestamp within the allowed
     * skew, signature (constant time), then the nonce, which is remembered only once all else passed.
     */
    async authenticate(request: SignedRequest): Promise<DeviceRow> {
      const deviceId = request.header("x-broadcart-device") ?? "";
      const timestamp = request.header("x-broadcart-timestamp") ?? "";
      const nonce = request.header("x-broadcart-nonce") ?? "";
      const signature = request.header("x-broadcart-signature") ?? "";
      if (!deviceId || !/^\d{1,16}$/.test(timestamp) || !/^[A-Za-z0-9_-]{8,128}$/.test(nonce) || !signature) throw new DeviceRefused();
      const [device] = await db.select().from(posDevices).where(eq(posDevices.id, deviceId));
      if (!device || device.status !== "active" || !device.secretSealed) throw new DeviceRefused();
      const secret = await sealer.open(device.secretSealed);
      const expected = await sign(secret, await signingString(request.method, request.path, timestamp, nonce, request.body));
      if (!constantTimeEqual(signature, expected)) throw new DeviceRefused();
      const now = clock.now();
      if (Math.abs(now.getTime() - Number(timestamp)) > MAX_CLOCK_SKEW_MS) throw new StaleRequest();
      const fresh = await database.write(async (tx) => {
        await tx.delete(posNonces).where(lt(posNonces.seenAt, new Date(now.getTime() - NONCE_KEEP_MS)));
        const inserted = await tx.insert(posNonces).values({ deviceId, nonce, seenAt: now }).onConflictDoNothing();
        return inserted.rowsAffected === 1;
      });
      if (!fresh) throw new NonceReused();
      return device;
    },

    /** Stores every transaction not stored yet (nothing is dropped: unknown codes wait as mismatches); acknowledges all. */
    async ingest(device: DeviceRow, batch: IngestBatch): Promise<IngestAnswer> {
      if (batch.deviceId !== device.id) throw new DeviceRefused();
      const now = clock.now();
      return database.write(async (tx) => {
        // Read again inside the write: revoked a moment ago means refused now.
        const [current] = await tx.select().from(posDevices).where(eq(posDevices.id, device.id));
        if (!current || current.status !== "active") throw new DeviceRefused();
        const sequences = [...new Set(batch.transactions.map((t) => t.sequence))];
        const stored = new Map<number, Pick<StoreTransaction, "kind" | "receiptNo" | "totalFen">>();
        for (let i = 0; i < sequences.length; i += 400) {
          const rows = await tx
            .select({ sequence: posTransactions.sequence, kind: posTransactions.kind, receiptNo: posTransactions.receiptNo, totalFen: posTransactions.totalFen })
            .from(posTransactions)
            .where(and(eq(posTransactions.deviceId, device.id), inArray(posTransactions.sequence, sequences.slice(i, i + 400))));
          for (const row of rows) stored.set(row.sequence, row);
        }
        const acknowledged: number[] = [];
        const conflicts: number[] = [];
        for (const t of batch.transactions) {
          const earlier = stored.get(t.sequence);
          if (earlier && !sameReceipt(earlier, t)) {
            if (!conflicts.includes(t.sequence)) conflicts.push(t.sequence);
            continue;
          }
          if (!earlier) {
            await ingestOne(tx, current, t, now);
            stored.set(t.sequence, t);
          }
          if (!acknowledged.includes(t.sequence)) acknowledged.push(t.sequence);
        }
        const highest = Math.max(current.lastSequence, ...sequences);
        await tx.update(posDevices).set({ lastSeenAt: now, lastSequence: highest }).where(eq(posDevices.id, device.id));
        if (conflicts.length) await audit.record(tx, { actor: { type: "device", id: device.id }, action: "pos.sequence_conflict", subject: `pos_device:${device.id}`, data: { conflicts, lastSequence: highest } });
        return conflicts.length ? { acknowledged, conflicts, lastSequence: highest } : { acknowledged, lastSequence: highest };
      });
    },

    async devices(userId: string): Promise<{ store: Store; devices: PosDevice[] }> {
      const store = await storeOf(userId);
      const rows = await db.select().from(posDevices).where(eq(posDevices.storeId, store.id)).orderBy(desc(posDevices.createdAt));
      const waiting = await db
        .select({ deviceId: posTransactions.deviceId, n: sql<number>`count(*)` })
        .from(posTransactions)
        .where(and(eq(posTransactions.storeId, store.id), eq(posTransactions.status, "mismatch")))
        .groupBy(posTransactions.deviceId);
      return {
        store,
        devices: rows.map((row) => ({
          id: row.id,
          name: row.name,
          status: row.status,
          paired: row.secretSealed !== null,
          createdAt: row.createdAt,
          pairedAt: row.pairedAt,
          lastSeenAt: row.lastSeenAt,
          lastSequence: row.lastSequence,
          waiting: Number(waiting.find((w) => w.deviceId === row.id)?.n ?? 0),
        })),
      };
    },

    /** Refused at once: every later request of the device fails authentication, and unused pairing codes die with it. */
    async revoke(userId: string, deviceId: string): Promise<void> {
      const store = await storeOf(userId);
      await deviceOfStore(store.id, deviceId);
      const now = clock.now();
      await database.write(async (tx) => {
        const changed = await tx.update(posDevices).set({ status: "revoked", revokedAt: now, revokedBy: userId }).where(and(eq(posDevices.id, deviceId), eq(posDevices.status, "active")));
        if (changed.rowsAffected !== 1) return;
        await tx.update(posPairingCodes).set({ usedAt: now }).where(and(eq(posPairingCodes.deviceId, deviceId), isNull(posPairingCodes.usedAt)));
        await audit.record(tx, { actor: { type: "user", id: userId }, action: "pos.device_revoked", subject: `pos_device:${deviceId}`, data: { storeId: store.id } });
      });
    },

    async transactions(userId: string, limit = 100): Promise<{ store: Store; transactions: PosTransactionRow[] }> {
      const store = await storeOf(userId);
      const rows = await db.select().from(posTransactions).where(eq(posTransactions.storeId, store.id)).orderBy(desc(posTransactions.receivedAt), desc(posTransactions.sequence)).limit(limit);
      return { store, transactions: rows };
    },

    async mismatches(userId: string, limit = 200): Promise<{ store: Store; mismatches: MismatchRow[] }> {
      const store = await storeOf(userId);
      const rows = await db.select().from(posMismatches).where(eq(posMismatches.storeId, store.id)).orderBy(sql`${posMismatches.status} = 'resolved'`, desc(posMismatches.createdAt)).limit(limit);
      return { store, mismatches: rows };
    },

    /**
     * Staff match an unknown code to one of the store's SKUs (by its code or barcode). Once every
     * unknown code of the transaction is matched, its sale (or refund) is recorded then. A stock
     * shortfall needs no SKU: resolving it says staff have looked (and counted the shelf).
     */
    async resolveMismatch(userId: string, mismatchId: string, skuText: string): Promise<{ recordedOrderId: string | null }> {
      const store = await storeOf(userId);
      const [mismatch] = await db.select().from(posMismatches).where(and(eq(posMismatches.id, mismatchId), eq(posMismatches.storeId, store.id)));
      if (!mismatch) throw new MismatchNotFound();
      const actor: Actor = { type: "user", id: userId };
      const now = clock.now();
      let skuId: string | null = null;
      if (mismatch.reason === "unknown_code") {
        const sku = skuText ? (await storeSales.skusByCode(store.id, [skuText])).get(skuText.trim()) : undefined;
        if (!sku) throw new UnknownStoreSku();
        skuId = sku.id;
      }
      return database.write(async (tx) => {
        const changed = await tx.update(posMismatches).set({ status: "resolved", resolvedSkuId: skuId, resolvedBy: userId, resolvedAt: now }).where(and(eq(posMismatches.id, mismatchId), eq(posMismatches.status, "open")));
        if (changed.rowsAffected !== 1) return { recordedOrderId: null };
        await audit.record(tx, { actor, action: "pos.mismatch_resolved", subject: `pos_mismatch:${mismatchId}`, data: { reason: mismatch.reason, code: mismatch.code, skuId } });
        if (mismatch.reason !== "unknown_code") return { recordedOrderId: null };
        const [t] = await tx.select().from(posTransactions).where(and(eq(posTransactions.deviceId, mismatch.deviceId), eq(posTransactions.sequence, mismatch.sequence)));
        if (!t || t.status !== "mismatch") return { recordedOrderId: null };
        const all = await tx.select().from(posMismatches).where(and(eq(posMismatches.deviceId, mismatch.deviceId), eq(posMismatches.sequence, mismatch.sequence), eq(posMismatches.reason, "unknown_code")));
        if (all.some((m) => m.status !== "resolved")) return { recordedOrderId: null };
        const matched = new Map(all.map((m) => [m.code, m.resolvedSkuId!]));
        const payload = JSON.parse(t.payload) as StoreTransaction;
        const known = await storeSales.skusByCode(store.id, payload.lines.map((line) => line.code), tx);
        const lines = payload.lines.map((line) => {
          const code = line.code.trim();
          const skuOf = matched.get(code) ?? known.get(code)?.id;
          if (!skuOf) throw new UnknownStoreSku(); // a SKU deleted since: the transaction keeps waiting
          return { skuId: skuOf, quantity: line.quantity, unitPriceFen: line.unitPriceFen };
        });
        const sale = await storeSales.recordStoreSale(tx, { storeId: store.id, deviceId: t.deviceId, sequence: t.sequence, kind: t.kind, receiptNo: t.receiptNo, at: t.at, lines, totalFen: t.totalFen, currency: t.currency, payment: payload.payment, memberCode: payload.memberCode || null, actor });
        await tx.update(posTransactions).set({ status: "resolved", orderId: sale.orderId }).where(and(eq(posTransactions.deviceId, t.deviceId), eq(posTransactions.sequence, t.sequence)));
        await queueShortfalls(tx, { id: t.deviceId, storeId: store.id }, t.sequence, sale.shortfalls, now);
        return { recordedOrderId: sale.orderId };
      });
    },

    /** After a data key rotation: re-seals device secrets not under the current key (revoked devices' too); returns how many devices changed. */
    resealSecrets(): Promise<number> {
      return resealRows(database, {
        stale: (after, limit) =>
          db
            .select({ key: posDevices.id, secret: posDevices.secretSealed })
            .from(posDevices)
            .where(and(gt(posDevices.id, after), notLike(posDevices.secretSealed, `${sealedPrefix(sealer.currentKeyId)}%`)))
            .orderBy(posDevices.id)
            .limit(limit),
        reseal: ({ secret }) => resealValues(sealer, { secret }),
        async write(tx, row, update) {
          const changed = await tx.update(posDevices).set({ secretSealed: update.secret }).where(and(eq(posDevices.id, row.key), eq(posDevices.secretSealed, row.secret!)));
          return changed.rowsAffected === 1;
        },
      });
    },

    /** What the live room, the storefront and the till sold in [from, to). */
    async figures(userId: string, from: Date, to: Date): Promise<{ store: Store; channels: ChannelFigures[] }> {
      const store = await storeOf(userId);
      return { store, channels: await storeSales.channelFigures(store.id, from, to) };
    },
  };
}

export type Pos = ReturnType<typeof createPos>;
