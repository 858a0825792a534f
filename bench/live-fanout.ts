// `npm run bench:live-fanout`: how long a room message takes from the server's sendData to N subscribed
// participants, on this machine, for N = 1 (the baseline), 10, 50 and 200, and what limits it.
//
//   npm run bench:live-fanout -- --sizes 10,50,200 --messages 30 --interval 200 --per-process 40
//   BENCH_FANOUT_SIZES=… BENCH_FANOUT_MESSAGES=… BENCH_FANOUT_INTERVAL_MS=… BENCH_FANOUT_PER_PROCESS=… npm run bench:live-fanout
//   --join-concurrency 4       participants connecting at once in each receiver process
//   --ice-servers local        the viewers' STUN server: `local` (bench/live-fanout-stun.ts) or `livekit`
//                              (what LiveKit hands out: Google's, by host name; see that file for why not)
//
// 1. Starts a real LiveKit (livekit-server --dev on loopback, as the tests do: tests/fixtures/livekit.ts)
//    and creates one room through the app's gateway (modules/live/livekit.ts).
// 2. Viewers: `@livekit/rtc-node` participants with the gateway's viewer tokens, spread over receiver
//    processes of at most --per-process participants each (bench/live-fanout-receiver.ts), none of them
//    this process. They join in steps — 1, then up to 10, 50, 200 — and stay for the larger sizes.
// 3. For each N, untimed: waits until the receivers' CPU stops falling after the joins, sends probe
//    packets until every participant has received one (its data channel is up), then measures a quiet
//    spell (and another after the sends): what N idle participants cost, the quieter of the two.
// 4. Timed: this process (the sender) calls the gateway's sendData — the server-API path the app's
//    broadcasts take — --messages times, one every --interval ms on a fixed schedule (a slow call does
//    not delay the next), with a message id and the send time in a chat-line-like payload. Latency =
//    receive time in a participant − the start of the sendData call, both on performance.timeOrigin +
//    performance.now() (one machine, one clock: checked against CLOCK_MONOTONIC below). CPU time and
//    run-queue wait of LiveKit, the receivers and the sender, and the whole machine's CPU, are read over
//    the same span.
// Exits 1 when any packet was not delivered (they are sent reliably, so 100% is expected), 2 on a bad
// argument. Ctrl-C stops LiveKit and every receiver; a receiver also exits by itself when this process
// goes away (its stdin closes).
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
  type ReceiverAnswer,
  type ReceiverCommand,
} from "./live-fanout-protocol.ts";
import { startStunServer, type StunServer } from "./live-fanout-stun.ts";
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
  /** The viewers' STUN server: the bench's own on loopback, or the ones LiveKit hands out. */
  iceServers: "local" | "livekit";
}

const defaults: FanoutParams = { sizes: [10, 50, 200], messages: 30, interval: 200, perProcess: 40, joinConcurrency: 4, iceServers: "local" };
type NumberParam = "messages" | "interval" | "perProcess" | "joinConcurrency";
const numberRules: Record<NumberParam, { flag: string; env: string; min: number; max: number }> = {
  messages: { flag: "messages", env: "BENCH_FANOUT_MESSAGES", min: 1, max: 10_000 },
  interval: { flag: "interval", env: "BENCH_FANOUT_INTERVAL_MS", min: 1, max: 60_000 },
  perProcess: { flag: "per-process", env: "BENCH_FANOUT_PER_PROCESS", min: 1, max: 1_000 },
  joinConcurrency: { flag: "join-concurrency", env: "BENCH_FANOUT_JOIN_CONCURRENCY", min: 1, max: 100 },
};
const MAX_SIZE = 2_000;

