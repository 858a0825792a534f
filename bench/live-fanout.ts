// `npm run bench:live-fanout`: how long a room message takes from the server's sendData to N subscribed
// participants, on this machine, for N = 1 (the baseline), 10, 50 and 200.
//
//   npm run bench:live-fanout -- --sizes 10,50,200 --messages 30 --interval 200 --per-process 40
//   BENCH_FANOUT_SIZES=… BENCH_FANOUT_MESSAGES=… BENCH_FANOUT_INTERVAL_MS=… BENCH_FANOUT_PER_PROCESS=… npm run bench:live-fanout
//
// 1. Starts a real LiveKit (livekit-server --dev on loopback, as the tests do: tests/fixtures/livekit.ts)
//    and creates one room through the app's gateway (modules/live/livekit.ts).
// 2. Viewers: `@livekit/rtc-node` participants with the gateway's viewer tokens, spread over receiver
//    processes of at most --per-process participants each (bench/live-fanout-receiver.ts), none of them
//    this process. They join in steps — 1, then up to 10, 50, 200 — and stay for the larger sizes.
// 3. For each N, untimed: probe packets until every participant has received one (its data channel is
//    up), then a quiet spell that measures what N idle participants cost in CPU.
// 4. Timed: this process (the sender) calls the gateway's sendData — the server-API path the app's
//    broadcasts take — --messages times, one every --interval ms on a fixed schedule, with a message id
//    and the send time in a chat-line-like payload. Latency = receive time in a participant − the start
//    of the sendData call, both on performance.timeOrigin + performance.now() (one machine, one clock:
//    checked against CLOCK_MONOTONIC below). CPU of LiveKit, the receivers, the sender and the whole
//    machine is read over the same span.
// Exits 1 when any packet was not delivered (they are sent reliably, so 100% is expected), 2 on a bad
// argument.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { createLiveKitGateway, type LiveKitGateway } from "../modules/live/livekit.ts";
import { liveKitServerPath } from "../scripts/livekit-server.ts";
import { startLiveKit, type LiveKit } from "../tests/fixtures/livekit.ts";
import { ownCpuSeconds, processCpuSeconds } from "./cpu.ts";
import { cleanUpOnInterrupt, interruptedBy } from "./interrupts.ts";
import {
  ANSWER_PREFIX,
  readClocks,
  wallNow,
  type ClockReading,
  type FanoutPayload,
  type HelloAnswer,
  type JoinedAnswer,
  type ReceiverAnswer,
  type ReceiverCommand,
  type ReportAnswer,
} from "./live-fanout-receiver.ts";
import { readFlags, UsageError } from "./options.ts";
import { fixed, machineLines, percent, table } from "./report.ts";
import { percentile } from "./stats.ts";

// ---------------------------------------------------------------------------------------------- options

interface FanoutParams {
  /** Room sizes measured after the N = 1 baseline, ascending. */
  sizes: number[];
  /** Timed messages per size. */
  messages: number;
  /** Milliseconds between the starts of two timed sendData calls. */
  interval: number;
  /** At most this many participants in one receiver process. */
  perProcess: number;
  /** Participants connecting at once in each receiver process. */
  joinConcurrency: number;
}

const defaults: FanoutParams = { sizes: [10, 50, 200], messages: 30, interval: 200, perProcess: 40, joinConcurrency: 4 };
const numberRules: Record<Exclude<keyof FanoutParams, "sizes">, { flag: string; env: string; min: number; max: number }> = {
  messages: { flag: "messages", env: "BENCH_FANOUT_MESSAGES", min: 1, max: 10_000 },
  interval: { flag: "interval", env: "BENCH_FANOUT_INTERVAL_MS", min: 1, max: 60_000 },
  perProcess: { flag: "per-process", env: "BENCH_FANOUT_PER_PROCESS", min: 1, max: 1_000 },
  joinConcurrency: { flag: "join-concurrency", env: "BENCH_FANOUT_JOIN_CONCURRENCY", min: 1, max: 100 },
};
const MAX_SIZE = 2_000;

