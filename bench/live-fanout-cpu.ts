// CPU figures of the live fan-out bench: LiveKit's process, the receiver processes, the sender (this
// process) and the whole machine, read from /proc at two moments and turned into shares of a core over the span.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { availableParallelism } from "node:os";
import { liveKitServerPath } from "../scripts/livekit-server.ts";
import { machineTicks, ownCpuSeconds, processCpuSeconds, runQueueWaitSeconds, type MachineTicks } from "./cpu.ts";
import type { ReceiverProcess } from "./live-fanout-viewers.ts";

/** The livekit-server this process started (the fixture does not hand out its pid): our child running that binary. */
export function liveKitPid(): number | undefined {
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

interface Usage {
  cpu: number | null;
  wait: number | null;
}

export interface Snapshot {
  at: number;
  liveKit: Usage;
  receivers: Usage[];
  sender: Usage;
  machine: MachineTicks | null;
}

/** A process (or the receivers together) over a span: seconds, and shares of one core (1 = one core busy). */
export interface SpanUsage {
  cpuSeconds: number | null;
  cpu: number | null;
  /** Runnable but waiting for a CPU, as a share of the span (1 = one thread waiting all the time). */
  wait: number | null;
}

export interface Span {
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

export function snapshot(liveKitProcess: number | undefined, receivers: readonly ReceiverProcess[]): Snapshot {
  const usage = (pid: number): Usage => ({ cpu: processCpuSeconds(pid), wait: runQueueWaitSeconds(pid) });
  return {
    at: performance.now(),
    liveKit: liveKitProcess === undefined ? { cpu: null, wait: null } : usage(liveKitProcess),
    receivers: receivers.map((r) => usage(r.pid)),
    sender: { cpu: ownCpuSeconds(), wait: runQueueWaitSeconds(process.pid) },
    machine: machineTicks(),
  };
}

export function span(from: Snapshot, to: Snapshot): Span {
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
export function quieter(a: Span, b: Span): Span {
  const lower = <T extends SpanUsage>(x: T, y: T): T => ((y.cpu ?? Number.POSITIVE_INFINITY) < (x.cpu ?? Number.POSITIVE_INFINITY) ? y : x);
  const machine = (b.machine ?? Number.POSITIVE_INFINITY) < (a.machine ?? Number.POSITIVE_INFINITY) ? b : a;
  return { ...machine, liveKit: lower(a.liveKit, b.liveKit), receivers: lower(a.receivers, b.receivers), sender: lower(a.sender, b.sender) };
}