function readParams(argv: readonly string[], env: Record<string, string | undefined>): FanoutParams {
  const flags = readFlags(argv, ["sizes", "ice-servers", ...Object.values(numberRules).map((rule) => rule.flag)]);
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
  for (const name of Object.keys(numberRules) as NumberParam[]) {
    const rule = numberRules[name];
    const raw = flags.get(rule.flag)?.at(-1) ?? env[rule.env];
    if (raw === undefined || raw === "") continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < rule.min || value > rule.max) {
      throw new UsageError(`bench: --${rule.flag} / ${rule.env} must be a whole number from ${rule.min} to ${rule.max} (got ${JSON.stringify(raw)})`);
    }
    params[name] = value;
  }
  const ice = flags.get("ice-servers")?.at(-1) ?? env.BENCH_FANOUT_ICE_SERVERS;
  if (ice !== undefined && ice !== "") {
    if (ice !== "local" && ice !== "livekit") throw new UsageError(`bench: --ice-servers / BENCH_FANOUT_ICE_SERVERS must be "local" or "livekit" (got ${JSON.stringify(ice)})`);
    params.iceServers = ice;
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
        const timer = setTimeout(() => reject(new Error(`receiver ${this.index} (pid ${this.pid}) sent no "${type}" within ${timeoutMs / 1000} s`)), timeoutMs);
        this.waiters.push({
          resolve: (a) => (clearTimeout(timer), resolve(a)),
          reject: (e) => (clearTimeout(timer), reject(e)),
        });
      }));
    if (answer.type !== type) throw new Error(`receiver ${this.index}: expected "${type}", got "${answer.type}"`);
    return answer as Extract<ReceiverAnswer, { type: T }>;
  }

  /** Asks it to leave the room and exit; kills it if it has not within 6 s. */
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

/** The livekit-server this process started (the fixture does not hand out its pid): our child running that binary. */
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

/**
 * Seconds the threads of `pid` have spent runnable but waiting for a CPU (the second field of each
 * thread's /proc/…/schedstat); null where the kernel does not keep it. Threads that have exited no longer count.
 */
function runQueueWaitSeconds(pid: number): number | null {
  try {
    let ns = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[1]);
      } catch {
        // The thread exited meanwhile.
      }
    }
    return Number.isFinite(ns) ? ns / 1e9 : null;
  } catch {
    return null;
  }
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
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = user + nice + system + idle + iowait + irq + softirq + steal;
    return { busy: total - idle - iowait, total, steal };
  } catch {
    return null;
  }
}

interface Usage {
  cpu: number | null;
  wait: number | null;
}

interface Snapshot {
  at: number;
  liveKit: Usage;
  receivers: Usage[];
  sender: Usage;
  machine: MachineTicks | null;
}

/** A process (or the receivers together) over a span: seconds, and shares of one core (1 = one core busy). */
interface SpanUsage {
  cpuSeconds: number | null;
  cpu: number | null;
  /** Runnable but waiting for a CPU, as a share of the span (1 = one thread waiting all the time). */
  wait: number | null;
}

interface Span {
  seconds: number;
  liveKit: SpanUsage;
  receivers: SpanUsage & { busiest: number | null };
  sender: SpanUsage;
  /** Busy share of all the machine's CPUs, and of it what the hypervisor took. */
  machine: number | null;
  steal: number | null;
  /** Cores busy with anything but LiveKit, the receivers and the sender: other work on the machine. */
  other: number | null;
}

function snapshot(liveKitProcess: number | undefined, receivers: readonly ReceiverProcess[]): Snapshot {
  const usage = (pid: number): Usage => ({ cpu: processCpuSeconds(pid), wait: runQueueWaitSeconds(pid) });
  return {
    at: performance.now(),
    liveKit: liveKitProcess === undefined ? { cpu: null, wait: null } : usage(liveKitProcess),
    receivers: receivers.map((r) => usage(r.pid)),
    sender: { cpu: ownCpuSeconds(), wait: runQueueWaitSeconds(process.pid) },
    machine: machineTicks(),
  };
}

