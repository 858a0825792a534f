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
import { availableParallelism, loadavg } from "node:os";
import { createLiveKitGateway } from "../modules/live/livekit.ts";
import { startLiveKit, type LiveKit } from "../tests/fixtures/livekit.ts";
import { runBench } from "./interrupts.ts";
import { liveKitPid } from "./live-fanout-cpu.ts";
import { LATE_MS, measure, payload, SETTLE_MS, TOPIC } from "./live-fanout-measure.ts";
import { readParams } from "./live-fanout-options.ts";
import { wallNow } from "./live-fanout-protocol.ts";
import { anatomyTable, clockLines, limitLines, ms, resultTable, setupTable } from "./live-fanout-report.ts";
import type { SizeResult } from "./live-fanout-stats.ts";
import { startStunServer, type StunServer } from "./live-fanout-stun.ts";
import { clockSkews, growTo, receivers } from "./live-fanout-viewers.ts";
import { fixed, machineLines } from "./report.ts";

let liveKit: LiveKit | undefined;
let stun: StunServer | undefined;

async function cleanUp(): Promise<void> {
  await Promise.allSettled(receivers.map((r) => r.stop()));
  await liveKit?.stop();
  stun?.close();
  stun = undefined;
}

const seconds = (started: number) => (performance.now() - started) / 1000;

async function main(): Promise<number> {
  const params = readParams(process.argv.slice(2), process.env);
  const sizes = [1, ...params.sizes];
  for (const line of machineLines("the LiveKit server (Go), the sender and the receiving Bun processes share these CPUs")) console.log(line);
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
  for (const line of clockLines(clockSkews)) console.log(line);
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

await runBench(main, cleanUp);
