// What bench/live-fanout.ts and its receiver processes (bench/live-fanout-receiver.ts) say to each other,
// and the clocks both read. Kept apart from the receiver so the sender never loads @livekit/rtc-node.
import { dlopen, FFIType, ptr } from "bun:ffi";

export const ANSWER_PREFIX = "@@live-fanout ";

export interface JoinCommand {
  type: "join";
  url: string;
  participants: { identity: string; token: string }[];
  /** Participants connecting at once in this process. */
  concurrency: number;
  /** ICE server URLs in place of the ones LiveKit hands out; LiveKit's when absent. */
  iceServers?: string[];
}

/** Hands over (and forgets) the receipts of packets whose payload carries run `run`. */
export interface ReportCommand {
  type: "report";
  run: string;
}

export interface LeaveCommand {
  type: "leave";
}

export type ReceiverCommand = JoinCommand | ReportCommand | LeaveCommand;

/** The packet the sender sends; receivers read `run` and `id` only (the rest is room-message ballast). */
export interface FanoutPayload {
  run: string;
  id: number;
  sentAt: number;
  [key: string]: unknown;
}

/** Both clocks read back to back, so the bench can tell whether processes agree on the wall-clock one. */
export interface ClockReading {
  wallMs: number;
  /** Null where CLOCK_MONOTONIC cannot be read (not Linux/glibc). */
  monoMs: number | null;
  /** How far apart the monotonic readings around the wall-clock one were: the reading's own uncertainty. */
  bracketMs: number | null;
}

export interface HelloAnswer {
  type: "hello";
  pid: number;
  clock: ClockReading;
}

export interface JoinedAnswer {
  type: "joined";
  joined: number;
  failed: { identity: string; error: string }[];
  seconds: number;
}

export interface ReportAnswer {
  type: "report";
  run: string;
  /** identity → [message id, receive time (wall-clock ms, performance.timeOrigin + performance.now())] */
  receipts: Record<string, [number, number][]>;
  /** Packets on this run received more than once by the same participant. */
  duplicates: number;
  /** Packets that were not JSON of the expected shape. */
  unreadable: number;
  clock: ClockReading;
}

export type ReceiverAnswer = HelloAnswer | JoinedAnswer | ReportAnswer;

/** performance.timeOrigin + performance.now(): milliseconds on the wall clock, sub-millisecond resolution. */
export const wallNow = () => performance.timeOrigin + performance.now();

// CLOCK_MONOTONIC, one clock for every process on the machine, read through libc: Bun's process.hrtime()
// and Bun.nanoseconds() count from the process's own start, so they cannot compare two processes.
const CLOCK_MONOTONIC = 1;
const timespec = new BigInt64Array(2);
const clockGettime = (() => {
  if (process.platform !== "linux") return undefined;
  try {
    return dlopen("libc.so.6", { clock_gettime: { args: [FFIType.i32, FFIType.ptr], returns: FFIType.i32 } }).symbols.clock_gettime;
  } catch {
    return undefined;
  }
})();

/** CLOCK_MONOTONIC in milliseconds, or null where it cannot be read. */
export function monoNow(): number | null {
  if (!clockGettime || clockGettime(CLOCK_MONOTONIC, ptr(timespec)) !== 0) return null;
  return Number(timespec[0]!) * 1000 + Number(timespec[1]!) / 1e6;
}

/**
 * The wall clock between two readings of the monotonic one, best of 5 (the narrowest pair): on a busy
 * machine the thread can lose its core between two reads, which would look like clock skew.
 */
export function readClocks(): ClockReading {
  let best: ClockReading = { wallMs: wallNow(), monoMs: null, bracketMs: null };
  for (let attempt = 0; attempt < 5; attempt++) {
    const before = monoNow();
    const wallMs = wallNow();
    const after = monoNow();
    if (before === null || after === null) return best;
    if (best.bracketMs === null || after - before < best.bracketMs) best = { wallMs, monoMs: (before + after) / 2, bracketMs: after - before };
  }
  return best;
}