function span(from: Snapshot, to: Snapshot): Span {
  const seconds = (to.at - from.at) / 1000;
  const diff = (a: number | null | undefined, b: number | null | undefined) => (a === null || a === undefined || b === null || b === undefined ? null : b - a);
  const sum = (values: (number | null)[]) => (values.length === 0 || values.some((v) => v === null) ? null : values.reduce<number>((s, v) => s + v!, 0));
  // A thread that exits takes its run-queue wait with it, so a span in which threads came and went can
  // show a negative total: unmeasurable, not zero.
  const waitShare = (wait: number | null) => (wait === null || wait < 0 ? null : wait / seconds);
  const of = (a: Usage, b: Usage): SpanUsage => {
    const cpuSeconds = diff(a.cpu, b.cpu);
    return { cpuSeconds, cpu: cpuSeconds === null ? null : cpuSeconds / seconds, wait: waitShare(diff(a.wait, b.wait)) };
  };
  // Receivers started after `from` (none are: snapshots are taken once all have joined) would be skipped.
  const receiverCpu = to.receivers.map((usage, i) => diff(from.receivers[i]?.cpu, usage.cpu));
  const receiverWait = to.receivers.map((usage, i) => diff(from.receivers[i]?.wait, usage.wait));
  const receiverSeconds = sum(receiverCpu);
  const ticks = from.machine && to.machine ? to.machine.total - from.machine.total : 0;
  const machine = ticks > 0 ? (to.machine!.busy - from.machine!.busy) / ticks : null;
  const liveKit = of(from.liveKit, to.liveKit);
  const sender = of(from.sender, to.sender);
  const receivers = {
    cpuSeconds: receiverSeconds,
    cpu: receiverSeconds === null ? null : receiverSeconds / seconds,
    wait: waitShare(sum(receiverWait)),
    busiest: receiverCpu.some((s) => s === null) ? null : Math.max(...(receiverCpu as number[])) / seconds,
  };
  const accounted = (liveKit.cpu ?? 0) + (receivers.cpu ?? 0) + (sender.cpu ?? 0);
  return {
    seconds,
    liveKit,
    receivers,
    sender,
    machine,
    steal: ticks > 0 ? (to.machine!.steal - from.machine!.steal) / ticks : null,
    other: machine === null ? null : Math.max(0, machine * availableParallelism() - accounted),
  };
}

/** Of two spans, each side's quieter one (lower CPU): LiveKit, the receivers, the sender and the machine separately. */
function quieter(a: Span, b: Span): Span {
  const lower = <T extends SpanUsage>(x: T, y: T): T => ((y.cpu ?? Number.POSITIVE_INFINITY) < (x.cpu ?? Number.POSITIVE_INFINITY) ? y : x);
  const machine = (b.machine ?? Number.POSITIVE_INFINITY) < (a.machine ?? Number.POSITIVE_INFINITY) ? b : a;
  return { ...machine, liveKit: lower(a.liveKit, b.liveKit), receivers: lower(a.receivers, b.receivers), sender: lower(a.sender, b.sender) };
}

// ------------------------------------------------------------------------------------------------ runs

interface SizeResult {
  n: number;
  processes: number;
  joinSeconds: number;
  settleSeconds: number;
  probeSeconds: number;
  expected: number;
  received: number;
  duplicates: number;
  unreadable: number;
  /** sendData calls that answered false (room not running) or threw. */
  sendFailures: string[];
  latency: { p50: number; p90: number; p99: number; max: number };
  /** Per message, ms after its sendData call started: the first and the last participant to receive it. */
  firstP50: number;
  lastP50: number;
  /** Per message: how long after the first receiver process got it the last one got it (p50 over messages). */
  crossProcessP50: number;
  /** Per message: the widest first-to-last spread inside one receiver process (p50 over messages). */
  inProcessP50: number;
  /** Receipts that came in before their sendData call had returned. */
  beforeReturnShare: number;
  sendCall: { p50: number; p99: number; max: number };
  idle: Span;
  busy: Span;
}

let liveKit: LiveKit | undefined;
let stun: StunServer | undefined;
const receivers: ReceiverProcess[] = [];

async function cleanUp(): Promise<void> {
  await Promise.allSettled(receivers.map((r) => r.stop()));
  await liveKit?.stop();
  stun?.close();
  stun = undefined;
}

cleanUpOnInterrupt(cleanUp);

const JOIN_TIMEOUT_MS = 180_000;
const PROBE_TIMEOUT_MS = 30_000;
const PROBE_INTERVAL_MS = 250;
/** After the joins, the receivers' CPU is sampled this often until it stops falling (at most SETTLE_MAX_MS). */
const SETTLE_SAMPLE_MS = 1_000;
const SETTLE_MIN_MS = 3_000;
const SETTLE_MAX_MS = 12_000;
/** Idle is measured over a quiet spell before the sends and one after them, and the quieter of the two is kept. */
const QUIET_MS = 2_000;
/** After the last send, how long receipts may keep coming in before the bench counts them as lost. */
const SETTLE_MS = 1_000;
const LATE_MS = 10_000;
const TOPIC = "chat";

