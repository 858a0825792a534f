// What the live fan-out bench prints after the runs: the result, anatomy and setup tables, and the
// "where the limit came from" evidence read off the latency and CPU figures, and the clock check.
import { availableParallelism } from "node:os";
import type { SpanUsage } from "./live-fanout-cpu.ts";
import type { FanoutParams } from "./live-fanout-options.ts";
import type { SizeResult } from "./live-fanout-stats.ts";
import { fixed, percent, table } from "./report.ts";

export const ms = (n: number) => fixed(n, 1);
/** A share of one core as a number of cores, e.g. 0.63. */
const coresOf = (share: number | null) => fixed(share, 2);

export function resultTable(results: SizeResult[]): string[] {
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

export function anatomyTable(results: SizeResult[]): string[] {
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

export function setupTable(results: SizeResult[]): string[] {
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

export function limitLines(results: SizeResult[], params: FanoutParams): string[] {
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

export function clockLines(clockSkews: readonly { skew: number; uncertainty: number }[]): string[] {
  if (clockSkews.length === 0) return ["clock check: CLOCK_MONOTONIC could not be read here, so the receivers' clocks were not compared with the sender's."];
  const worst = clockSkews.reduce((a, b) => (Math.abs(b.skew) > Math.abs(a.skew) ? b : a));
  return [
    `clock check: a receiver's performance.timeOrigin + now() was at most ${fixed(Math.abs(worst.skew) * 1000, 1)} µs (± ${fixed(worst.uncertainty * 1000, 1)} µs of reading) from the sender's ` +
      `(${clockSkews.length} readings against CLOCK_MONOTONIC over the run): the most that timestamps from two processes add to a latency.`,
  ];
}
