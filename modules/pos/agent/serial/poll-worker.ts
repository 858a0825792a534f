/**
 * Readiness watcher for one serial fd, run in a Bun Worker so the blocking `poll(2)` never
 * touches the main event loop. The main thread owns the fd (reads, writes, termios); this
 * thread only sleeps in poll() on {tty fd, eventfd} and reports readiness.
 *
 * Control block (Int32Array over a SharedArrayBuffer):
 *   [0] interest: POLLIN/POLLOUT bits the main thread is waiting for (one-shot; cleared here when reported)
 *   [1] stop flag
 * The main thread sets bits / the stop flag and then writes the eventfd to interrupt poll().
 * Idle cost: one thread blocked in poll() with infinite timeout → 0 CPU.
 */
import { readSync } from "node:fs";
import { errno, libc, POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT } from "./libc.ts";

declare const self: Worker;

export interface PollWorkerInit {
  fd: number;
  efd: number;
  control: SharedArrayBuffer;
}

export type PollWorkerMessage = { type: "revents"; revents: number } | { type: "error"; errno: number } | { type: "stopped" };

const INTEREST = 0;
const STOP = 1;
const EINTR = 4;

function run({ fd, efd, control }: PollWorkerInit): void {
  const ctl = new Int32Array(control);
  // struct pollfd { int fd; short events; short revents; } × 2
  const pfds = new ArrayBuffer(16);
  const view = new DataView(pfds);
  const pfdBytes = new Uint8Array(pfds);
  const drainBuf = Buffer.alloc(8);
  while (Atomics.load(ctl, STOP) === 0) {
    const interest = Atomics.load(ctl, INTEREST);
    view.setInt32(0, interest === 0 ? -1 : fd, true);
    view.setInt16(4, interest, true);
    view.setInt16(6, 0, true);
    view.setInt32(8, efd, true);
    view.setInt16(12, POLLIN, true);
    view.setInt16(14, 0, true);
    const rc = libc.poll(pfdBytes, 2, -1);
    if (rc < 0) {
      const e = errno();
      if (e === EINTR) continue;
      postMessage({ type: "error", errno: e } satisfies PollWorkerMessage);
      break;
    }
    if ((view.getInt16(14, true) & POLLIN) !== 0) {
      try {
        readSync(efd, drainBuf, 0, 8, null);
      } catch {
        // EAGAIN: another wake already consumed
      }
    }
    const revents = interest === 0 ? 0 : view.getInt16(6, true);
    if (revents !== 0) {
      if ((revents & (POLLHUP | POLLERR | POLLNVAL)) !== 0) Atomics.store(ctl, INTEREST, 0);
      else Atomics.and(ctl, INTEREST, ~(revents & (POLLIN | POLLOUT)));
      postMessage({ type: "revents", revents } satisfies PollWorkerMessage);
    }
  }
  postMessage({ type: "stopped" } satisfies PollWorkerMessage);
}

self.onmessage = (event: MessageEvent<PollWorkerInit>) => {
  run(event.data);
};