/** Joins participants until `n` are in the room, filling the newest receiver process before starting another. */
async function growTo(n: number, params: FanoutParams, gateway: LiveKitGateway, room: string, iceServers: string[] | undefined): Promise<number> {
  const started = performance.now();
  const batches = new Map<ReceiverProcess, { identity: string; token: string }[]>();
  let count = receivers.reduce((sum, r) => sum + r.identities.length, 0);
  while (count < n) {
    let target = receivers.at(-1);
    if (!target || target.identities.length >= params.perProcess) {
      target = new ReceiverProcess(receivers.length);
      receivers.push(target);
      target.hello = await target.next("hello", 30_000);
      noteSkew(readClocks(), target.hello.clock);
    }
    const identity = `viewer-${String(++count).padStart(4, "0")}`;
    const batch = batches.get(target) ?? [];
    batch.push({ identity, token: await gateway.viewerToken(room, identity, `Viewer ${count}`) });
    batches.set(target, batch);
    target.identities.push(identity);
  }
  for (const [target, batch] of batches) {
    target.send({ type: "join", url: gateway.url, participants: batch, concurrency: params.joinConcurrency, ...(iceServers ? { iceServers } : {}) });
  }
  const answers = await Promise.all([...batches.keys()].map((target) => target.next("joined", JOIN_TIMEOUT_MS)));
  const failed = answers.flatMap((a) => a.failed);
  if (failed.length > 0) throw new Error(`${failed.length} participant(s) could not join: ${failed.slice(0, 5).map((f) => `${f.identity}: ${f.error}`).join("; ")}`);
  return (performance.now() - started) / 1000;
}

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

/** How far each receiver's wall clock (performance.timeOrigin + now()) was from the sender's, judged against CLOCK_MONOTONIC. */
const clockSkews: { skew: number; uncertainty: number }[] = [];

function noteSkew(sender: ClockReading, receiver: ClockReading): void {
  if (sender.monoMs === null || receiver.monoMs === null) return;
  clockSkews.push({ skew: receiver.wallMs - receiver.monoMs - (sender.wallMs - sender.monoMs), uncertainty: (sender.bracketMs! + receiver.bracketMs!) / 2 });
}

interface Collected {
  /** identity → message id → receive time */
  receipts: Map<string, Map<number, number>>;
  duplicates: number;
  unreadable: number;
}

async function collect(run: string): Promise<Collected> {
  const senderClock = readClocks();
  const answers = await Promise.all(
    receivers.map((r) => {
      r.send({ type: "report", run });
      return r.next("report", 30_000);
    }),
  );
  const receipts = new Map<string, Map<number, number>>();
  for (const answer of answers) {
    noteSkew(senderClock, answer.clock);
    for (const [identity, list] of Object.entries(answer.receipts)) receipts.set(identity, new Map(list));
  }
  return { receipts, duplicates: answers.reduce((s, a) => s + a.duplicates, 0), unreadable: answers.reduce((s, a) => s + a.unreadable, 0) };
}