function readParams(argv: readonly string[], env: Record<string, string | undefined>): FanoutParams {
  const flags = readFlags(argv, ["sizes", ...Object.values(numberRules).map((rule) => rule.flag)]);
  const params = { ...defaults };
  const rawSizes = flags.get("sizes")?.at(-1) ?? env.BENCH_FANOUT_SIZES;
  if (rawSizes !== undefined && rawSizes !== "") {
    const sizes = rawSizes.split(",").map((s) => Number(s.trim()));
    if (sizes.some((n) => !Number.isInteger(n) || n < 1 || n > MAX_SIZE)) {
      throw new UsageError(`bench: --sizes / BENCH_FANOUT_SIZES must be whole numbers from 1 to ${MAX_SIZE}, comma-separated (got ${JSON.stringify(rawSizes)})`);
    }
    params.sizes = sizes;
  }
  // N = 1 is always measured first, as the baseline.
  params.sizes = [...new Set(params.sizes)].filter((n) => n > 1).sort((a, b) => a - b);
  for (const [name, rule] of Object.entries(numberRules) as [keyof typeof numberRules, (typeof numberRules)[keyof typeof numberRules]][]) {
    const raw = flags.get(rule.flag)?.at(-1) ?? env[rule.env];
    if (raw === undefined || raw === "") continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < rule.min || value > rule.max) {
      throw new UsageError(`bench: --${rule.flag} / ${rule.env} must be a whole number from ${rule.min} to ${rule.max} (got ${JSON.stringify(raw)})`);
    }
    params[name] = value;
  }
  return params;
}

// ------------------------------------------------------------------------------------ receiver processes

const RECEIVER_SCRIPT = join(import.meta.dir, "live-fanout-receiver.ts");
const STDERR_TAIL_CHARS = 4_000;

class ReceiverProcess {
  readonly child: Subprocess<"pipe", "pipe", "pipe">;
  readonly identities: string[] = [];
  hello: HelloAnswer | undefined;
  private answers: ReceiverAnswer[] = [];
  private waiters: { resolve: (answer: ReceiverAnswer) => void; reject: (error: Error) => void }[] = [];
  private stderrTail = "";
  private ended: Error | undefined;

  constructor(readonly index: number) {
    this.child = Bun.spawn([process.execPath, RECEIVER_SCRIPT], { stdin: "pipe", stdout: "pipe", stderr: "pipe", cwd: join(import.meta.dir, "..") });
    void this.readAnswers();
    void this.readStderr();
    void this.child.exited.then((code) => this.fail(new Error(`receiver ${this.index} (pid ${this.child.pid}) exited with code ${code}${this.stderrTail.trim() ? `\n--- its stderr ---\n${this.stderrTail.trim()}` : ""}`)));
  }

  get pid(): number {
    return this.child.pid;
  }

  send(command: ReceiverCommand): void {
    if (this.ended) throw this.ended;
    this.child.stdin.write(`${JSON.stringify(command)}\n`);
    this.child.stdin.flush();
  }

  /** The next answer, which must be of `type`. */
  async next<T extends ReceiverAnswer["type"]>(type: T, timeoutMs: number): Promise<Extract<ReceiverAnswer, { type: T }>> {
    const answer =
      this.answers.shift() ??
      (await new Promise<ReceiverAnswer>((resolve, reject) => {
        if (this.ended) return reject(this.ended);
        const timer = setTimeout(() => reject(new Error(`receiver ${this.index} (pid ${this.pid}) sent no "${type}" within ${timeoutMs} ms`)), timeoutMs);
        this.waiters.push({
          resolve: (a) => (clearTimeout(timer), resolve(a)),
          reject: (e) => (clearTimeout(timer), reject(e)),
        });
      }));
    if (answer.type !== type) throw new Error(`receiver ${this.index}: expected "${type}", got "${answer.type}"`);
    return answer as Extract<ReceiverAnswer, { type: T }>;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    try {
      this.send({ type: "leave" });
    } catch {
      // Its stdin is gone; the kill below still ends it.
    }
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 6_000);
    await this.child.exited;
    clearTimeout(timer);
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
  }

  private fail(error: Error): void {
    this.ended ??= error;
    for (const waiter of this.waiters.splice(0)) waiter.reject(this.ended);
  }

  private async readAnswers(): Promise<void> {
    const decoder = new TextDecoder();
    let buffered = "";
    for await (const chunk of this.child.stdout) {
      buffered += decoder.decode(chunk, { stream: true });
      for (let newline = buffered.indexOf("\n"); newline >= 0; newline = buffered.indexOf("\n")) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (!line.startsWith(ANSWER_PREFIX)) continue;
        const answer = JSON.parse(line.slice(ANSWER_PREFIX.length)) as ReceiverAnswer;
        const waiter = this.waiters.shift();
        if (waiter) waiter.resolve(answer);
        else this.answers.push(answer);
      }
    }
  }

  private async readStderr(): Promise<void> {
    const decoder = new TextDecoder();
    for await (const chunk of this.child.stderr) this.stderrTail = (this.stderrTail + decoder.decode(chunk, { stream: true })).slice(-STDERR_TAIL_CHARS);
  }
}

