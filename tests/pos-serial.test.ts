/**
 * POS agent serial port over the Bun binding, exercised against socat pty pairs.
 * Needs `socat` (Debian package socat) and Linux; fails without them.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { ReadlineParser } from "@serialport/parser-readline";
import type { SerialPortStream } from "@serialport/stream";
import { computeFlags } from "../modules/pos/agent/serial/bun-binding.ts";
import { openSerialPort, ReconnectingPort } from "../modules/pos/agent/serial/port.ts";
import { ptyPairs } from "./fixtures/pty-pair.ts";
import { closePort as close, writePort as write } from "./fixtures/serial.ts";
import { waitFor } from "./fixtures/wait.ts";

const ptys = ptyPairs();
const startPair = ptys.start;
const openPorts = new Set<{ close(): unknown }>();

function track<T extends { close(): unknown }>(port: T): T {
  openPorts.add(port);
  return port;
}

function closePort(port: SerialPortStream): Promise<void> {
  openPorts.delete(port);
  return close(port);
}

/** Collects bytes from a readable until `n` bytes arrived. */
function collect(stream: NodeJS.ReadableStream, n: number, timeoutMs = 10_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const timer = setTimeout(() => {
      stream.off("data", onData);
      reject(new Error(`received only ${total}/${n} bytes`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      total += chunk.length;
      if (total >= n) {
        clearTimeout(timer);
        stream.off("data", onData);
        resolve(Buffer.concat(chunks));
      }
    };
    stream.on("data", onData);
  });
}

async function stty(path: string): Promise<string> {
  const proc = Bun.spawn(["stty", "-F", path, "-a"], { stdout: "pipe", stderr: "pipe" });
  const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  if ((await proc.exited) !== 0) throw new Error(`stty failed: ${err}`);
  return out;
}

const flags = (out: string) => new Set(out.split(/[\s;]+/).filter(Boolean));

describe("POS serial over the Bun binding (socat ptys)", () => {
  afterEach(async () => {
    for (const port of [...openPorts]) {
      openPorts.delete(port);
      await Promise.resolve(port.close()).catch(() => undefined);
    }
    await ptys.stopAll();
  });

  test("binary bytes (0x00–0xFF and a 64 KiB burst) arrive in order and unchanged", async () => {
    const pair = await startPair("bin");
    const a = track(await openSerialPort({ path: pair.a, baudRate: 115200 }));
    const b = track(await openSerialPort({ path: pair.b, baudRate: 115200 }));

    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const got = collect(b, all.length);
    await write(a, all);
    expect((await got).equals(all)).toBe(true);

    const burst = Buffer.alloc(64 * 1024);
    for (let i = 0; i < burst.length; i++) burst[i] = (i * 7 + (i >> 8)) & 0xff;
    const t0 = performance.now();
    const gotBurst = collect(b, burst.length, 20_000);
    await write(a, burst);
    const received = await gotBurst;
    const ms = performance.now() - t0;
    console.log(`[pos-serial] 64 KiB burst a→b in ${ms.toFixed(1)} ms (${((burst.length / 1024 / ms) * 1000).toFixed(0)} KiB/s)`);
    expect(received.length).toBe(burst.length);
    expect(received.equals(burst)).toBe(true);

    // and the other direction, with drain
    const back = Buffer.from([0x00, 0x11, 0x13, 0x03, 0x0d, 0x0a, 0x7f, 0xff, 0x1a, 0x04]);
    const gotBack = collect(a, back.length);
    await write(b, back);
    await new Promise<void>((resolve, reject) => b.drain((err) => (err ? reject(err) : resolve())));
    expect((await gotBack).equals(back)).toBe(true);

    await closePort(a);
    await closePort(b);
  }, 30_000);

  test("settings are applied: speed, data bits, parity, stop bits", async () => {
    const pair = await startPair("cfg");
    const a = track(await openSerialPort({ path: pair.a, baudRate: 9600, dataBits: 7, parity: "odd", stopBits: 2 }));
    let out = await stty(pair.a);
    let f = flags(out);
    expect(out).toContain("speed 9600 baud");
    // The Linux pty driver forces cs8 and -parenb whatever is requested (pty_set_termios), so
    // on a socat pty only speed, parodd, cstopb and the raw-mode/iflag bits are observable;
    // the cs5–cs8/parenb words are checked against computeFlags() below.
    const want = ["parodd", "cstopb", "inpck", "cread", "clocal", "-crtscts", "-ixon", "-ixoff", "-icanon", "-echo", "-opost", "-icrnl", "-isig"];
    expect(want.filter((flag) => !f.has(flag))).toEqual([]);
    await closePort(a);

    const b = track(await openSerialPort({ path: pair.a, baudRate: 115200, dataBits: 8, parity: "even", stopBits: 1 }));
    out = await stty(pair.a);
    f = flags(out);
    expect(out).toContain("speed 115200 baud");
    expect(["cs8", "-parodd", "-cstopb", "inpck"].filter((flag) => !f.has(flag))).toEqual([]);

    await new Promise<void>((resolve, reject) => b.update({ baudRate: 19200 }, (err) => (err ? reject(err) : resolve())));
    expect(await stty(pair.a)).toContain("speed 19200 baud");
    expect(await b.port!.getBaudRate()).toEqual({ baudRate: 19200 });
    await closePort(b);

    const c = track(await openSerialPort({ path: pair.a, baudRate: 4800, dataBits: 5, parity: "none" }));
    f = flags(await stty(pair.a));
    expect(["-parodd", "-cstopb", "-inpck"].filter((flag) => !f.has(flag))).toEqual([]);
    // non-standard rate through termios2/BOTHER
    await new Promise<void>((resolve, reject) => c.update({ baudRate: 250000 }, (err) => (err ? reject(err) : resolve())));
    expect(await c.port!.getBaudRate()).toEqual({ baudRate: 250000 });
    await closePort(c);

    await expect(openSerialPort({ path: pair.a, baudRate: 9600, stopBits: 3 as 2 })).rejects.toThrow();
    await expect(openSerialPort({ path: join(pair.dir, "missing"), baudRate: 9600 })).rejects.toThrow(/ENOENT|no such file/i);
  }, 30_000);

  test("termios flag words for data bits / parity / stop bits (not observable on a pty)", () => {
    const base = { path: "/dev/null", baudRate: 9600, lock: true, rtscts: false, xon: false, xoff: false, xany: false, hupcl: true };
    const CSIZE = 0o60, PARENB = 0o400, PARODD = 0o1000, CSTOPB = 0o100, CMSPAR = 0o10000000000, INPCK = 0o20;
    const sizes = { 5: 0o0, 6: 0o20, 7: 0o40, 8: 0o60 } as const;
    for (const bits of [5, 6, 7, 8] as const) {
      // start from garbage to prove every field is rewritten
      const { cflag } = computeFlags(0, CSIZE | PARENB | PARODD | CSTOPB | CMSPAR, { ...base, dataBits: bits, parity: "none", stopBits: 1 });
      expect(cflag & CSIZE).toBe(sizes[bits]);
      expect(cflag & (PARENB | PARODD | CSTOPB | CMSPAR)).toBe(0);
    }
    const odd = computeFlags(0, 0, { ...base, dataBits: 7, parity: "odd", stopBits: 2 });
    expect(odd.cflag & (CSIZE | PARENB | PARODD | CSTOPB)).toBe(0o40 | PARENB | PARODD | CSTOPB);
    expect(odd.iflag & INPCK).toBe(INPCK);
    const even = computeFlags(0, 0, { ...base, dataBits: 8, parity: "even", stopBits: 1 });
    expect(even.cflag & (PARENB | PARODD | CSTOPB)).toBe(PARENB);
    expect(computeFlags(0, 0, { ...base, dataBits: 8, parity: "mark", stopBits: 1 }).cflag & (PARENB | PARODD | CMSPAR)).toBe(PARENB | PARODD | CMSPAR);
    expect(computeFlags(0, 0, { ...base, dataBits: 8, parity: "space", stopBits: 1 }).cflag & (PARENB | PARODD | CMSPAR)).toBe(PARENB | CMSPAR);
  });

  test("ReadlineParser works over the port", async () => {
    const pair = await startPair("line");
    const a = track(await openSerialPort({ path: pair.a, baudRate: 9600 }));
    const b = track(await openSerialPort({ path: pair.b, baudRate: 9600 }));
    const parser = b.pipe(new ReadlineParser({ delimiter: "\r\n" }));
    const lines: string[] = [];
    parser.on("data", (line: string) => lines.push(line));
    await write(a, Buffer.from("TOTAL 12.50\r\nCHANGE 7.5"));
    await Bun.sleep(30);
    await write(a, Buffer.from("0\r\nüñí\r\n"));
    await waitFor(() => lines.length >= 3, 5000, "3 lines");
    expect(lines).toEqual(["TOTAL 12.50", "CHANGE 7.50", "üñí"]);
    await closePort(a);
    await closePort(b);
  }, 20_000);

  test("ReconnectingPort reopens the path after the pty disappears and data keeps flowing", async () => {
    const pair = await startPair("rc");
    const rp = track(new ReconnectingPort({ path: pair.a, baudRate: 9600, retryIntervalMs: 50 }));
    const lines: string[] = [];
    rp.pipe(new ReadlineParser({ delimiter: "\n" })).on("data", (line: string) => lines.push(line));
    const disconnects: unknown[] = [];
    rp.on("disconnect", (err) => disconnects.push(err));
    await rp.waitForOpen(5000);

    let peer = track(await openSerialPort({ path: pair.b, baudRate: 9600 }));
    await write(peer, Buffer.from("before-1\n"));
    await waitFor(() => lines.includes("before-1"), 5000, "line before unplug");
    // echo path: writes through the ReconnectingPort reach the peer
    const echoed = collect(peer, 4);
    await write(rp, Buffer.from("ping"));
    expect((await echoed).toString()).toBe("ping");

    for (const [round, signal] of [[1, "SIGTERM"], [2, "SIGKILL"]] as const) {
      // "unplug": the pty pair goes away
      await closePort(peer);
      await pair.kill(signal);
      await waitFor(() => disconnects.length >= round, 5000, `disconnect #${round}`);
      expect(rp.isConnected).toBe(false);
      await Bun.sleep(150); // a few failed reopen attempts (ENOENT)

      // "replug": same link names come back
      const reconnected = new Promise((resolve) => rp.once("reconnect", resolve));
      await pair.restart();
      await reconnected;
      expect(rp.reconnects).toBe(round);

      peer = track(await openSerialPort({ path: pair.b, baudRate: 9600 }));
      await write(peer, Buffer.from(`after-${round}\n`));
      await waitFor(() => lines.includes(`after-${round}`), 5000, `line after replug #${round}`);
      const echo = collect(peer, 6);
      await write(rp, Buffer.from(`pong-${round}`));
      expect((await echo).toString()).toBe(`pong-${round}`);
    }
    expect(lines).toEqual(["before-1", "after-1", "after-2"]);

    await closePort(peer);
    openPorts.delete(rp);
    await rp.close();
    expect(rp.isConnected).toBe(false);
  }, 30_000);

  // How little CPU an idle port costs is a figure for a benchmark, not a timed test; here: an idle
  // port reports nothing, and a byte arriving after a long quiet spell still wakes the pending read.
  test("an open, idle port waits quietly and wakes for the next byte", async () => {
    const pair = await startPair("idle");
    const a = track(await openSerialPort({ path: pair.a, baudRate: 9600 }));
    const peer = track(await openSerialPort({ path: pair.b, baudRate: 9600 }));
    const received: Buffer[] = [];
    a.on("data", (chunk: Buffer) => received.push(chunk));
    await Bun.sleep(1_000);
    expect(received).toHaveLength(0);
    await write(peer, Buffer.from("wake"));
    await waitFor(() => Buffer.concat(received).toString() === "wake", 5_000, "the byte after the quiet spell");
    await closePort(peer);
    await closePort(a);
  }, 20_000);
});