function payload(run: string, id: number, sentAt: number): FanoutPayload {
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

const sortedOf = (values: number[]) => Float64Array.from(values).sort();

async function measure(n: number, params: FanoutParams, gateway: LiveKitGateway, room: string, liveKitProcess: number | undefined, joinSeconds: number): Promise<SizeResult> {
  const settleSeconds = await settle(liveKitProcess);
  const probeSeconds = await waitUntilReachable(gateway, room, n);
  await Bun.sleep(500); // the last probes' stragglers
  const run = `run-${n}`;

  const quietFrom = snapshot(liveKitProcess, receivers);
  await Bun.sleep(QUIET_MS);
  const idleBefore = span(quietFrom, snapshot(liveKitProcess, receivers));

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

  const latencies: number[] = [];
  const firsts: number[] = [];
  const lasts: number[] = [];
  const crossProcess: number[] = [];
  const inProcess: number[] = [];
  let beforeReturn = 0;
  for (let id = 0; id < params.messages; id++) {
    const send = sends[id]!;
    const perProcess: { first: number; last: number }[] = [];
    for (const receiver of receivers) {
      let first = Number.POSITIVE_INFINITY;
      let last = Number.NEGATIVE_INFINITY;
      for (const identity of receiver.identities) {
        const at = all.get(identity)?.get(id);
        if (at === undefined) continue;
        const latency = at - send.sentAt;
        latencies.push(latency);
        if (at < send.returnedAt) beforeReturn++;
        first = Math.min(first, latency);
        last = Math.max(last, latency);
      }
      if (Number.isFinite(first)) perProcess.push({ first, last });
    }
    if (perProcess.length === 0) continue;
    firsts.push(Math.min(...perProcess.map((p) => p.first)));
    lasts.push(Math.max(...perProcess.map((p) => p.last)));
    crossProcess.push(Math.max(...perProcess.map((p) => p.first)) - Math.min(...perProcess.map((p) => p.first)));
    inProcess.push(Math.max(...perProcess.map((p) => p.last - p.first)));
  }
  const lat = sortedOf(latencies);
  const callDurations = sortedOf(sends.map((s) => s.returnedAt - s.sentAt));
  return {
    n,
    processes: receivers.length,
    joinSeconds,
    settleSeconds,
    probeSeconds,
    expected,
    received: latencies.length,
    duplicates,
    unreadable,
    sendFailures: sends.filter((s) => !s.ok).map((s) => s.error ?? "failed"),
    latency: { p50: percentile(lat, 50), p90: percentile(lat, 90), p99: percentile(lat, 99), max: percentile(lat, 100) },
    firstP50: percentile(sortedOf(firsts), 50),
    lastP50: percentile(sortedOf(lasts), 50),
    crossProcessP50: percentile(sortedOf(crossProcess), 50),
    inProcessP50: percentile(sortedOf(inProcess), 50),
    beforeReturnShare: latencies.length ? beforeReturn / latencies.length : Number.NaN,
    sendCall: { p50: percentile(callDurations, 50), p99: percentile(callDurations, 99), max: percentile(callDurations, 100) },
    idle,
    busy,
  };
}

// ---------------------------------------------------------------------------------------------- report

const ms = (n: number) => fixed(n, 1);
/** A share of one core as a number of cores, e.g. 0.63. */
const coresOf = (share: number | null) => fixed(share, 2);

function resultTable(results: SizeResult[]): string[] {
  const base = results[0]!;
  const header = ["N", "procs", "p50 ms", "p99 ms", "max ms", "p50 ÷ N=1", "delivered", "sendData p50", "sendData p99", "LiveKit CPU", "receivers CPU", "sender CPU", "other CPU", "machine busy"];
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
    coresOf(r.busy.liveKit.cpu),
    coresOf(r.busy.receivers.cpu),
    coresOf(r.busy.sender.cpu),
    coresOf(r.busy.other),
    percent(r.busy.machine),
  ]);
  return table([header, ...rows], 0);
}

function anatomyTable(results: SizeResult[]): string[] {
  const header = ["N", "1st rcv p50", "last rcv p50", "spread", "across procs", "in one proc", "rcvd before call returned", "LiveKit wait", "receivers wait", "sender wait", "LiveKit ms/dlv", "receivers ms/dlv"];
  const rows = results.map((r) => [
    String(r.n),
    ms(r.firstP50),
    ms(r.lastP50),
    ms(r.lastP50 - r.firstP50),
    r.processes > 1 ? ms(r.crossProcessP50) : "–",
    ms(r.inProcessP50),
    percent(r.beforeReturnShare),
    coresOf(r.busy.liveKit.wait),
    coresOf(r.busy.receivers.wait),
    coresOf(r.busy.sender.wait),
    fixed(perDelivery(r.busy.liveKit, r.idle.liveKit, r.busy.seconds, r.received), 3),
    fixed(perDelivery(r.busy.receivers, r.idle.receivers, r.busy.seconds, r.received), 3),
  ]);
  return table([header, ...rows], 0);
}

function setupTable(results: SizeResult[]): string[] {
  const header = ["N", "procs", "join s", "settle s", "probe s", "LiveKit CPU idle", "receivers CPU idle", "other CPU idle", "machine busy idle"];
  const rows = results.map((r) => [
    String(r.n),
    String(r.processes),
    fixed(r.joinSeconds, 1),
    fixed(r.settleSeconds, 1),
    fixed(r.probeSeconds, 1),
    coresOf(r.idle.liveKit.cpu),
    coresOf(r.idle.receivers.cpu),
    coresOf(r.idle.other),
    percent(r.idle.machine),
  ]);
  return table([header, ...rows], 0);
}