// ------------------------------------------------------------------------------------------------- CPU

/** The livekit-server that this process started (the fixture does not hand out its pid): our child running that binary. */
function liveKitPid(): number | undefined {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === process.pid && readlinkSync(`/proc/${entry}/exe`) === liveKitServerPath) return Number(entry);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return undefined;
}

interface MachineTicks {
  busy: number;
  total: number;
  steal: number;
}

/** All CPUs' ticks from /proc/stat; null off Linux. */
function machineTicks(): MachineTicks | null {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!;
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1, 9).map(Number) as number[];
    const total = user! + nice! + system! + idle! + iowait! + irq! + softirq! + steal!;
    return { busy: total - idle! - iowait!, total, steal: steal! };
  } catch {
    return null;
  }
}

interface CpuSnapshot {
  at: number;
  liveKit: number | null;
  receivers: (number | null)[];
  sender: number;
  machine: MachineTicks | null;
}

/** CPU over a span: each process as a share of one core (1 = one core busy), the machine as a share of all its cores. */
interface CpuShares {
  seconds: number;
  liveKit: number | null;
  receivers: number | null;
  /** The busiest receiver process. */
  receiverMax: number | null;
  sender: number;
  machine: number | null;
  steal: number | null;
  /** CPU seconds, for per-packet costs. */
  liveKitSeconds: number | null;
  receiverSeconds: number | null;
}

function snapshot(liveKitProcess: number | undefined, receivers: readonly ReceiverProcess[]): CpuSnapshot {
  return {
    at: performance.now(),
    liveKit: liveKitProcess === undefined ? null : processCpuSeconds(liveKitProcess),
    receivers: receivers.map((r) => processCpuSeconds(r.pid)),
    sender: ownCpuSeconds(),
    machine: machineTicks(),
  };
}

function shares(from: CpuSnapshot, to: CpuSnapshot): CpuShares {
  const seconds = (to.at - from.at) / 1000;
  const diff = (a: number | null | undefined, b: number | null | undefined) => (a === null || a === undefined || b === null || b === undefined ? null : b - a);
  const perReceiver = to.receivers.map((cpu, i) => diff(from.receivers[i], cpu));
  const receiverSeconds = perReceiver.some((s) => s === null) ? null : perReceiver.reduce<number>((sum, s) => sum + s!, 0);
  const liveKitSeconds = diff(from.liveKit, to.liveKit);
  const ticks = from.machine && to.machine ? to.machine.total - from.machine.total : 0;
  return {
    seconds,
    liveKit: liveKitSeconds === null ? null : liveKitSeconds / seconds,
    receivers: receiverSeconds === null ? null : receiverSeconds / seconds,
    receiverMax: perReceiver.some((s) => s === null) ? null : Math.max(...(perReceiver as number[])) / seconds,
    sender: (to.sender - from.sender) / seconds,
    machine: ticks > 0 ? (to.machine!.busy - from.machine!.busy) / ticks : null,
    steal: ticks > 0 ? (to.machine!.steal - from.machine!.steal) / ticks : null,
    liveKitSeconds,
    receiverSeconds,
  };
}

// ------------------------------------------------------------------------------------------------ runs

interface SizeResult {
  n: number;
  processes: number;
  joinSeconds: number;
  probeSeconds: number;
  expected: number;
  received: number;
  duplicates: number;
  unreadable: number;
  /** sendData calls that answered false (room not running) or threw. */
  sendFailures: string[];
  latency: { p50: number; p90: number; p99: number; max: number; min: number };
  /** Per message: the first and the last participant to receive it (ms after the send call started). */
  firstP50: number;
  lastP50: number;
  lastP99: number;
  /** Per message: receipts that came in before its sendData call had returned. */
  beforeReturnShare: number;
  sendCall: { p50: number; p99: number; max: number };
  idle: CpuShares;
  busy: CpuShares;
}

let liveKit: LiveKit | undefined;
const receivers: ReceiverProcess[] = [];

