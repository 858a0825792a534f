// One room size of the live fan-out bench, after its participants have joined: waits for the receivers to
// settle, probes until every participant is reachable, measures idle, then times --messages sendData calls
// on a fixed schedule and gathers every receipt.
import type { LiveKitGateway } from "../modules/live/livekit.ts";
import { quieter, snapshot, span } from "./live-fanout-cpu.ts";
import type { FanoutParams } from "./live-fanout-options.ts";
import { wallNow, type FanoutPayload } from "./live-fanout-protocol.ts";
import { deliveryStats, type SendRecord, type SizeResult } from "./live-fanout-stats.ts";
import { collect, receivers } from "./live-fanout-viewers.ts";

const PROBE_TIMEOUT_MS = 30_000;
const PROBE_INTERVAL_MS = 250;
/** After the joins, the receivers' CPU is sampled this often until it stops falling (at most SETTLE_MAX_MS). */
const SETTLE_SAMPLE_MS = 1_000;
const SETTLE_MIN_MS = 3_000;
const SETTLE_MAX_MS = 12_000;
/** Idle is measured over a quiet spell before the sends and one after them, and the quieter of the two is kept. */
const QUIET_MS = 2_000;
/** After the last send, how long receipts may keep coming in before the bench counts them as lost. */
export const SETTLE_MS = 1_000;
export const LATE_MS = 10_000;
export const TOPIC = "chat";

/** Waits until the receivers' CPU stops falling after the joins (ICE gathering, participant updates, exiting threads). */
async function settle(liveKitProcess: number | undefined): Promise<number> {
  const started = performance.now();
  let previous: number | null = null;
  let from = snapshot(liveKitProcess, receivers);
  while (performance.now() - started < SETTLE_MAX_MS) {
    await Bun.sleep(SETTLE_SAMPLE_MS);
    const to = snapshot(liveKitProcess, receivers);
    const now = span(from, to).receivers.cpu;
    from = to;
    if (now === null) break;
    if (previous !== null && performance.now() - started >= SETTLE_MIN_MS && now > previous * 0.8 - 0.02) break;
    previous = now;
  }
  return (performance.now() - started) / 1000;
}

export function payload(run: string, id: number, sentAt: number): FanoutPayload {
  // Shaped like the app's chat line (modules/live/room.ts), about 240 bytes of JSON.
  return {
    run,
    id,
    sentAt,
    chatId: `chm_${Math.floor(sentAt).toString(36)}${id.toString(36).padStart(4, "0")}`,
    userId: "usr_bench_viewer_0001",
    name: "王小明",
    body: "这款龙井还有货吗？What's the shipping time to Hangzhou?",
    at: new Date(sentAt).toISOString(),
  };
}

/** Probe packets until every participant in the room has received one: its data channel is up. */
async function waitUntilReachable(gateway: LiveKitGateway, room: string, n: number): Promise<number> {
  const started = performance.now();
  const run = `probe-${n}`;
  const reached = new Set<string>();
  for (let id = 0; reached.size < n; id++) {
    if (performance.now() - started > PROBE_TIMEOUT_MS) throw new Error(`after ${PROBE_TIMEOUT_MS / 1000} s of probe packets, ${n - reached.size} of ${n} participants had received none`);
    await gateway.sendData(room, "probe", payload(run, id, wallNow()));
    await Bun.sleep(PROBE_INTERVAL_MS);
    const { receipts } = await collect(run);
    for (const [identity, got] of receipts) if (got.size > 0) reached.add(identity);
  }
  return (performance.now() - started) / 1000;
}

export async function measure(n: number, params: FanoutParams, gateway: LiveKitGateway, room: string, liveKitProcess: number | undefined, joinSeconds: number): Promise<SizeResult> {
  const settleSeconds = await settle(liveKitProcess);
  const probeSeconds = await waitUntilReachable(gateway, room, n);
  await Bun.sleep(500); // the last probes' stragglers
  const run = `run-${n}`;

  const quietFrom = snapshot(liveKitProcess, receivers);
  await Bun.sleep(QUIET_MS);
  const idleBefore = span(quietFrom, snapshot(liveKitProcess, receivers));

  const sends: SendRecord[] = [];
  const calls: Promise<void>[] = [];
  const busyFrom = snapshot(liveKitProcess, receivers);
  const t0 = performance.now();
  for (let id = 0; id < params.messages; id++) {
    const wait = t0 + id * params.interval - performance.now();
    if (wait > 0) await Bun.sleep(wait);
    const sentAt = wallNow();
    const record: SendRecord = { sentAt, returnedAt: Number.NaN, ok: false };
    sends[id] = record;
    calls.push(
      gateway.sendData(room, TOPIC, payload(run, id, sentAt)).then(
        (result: unknown) => {
          record.returnedAt = wallNow();
          // The gateway answers false when the room is not running.
          record.ok = result !== false;
          if (!record.ok) record.error = "sendData answered false: the room is not running";
        },
        (error: unknown) => {
          record.returnedAt = wallNow();
          record.error = error instanceof Error ? error.message : String(error);
        },
      ),
    );
  }
  const remaining = t0 + params.messages * params.interval - performance.now();
  if (remaining > 0) await Bun.sleep(remaining);
  const busy = span(busyFrom, snapshot(liveKitProcess, receivers));
  await Promise.all(calls);

  const expected = n * params.messages;
  await Bun.sleep(SETTLE_MS);
  const all = new Map<string, Map<number, number>>();
  let duplicates = 0;
  let unreadable = 0;
  const lateDeadline = performance.now() + LATE_MS;
  for (;;) {
    const got = await collect(run);
    duplicates += got.duplicates;
    unreadable += got.unreadable;
    for (const [identity, receipts] of got.receipts) {
      const into = all.get(identity) ?? new Map<number, number>();
      for (const [id, at] of receipts) into.set(id, at);
      all.set(identity, into);
    }
    const received = [...all.values()].reduce((sum, m) => sum + m.size, 0);
    if (received >= expected || performance.now() > lateDeadline) break;
    await Bun.sleep(250);
  }

  // The second quiet spell: LiveKit and the receivers have periodic work of their own (and the first
  // spell may still catch the joins' tail), so the quieter spell of the two stands for "idle".
  const afterFrom = snapshot(liveKitProcess, receivers);
  await Bun.sleep(QUIET_MS);
  const idle = quieter(idleBefore, span(afterFrom, snapshot(liveKitProcess, receivers)));

  return {
    n,
    processes: receivers.length,
    joinSeconds,
    settleSeconds,
    probeSeconds,
    expected,
    duplicates,
    unreadable,
    ...deliveryStats(sends, receivers, all),
    idle,
    busy,
  };
}