/** Below this much CPU time above idle, a per-delivery cost is mostly the 10 ms tick of /proc/…/stat. */
const MIN_MEASURABLE_CPU_SECONDS = 0.1;
/** Below this many deliveries, a per-delivery cost is mostly the process's own fixed costs (timers, GC). */
const MIN_DELIVERIES_FOR_COST = 100;

/** CPU milliseconds per delivered packet on one side, above what that side costs idle; null when too little to measure. */
function perDelivery(busy: SpanUsage, idle: SpanUsage, seconds: number, deliveries: number): number | null {
  if (busy.cpuSeconds === null || idle.cpu === null || deliveries < MIN_DELIVERIES_FOR_COST) return null;
  const above = busy.cpuSeconds - idle.cpu * seconds;
  return above < MIN_MEASURABLE_CPU_SECONDS ? null : (above * 1000) / deliveries;
}

function limitLines(results: SizeResult[], params: FanoutParams): string[] {
  const cpus = availableParallelism();
  const base = results[0]!;
  const top = results.at(-1)!;
  const perProcess = Math.ceil(top.n / top.processes);
  const lines: string[] = ["where the limit came from:"];
  const ratio = (wait: number | null, cpu: number | null) => (wait === null || cpu === null || cpu <= 0 ? null : wait / cpu);

  // Other work on the machine: it takes cores from everything measured here.
  const other = Math.max(...results.map((r) => r.busy.other ?? 0));
  if (other >= 0.25) {
    lines.push(
      `  - the machine was shared: other processes kept up to ${fixed(other, 2)} of its ${cpus} cores busy during the sends ` +
        `(per N: ${results.map((r) => `${r.n}: ${coresOf(r.busy.other)}`).join(", ")}). Every figure here is slower than on an idle machine, p99 most of all.`,
    );
  }

  // The shape of the growth: the first hop, or reaching everyone.
  const spreadTop = top.lastP50 - top.firstP50;
  const firstGrowth = top.firstP50 - base.firstP50;
  lines.push(
    `  - at N=${top.n} the p50 is ${fixed(top.latency.p50 / base.latency.p50, 2)}× N=1's (${ms(top.latency.p50)} vs ${ms(base.latency.p50)} ms). Per message the first participant has it after ${ms(top.firstP50)} ms ` +
      `(N=1: ${ms(base.firstP50)}), the last after ${ms(top.lastP50)}: ${spreadTop > firstGrowth ? `most of the growth is the ${ms(spreadTop)} ms from the first participant to the last, not the first hop (+${ms(firstGrowth)} ms)` : `the first hop grew most (+${ms(firstGrowth)} ms; first to last ${ms(spreadTop)} ms)`}.`,
  );

  // LiveKit: its SendData handler fans out before it answers.
  const lkCost = perDelivery(top.busy.liveKit, top.idle.liveKit, top.busy.seconds, top.received);
  lines.push(
    `  - LiveKit answers SendData once it has queued the packet on every participant's data channel (RoomManager.SendData → BroadcastDataPacketForRoom, spread over GOMAXPROCS goroutines), ` +
      `so the call grows with N: sendData p50 ${ms(base.sendCall.p50)} ms at N=1, ${ms(top.sendCall.p50)} ms at N=${top.n} (the gateway's room look-up included); ${percent(top.beforeReturnShare)} of N=${top.n}'s receipts arrived before it returned. ` +
      `LiveKit used ${coresOf(top.busy.liveKit.cpu)} cores during N=${top.n}'s sends` +
      (lkCost === null
        ? "."
        : `, ${fixed(lkCost, 3)} ms of CPU per delivery above idle: one core of it would fan out about ${fixed(1000 / lkCost, 0)} deliveries/s, ${fixed(1000 / lkCost / top.n, 0)} messages/s to a room of ${top.n} (here: ${fixed(1000 / params.interval, 0)}/s).`),
  );

  // The receivers: is the spread inside the processes or between them?
  const rcCost = perDelivery(top.busy.receivers, top.idle.receivers, top.busy.seconds, top.received);
  let receiverSide = false;
  if (top.processes > 1) {
    receiverSide = top.inProcessP50 >= 2 * top.crossProcessP50;
    lines.push(
      `  - per message at N=${top.n}, the ${top.processes} receiver processes got their first copies within ${ms(top.crossProcessP50)} ms of one another, while inside one process first to last took ${ms(top.inProcessP50)} ms: ` +
        (receiverSide
          ? `the spread builds up on the receiving side, each process working through its ${perProcess} participants' packets one after another.`
          : `copies reach the processes as spread out as within them, so the spread comes before the receivers: LiveKit's fan-out, or the cores it waited for.`),
    );
  }

  // CPU per message against the cores: does it account for the spread?
  let cpuBound: number | null = null;
  if (rcCost !== null) {
    const perMessage = top.n * (rcCost + (lkCost ?? 0));
    cpuBound = perMessage / cpus;
    lines.push(
      `  - CPU per delivery above idle at N=${top.n}: receivers ${fixed(rcCost, 3)} ms (@livekit/rtc-node: native WebRTC, an FFI event, JSON), LiveKit ${fixed(lkCost, 3)} ms. ` +
        `Per message that is ${top.n} × ${fixed(rcCost + (lkCost ?? 0), 3)} = ${ms(perMessage)} ms of CPU, ${percent(rcCost / (rcCost + (lkCost ?? 0)))} of it the receivers': ` +
        `${ms(cpuBound)} ms of wall time even if shared perfectly over the ${cpus} cores, against the measured ${ms(spreadTop)} ms from first participant to last.`,
    );
  }

  // CPU: the average, and the bursts in which each message is handled.
  const rcWait = ratio(top.busy.receivers.wait, top.busy.receivers.cpu);
  const lkWait = ratio(top.busy.liveKit.wait, top.busy.liveKit.cpu);
  const sdWait = ratio(top.busy.sender.wait, top.busy.sender.cpu);
  lines.push(
    `  - CPU during N=${top.n}'s sends: the ${cpus} cores were ${percent(top.busy.machine)} busy on average (LiveKit ${coresOf(top.busy.liveKit.cpu)}, receivers ${coresOf(top.busy.receivers.cpu)}, sender ${coresOf(top.busy.sender.cpu)}, other ${coresOf(top.busy.other)}), ` +
      `but the work comes in bursts, every message waking LiveKit and all ${top.processes} receiver processes at once: per second of CPU they got, the receivers' threads (summed) waited ${fixed(rcWait, 1)} s for a core, ` +
      `LiveKit's ${fixed(lkWait, 1)} s, the sender's ${fixed(sdWait, 1)} s (N=1: receivers ${fixed(ratio(base.busy.receivers.wait, base.busy.receivers.cpu), 1)} s, LiveKit ${fixed(ratio(base.busy.liveKit.wait, base.busy.liveKit.cpu), 1)} s).`,
  );

  // The verdict.
  const cpuExplains = cpuBound !== null && cpuBound >= spreadTop / 3;
  if (cpuExplains && (receiverSide || top.processes === 1)) {
    lines.push(
      `  verdict: at N=${top.n} the limit is CPU per delivery on ${cpus} cores shared by everything` +
        `${(top.busy.other ?? 0) >= 0.25 ? ` (other work took ${coresOf(top.busy.other)} cores)` : ""}: every message costs about ${ms(cpuBound! * cpus)} ms of CPU, mostly in the receivers, ` +
        `so the last participant gets it ${ms(spreadTop)} ms after the first. LiveKit's own part is small (SendData p50 ${ms(top.sendCall.p50)} ms, first copy after ${ms(top.firstP50)} ms, ${coresOf(top.busy.liveKit.cpu)} cores). ` +
        `Real viewers receive on their own devices, so for the server LiveKit's figures are the ones that carry over; the last-participant latency here is an upper bound.`,
    );
  } else if (receiverSide) {
    lines.push(`  verdict: at N=${top.n} the spread builds up in the receivers (${perProcess} participants per process) more than their CPU time explains: they wait for cores (see the waits above); LiveKit's part is the first copy after ${ms(top.firstP50)} ms.`);
  } else {
    lines.push(
      `  verdict: at N=${top.n} the spread arises before the receivers: LiveKit's fan-out (${coresOf(top.busy.liveKit.cpu)} cores, SendData p50 ${ms(top.sendCall.p50)} ms)` +
        `${lkWait !== null && lkWait >= 1 ? `, slowed by waiting for a core (${fixed(lkWait, 1)} s per CPU second)` : ""}.`,
    );
  }
  lines.push(`  idle, ${top.n} participants cost LiveKit ${coresOf(top.idle.liveKit.cpu)} cores and the receivers ${coresOf(top.idle.receivers.cpu)} (the connections' upkeep) before any message is sent.`);
  return lines;
}