async function cleanUp(): Promise<void> {
  await Promise.allSettled(receivers.map((r) => r.stop()));
  await liveKit?.stop();
}

cleanUpOnInterrupt(cleanUp);

const JOIN_TIMEOUT_MS = 180_000;
const PROBE_TIMEOUT_MS = 30_000;
const PROBE_INTERVAL_MS = 250;
const QUIET_MS = 2_000;
/** After the last send, how long receipts may keep coming in before the bench counts them as lost. */
const SETTLE_MS = 1_000;
const LATE_MS = 10_000;
const TOPIC = "chat";

/** Joins participants until `n` are in the room, filling the newest receiver process before starting another. */
async function growTo(n: number, params: FanoutParams, gateway: LiveKitGateway, room: string, joined: { count: number }): Promise<number> {
  const started = performance.now();
  const batches = new Map<ReceiverProcess, { identity: string; token: string }[]>();
  while (joined.count + [...batches.values()].reduce((sum, b) => sum + b.length, 0) < n) {
    let target = receivers.at(-1);
    if (!target || target.identities.length >= params.perProcess) {
      target = new ReceiverProcess(receivers.length);
      receivers.push(target);
      target.hello = await target.next("hello", 30_000);
      noteSkew(readClocks(), target.hello.clock);
    }
    const identity = `viewer-${String(joined.count + [...batches.values()].reduce((sum, b) => sum + b.length, 0) + 1).padStart(4, "0")}`;
    const batch = batches.get(target) ?? [];
    batch.push({ identity, token: await gateway.viewerToken(room, identity, `Viewer ${identity.slice(7)}`) });
    batches.set(target, batch);
    target.identities.push(identity);
  }
  for (const [target, batch] of batches) target.send({ type: "join", url: gateway.url, participants: batch, concurrency: params.joinConcurrency });
  const answers = await Promise.all([...batches.keys()].map((target) => target.next("joined", JOIN_TIMEOUT_MS)));
  const failed = answers.flatMap((a: JoinedAnswer) => a.failed);
  if (failed.length > 0) throw new Error(`${failed.length} participant(s) could not join: ${failed.slice(0, 5).map((f) => `${f.identity}: ${f.error}`).join("; ")}`);
  joined.count = n;
  return (performance.now() - started) / 1000;
}

/** How far each receiver's wall clock (performance.timeOrigin + now()) was from the sender's, judged against CLOCK_MONOTONIC. */
const clockSkews: number[] = [];

function noteSkew(sender: ClockReading, receiver: ClockReading): void {
  if (sender.monoMs === null || receiver.monoMs === null) return;
  clockSkews.push(receiver.wallMs - receiver.monoMs - (sender.wallMs - sender.monoMs));
}

async function collect(run: string): Promise<{ receipts: Map<string, Map<number, number>>; duplicates: number; unreadable: number }> {
  const senderClock = readClocks();
  const answers = await Promise.all(
    receivers.map((r) => {
      r.send({ type: "report", run });
      return r.next("report", 30_000);
    }),
  );
  const receipts = new Map<string, Map<number, number>>();
  for (const answer of answers as ReportAnswer[]) {
    noteSkew(senderClock, answer.clock);
    for (const [identity, list] of Object.entries(answer.receipts)) receipts.set(identity, new Map(list));
  }
  return { receipts, duplicates: answers.reduce((s, a) => s + a.duplicates, 0), unreadable: answers.reduce((s, a) => s + a.unreadable, 0) };
}