function clockLines(): string[] {
  if (clockSkews.length === 0) return ["clock check: CLOCK_MONOTONIC could not be read here, so the receivers' clocks were not compared with the sender's."];
  const worst = clockSkews.reduce((a, b) => (Math.abs(b.skew) > Math.abs(a.skew) ? b : a));
  return [
    `clock check: a receiver's performance.timeOrigin + now() was at most ${fixed(Math.abs(worst.skew) * 1000, 1)} µs (± ${fixed(worst.uncertainty * 1000, 1)} µs of reading) from the sender's ` +
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
      `≤ ${params.perProcess} participants per receiver process (@livekit/rtc-node), ${params.joinConcurrency} joining at once in each; ` +
      `payload ${new TextEncoder().encode(JSON.stringify(payload("run-1", 0, wallNow()))).length} B of JSON on topic "${TOPIC}", sent reliably`,
  );
  const runStarted = performance.now();

  let started = performance.now();
  liveKit = await startLiveKit({ logLevel: "warn" });
  const liveKitProcess = liveKitPid();
  let iceServers: string[] | undefined;
  if (params.iceServers === "local") {
    stun = await startStunServer();
    iceServers = [stun.url];
  }
  console.log(
    `LiveKit: ${liveKit.url} (livekit-server --dev, pid ${liveKitProcess ?? "unknown: no CPU figures for it"}), started in ${fixed(seconds(started), 1)} s; ` +
      `viewers' STUN server: ${iceServers ? `${iceServers[0]} (bench/live-fanout-stun.ts)` : "LiveKit's (Google's, by host name)"}`,
  );

  const gateway = createLiveKitGateway({ url: liveKit.url, apiKey: liveKit.apiKey, apiSecret: liveKit.apiSecret });
  const room = `bench-fanout-${process.pid}`;
  await gateway.ensureRoom(room, { emptyTimeoutSec: 600 });

  const results: SizeResult[] = [];
  for (const n of sizes) {
    started = performance.now();
    const joinSeconds = await growTo(n, params, gateway, room, iceServers);
    const result = await measure(n, params, gateway, room, liveKitProcess, joinSeconds);
    results.push(result);
    console.error(
      `N=${n}: joined in ${fixed(joinSeconds, 1)} s (${receivers.length} receiver processes), settled in ${fixed(result.settleSeconds, 1)} s; ` +
        `p50 ${ms(result.latency.p50)} ms, p99 ${ms(result.latency.p99)} ms, delivered ${result.received}/${result.expected}; ${fixed(seconds(started), 1)} s in all`,
    );
  }

  console.log("");
  for (const line of resultTable(results)) console.log(line);
  console.log("");
  console.log(
    "latency = receive time in a participant − start of the sendData call (the gateway's room look-up, then LiveKit's SendData), over every (message × participant) pair. " +
      `CPU is over the ${fixed(results[0]!.busy.seconds, 1)} s of sends, in cores (1.00 = one core busy); other = the rest of the machine's busy time; machine busy = share of all ${availableParallelism()} cores.`,
  );
  console.log("");
  console.log("anatomy (p50 over messages, ms; waits in cores; CPU per delivery above idle, ms):");
  for (const line of anatomyTable(results)) console.log(`  ${line}`);
  console.log("");
  console.log("setup (untimed) and idle cost (the quieter of two 2 s spells, before and after the sends, in cores):");
  for (const line of setupTable(results)) console.log(`  ${line}`);
  console.log("");
  for (const line of limitLines(results, params)) console.log(line);
  console.log("");
  for (const line of clockLines()) console.log(line);
  if (stun) console.log(`STUN binding requests answered: ${stun.answered()}`);
  console.log(`load average after the run: ${loadavg().map((n) => n.toFixed(2)).join(" ")}; run took ${fixed(seconds(runStarted), 0)} s`);

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