function payload(run: string, id: number, sentAt: number): FanoutPayload {
  // Shaped like the app's chat line (modules/live/room.ts), about 200 bytes of JSON.
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

async function measure(n: number, params: FanoutParams, gateway: LiveKitGateway, room: string, liveKitProcess: number | undefined, joinSeconds: number): Promise<SizeResult> {
  const probeSeconds = await waitUntilReachable(gateway, room, n);
  await Bun.sleep(500); // the last probes' stragglers
  const run = `run-${n}`;

  const quietFrom = snapshot(liveKitProcess, receivers);
  await Bun.sleep(QUIET_MS);
  const idle = shares(quietFrom, snapshot(liveKitProcess, receivers));

  const sends: { sentAt: number; returnedAt: number; ok: boolean; error?: string }[] = [];
  const calls: Promise<void>[] = [];
  const busyFrom = snapshot(liveKitProcess, receivers);
  const t0 = performance.now();
  for (let id = 0; id < params.messages; id++) {
    const wait = t0 + id * params.interval - performance.now();
    if (wait > 0) await Bun.sleep(wait);
    const sentAt = wallNow();
    const record: (typeof sends)[number] = { sentAt, returnedAt: Number.NaN, ok: false };
    sends[id] = record;
    calls.push(
      gateway.sendData(room, TOPIC, payload(run, id, sentAt)).then(
        (result: unknown) => {
          record.returnedAt = wallNow();
          // The gateway answers false when the room is not running (older versions answer nothing).
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
  const busy = shares(busyFrom, snapshot(liveKitProcess, receivers));
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

  const latencies: number[] = [];
  const firsts: number[] = [];
  const lasts: number[] = [];
  let beforeReturn = 0;
  for (let id = 0; id < params.messages; id++) {
    const send = sends[id]!;
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    for (const receipts of all.values()) {
      const at = receipts.get(id);
      if (at === undefined) continue;
      latencies.push(at - send.sentAt);
      if (at < send.returnedAt) beforeReturn++;
      first = Math.min(first, at - send.sentAt);
      last = Math.max(last, at - send.sentAt);
    }
    if (Number.isFinite(first)) {
      firsts.push(first);
      lasts.push(last);
    }
  }
  const sorted = (values: number[]) => Float64Array.from(values).sort();
  const lat = sorted(latencies);
  const callDurations = sorted(sends.map((s) => s.returnedAt - s.sentAt));
  const firstSorted = sorted(firsts);
  const lastSorted = sorted(lasts);
  return {
    n,
    processes: receivers.length,
    joinSeconds,
    probeSeconds,
    expected,
    received: latencies.length,
    duplicates,
    unreadable,
    sendFailures: sends.filter((s) => !s.ok).map((s) => s.error ?? "failed"),
    latency: { p50: percentile(lat, 50), p90: percentile(lat, 90), p99: percentile(lat, 99), max: percentile(lat, 100), min: percentile(lat, 0) },
    firstP50: percentile(firstSorted, 50),
    lastP50: percentile(lastSorted, 50),
    lastP99: percentile(lastSorted, 99),
    beforeReturnShare: latencies.length ? beforeReturn / latencies.length : Number.NaN,
    sendCall: { p50: percentile(callDurations, 50), p99: percentile(callDurations, 99), max: percentile(callDurations, 100) },
    idle,
    busy,
  };
}

// ---------------------------------------------------------------------------------------------- report

const ms = (n: number) => fixed(n, 1);
const cores = (share: number | null) => percent(share);

function resultTable(results: SizeResult[]): string[] {
  const base = results[0]!;
  const header = ["N", "procs", "p50 ms", "p99 ms", "max ms", "p50 ÷ N=1", "delivered", "sendData p50", "sendData p99", "1st rcv p50", "last rcv p50", "LiveKit CPU", "receivers CPU", "sender CPU", "machine busy"];
  const rows = results.map((r) => [
    String(r.n),
    String(r.processes),
    ms(r.latency.p50),
    ms(r.latency.p99),
    ms(r.latency.max),
    `${fixed(r.latency.p50 / base.latency.p50, 2)}×`,
    `${percent(r.received / r.expected)}${r.received === r.expected ? "" : ` (${r.received}/${r.expected})`}`,
    ms(r.sendCall.p50),
    ms(r.sendCall.p99),
    ms(r.firstP50),
    ms(r.lastP50),
    cores(r.busy.liveKit),
    `${cores(r.busy.receivers)} (max ${cores(r.busy.receiverMax)})`,
    cores(r.busy.sender),
    percent(r.busy.machine),
  ]);
  return table([header, ...rows], 0);
}

function idleTable(results: SizeResult[]): string[] {
  const header = ["N", "LiveKit CPU idle", "receivers CPU idle", "machine busy idle", "join s", "probe s"];
  return table([header, ...results.map((r) => [String(r.n), cores(r.idle.liveKit), cores(r.idle.receivers), percent(r.idle.machine), fixed(r.joinSeconds, 1), fixed(r.probeSeconds, 1)])], 0);
}

/** CPU milliseconds per delivered packet on one side, over what that side costs idle. */
function perDelivery(busySeconds: number | null, idleShare: number | null, span: number, deliveries: number): number | null {
  if (busySeconds === null || idleShare === null || deliveries === 0) return null;
  return ((busySeconds - idleShare * span) * 1000) / deliveries;
}

function limitLines(results: SizeResult[], params: FanoutParams): string[] {
  const cpus = availableParallelism();
  const base = results[0]!;
  const top = results.at(-1)!;
  const lines: string[] = ["where the limit came from:"];
  for (const r of results) {
    const deliveries = r.received;
    const lk = perDelivery(r.busy.liveKitSeconds, r.idle.liveKit, r.busy.seconds, deliveries);
    const rc = perDelivery(r.busy.receiverSeconds, r.idle.receivers, r.busy.seconds, deliveries);
    const machineCores = r.busy.machine === null ? null : r.busy.machine * cpus;
    const accounted = (r.busy.liveKit ?? 0) + (r.busy.receivers ?? 0) + r.busy.sender;
    lines.push(
      `  N=${r.n}: ${deliveries} deliveries in ${fixed(r.busy.seconds, 1)} s; machine ${fixed(machineCores, 2)} of ${cpus} cores busy` +
        ` (LiveKit ${fixed(r.busy.liveKit, 2)}, receivers ${fixed(r.busy.receivers, 2)}, sender ${fixed(r.busy.sender, 2)}, anything else ${fixed(machineCores === null ? null : machineCores - accounted, 2)}` +
        `${r.busy.steal !== null && r.busy.steal > 0.01 ? `, stolen by the hypervisor ${percent(r.busy.steal)}` : ""}); ` +
        `CPU per delivery above idle: LiveKit ${fixed(lk, 3)} ms, receivers ${fixed(rc, 3)} ms; ` +
        `per message the last participant got it ${ms(r.lastP50 - r.firstP50)} ms after the first (p50)`,
    );
  }

  const saturated = results.filter((r) => r.busy.machine !== null && r.busy.machine >= 0.85);
  const growth = top.latency.p50 / base.latency.p50;
  const spread = top.lastP50 - top.firstP50;
  const firstGrowth = top.firstP50 - base.firstP50;
  lines.push("");
  if (saturated.length > 0) {
    const r = saturated[0]!;
    const consumers = [
      ["LiveKit", r.busy.liveKit ?? 0],
      ["the receivers", r.busy.receivers ?? 0],
      ["the sender", r.busy.sender],
    ] as const;
    const [name, share] = [...consumers].sort((a, b) => b[1] - a[1])[0]!;
    lines.push(
      `  verdict: from N=${r.n} the ${cpus} cores were ${percent(r.busy.machine)} busy during the sends, so the shared CPU was the limit; ` +
        `${name} used the most (${fixed(share, 2)} cores). Latency then includes waiting for a core.`,
    );
  } else {
    lines.push(`  verdict: the machine never ran out of CPU during the sends (at most ${percent(Math.max(...results.map((r) => r.busy.machine ?? 0)))} of ${cpus} cores busy at ${params.interval} ms between messages);`);
    lines.push(`  latency is per-message work, not a queue: at N=${top.n} p50 is ${fixed(growth, 2)}× N=1's, of which the first receipt moved ${ms(firstGrowth)} ms and the spread first → last receiver is ${ms(spread)} ms.`);
  }
  const liveKitBound = top.busy.liveKit !== null && top.busy.receivers !== null && top.busy.liveKit > top.busy.receivers;
  lines.push(
    `  at N=${top.n}, ${liveKitBound ? "LiveKit" : "the receivers"} did most of the work (LiveKit ${fixed(top.busy.liveKit, 2)} cores, receivers ${fixed(top.busy.receivers, 2)} over ${top.processes} processes, busiest one ${fixed(top.busy.receiverMax, 2)}).`,
  );
  const lkCost = perDelivery(top.busy.liveKitSeconds, top.idle.liveKit, top.busy.seconds, top.received);
  if (lkCost !== null && lkCost > 0) {
    lines.push(
      `  LiveKit's CPU per delivery at N=${top.n} (${fixed(lkCost, 3)} ms) puts one core's worth of fan-out at about ${fixed(1000 / lkCost, 0)} deliveries/s` +
        ` — e.g. ${fixed(1000 / lkCost / top.n, 0)} messages/s to a room of ${top.n} — on this machine, before receivers share the cores.`,
    );
  }
  if (top.beforeReturnShare > 0.5) {
    lines.push(`  ${percent(top.beforeReturnShare)} of receipts at N=${top.n} arrived before the sendData call had returned: LiveKit forwards while the API call is still open.`);
  }
  return lines;
}

function clockLines(): string[] {
  if (clockSkews.length === 0) return ["clock check: CLOCK_MONOTONIC could not be read here, so the receivers' clocks were not compared with the sender's."];
  const worst = Math.max(...clockSkews.map(Math.abs));
  return [
    `clock check: a receiver's performance.timeOrigin + now() differed from the sender's by at most ${fixed(worst * 1000, 0)} µs ` +
      `(${clockSkews.length} readings against CLOCK_MONOTONIC over the run): the most that timestamps from two processes add to a latency.`,
  ];
}

// ------------------------------------------------------------------------------------------------ main

const seconds = (started: number) => (performance.now() - started) / 1000;

async function main(): Promise<number> {
  const params = readParams(process.argv.slice(2), process.env);
  const sizes = [1, ...params.sizes];
  for (const line of machineLines()) console.log(line);
  console.log(
    `fan-out: N = ${sizes.join(", ")} participants (N = 1 is the baseline); ${params.messages} messages per N, one sendData every ${params.interval} ms; ` +
      `≤ ${params.perProcess} participants per receiver process, ${params.joinConcurrency} joining at once in each`,
  );

  let started = performance.now();
  liveKit = await startLiveKit({ logLevel: "warn" });
  const liveKitProcess = liveKitPid();
  console.log(`LiveKit: ${liveKit.url} (livekit-server --dev, pid ${liveKitProcess ?? "unknown: no CPU figures for it"}), started in ${fixed(seconds(started), 1)} s`);

  const gateway = createLiveKitGateway({ url: liveKit.url, apiKey: liveKit.apiKey, apiSecret: liveKit.apiSecret });
  const room = `bench-fanout-${process.pid}`;
  await gateway.ensureRoom(room, { emptyTimeoutSec: 600 });

  const joined = { count: 0 };
  const results: SizeResult[] = [];
  for (const n of sizes) {
    started = performance.now();
    const joinSeconds = await growTo(n, params, gateway, room, joined);
    const result = await measure(n, params, gateway, room, liveKitProcess, joinSeconds);
    results.push(result);
    console.error(
      `N=${n}: joined in ${fixed(joinSeconds, 1)} s (${receivers.length} receiver processes); p50 ${ms(result.latency.p50)} ms, p99 ${ms(result.latency.p99)} ms, ` +
        `delivered ${result.received}/${result.expected}; ${fixed(seconds(started), 1)} s in all`,
    );
  }

  console.log("");
  for (const line of resultTable(results)) console.log(line);
  console.log("");
  console.log(
    "latency = receive time in a participant − start of the sendData call (a room look-up, then LiveKit's SendData), over every (message × participant) pair; " +
      "1st/last rcv = per message, the first and the last participant to get it. CPU is over the sends' span, as a share of one core (machine: of all cores).",
  );
  console.log("");
  console.log("idle cost (the quiet spell before the sends) and setup (untimed):");
  for (const line of idleTable(results)) console.log(`  ${line}`);
  console.log("");
  for (const line of limitLines(results, params)) console.log(line);
  console.log("");
  for (const line of clockLines()) console.log(line);
  console.log(`load average after the run: ${loadavg().map((n) => n.toFixed(2)).join(" ")}`);

  const failures: string[] = [];
  for (const r of results) {
    if (r.received < r.expected) failures.push(`N=${r.n}: ${r.expected - r.received} of ${r.expected} packets not delivered within ${(SETTLE_MS + LATE_MS) / 1000} s of the last send`);
    if (r.sendFailures.length > 0) failures.push(`N=${r.n}: ${r.sendFailures.length} sendData calls failed (${r.sendFailures[0]})`);
    if (r.duplicates > 0 || r.unreadable > 0) failures.push(`N=${r.n}: ${r.duplicates} duplicate and ${r.unreadable} unreadable packets`);
  }
  if (failures.length > 0) {
    console.error(`bench: FAILED — ${failures.join("; ")}`);
    return 1;
  }
  return 0;
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (error) {
  if (interruptedBy() === undefined) console.error(error instanceof Error ? error.message : String(error));
  exitCode = error instanceof UsageError ? 2 : 1;
} finally {
  await cleanUp();
}
process.exit(interruptedBy() ?? exitCode);
