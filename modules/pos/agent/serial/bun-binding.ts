/**
 * A `@serialport/bindings-interface` BindingInterface for Bun on Linux.
 *
 * - open: node:fs openSync(path, O_RDWR|O_NOCTTY|O_NONBLOCK|O_CLOEXEC), TIOCEXCL when lock !== false.
 * - termios via bun:ffi (tcgetattr/cfmakeraw/cfset[io]speed/tcsetattr); non-standard baud rates via
 *   the kernel's termios2 (TCGETS2/TCSETS2 with BOTHER).
 * - reads/writes: non-blocking readSync/writeSync on the main thread; on EAGAIN the port waits for
 *   readiness reported by a per-port Worker blocked in poll(2) (see poll-worker.ts) — no spinning,
 *   no blocking of the event loop.
 * - drain: waits on TIOCOUTQ with timers sized to the baud rate, then a final (short) tcdrain.
 */
import { closeSync, constants as fsConstants, existsSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, realpathSync, writeSync } from "node:fs";
import { basename, join } from "node:path";
import type {
  BindingInterface,
  BindingPortInterface,
  OpenOptions,
  PortInfo,
  PortStatus,
  SetOptions,
  UpdateOptions,
} from "./interface.ts";
import {
  BAUD_BY_CONSTANT,
  BAUD_CONSTANTS,
  BOTHER,
  CBAUD,
  check,
  CLOCAL,
  CMSPAR,
  CREAD,
  CRTSCTS,
  CS5,
  CS6,
  CS7,
  CS8,
  CSIZE,
  CSTOPB,
  EFD_CLOEXEC,
  EFD_NONBLOCK,
  HUPCL,
  INPCK,
  IXANY,
  IXOFF,
  IXON,
  libc,
  PARENB,
  PARODD,
  POLLERR,
  POLLHUP,
  POLLIN,
  POLLNVAL,
  POLLOUT,
  SysError,
  TCGETS2,
  TCIOFLUSH,
  TCSANOW,
  TCSETS2,
  TERMIOS2_ISPEED_OFFSET,
  TERMIOS2_OSPEED_OFFSET,
  TERMIOS2_SIZE,
  TERMIOS_CC_OFFSET,
  TERMIOS_SIZE,
  TIOCCBRK,
  TIOCEXCL,
  TIOCM_CAR,
  TIOCM_CTS,
  TIOCM_DSR,
  TIOCM_DTR,
  TIOCM_RTS,
  TIOCMGET,
  TIOCMSET,
  TIOCOUTQ,
  TIOCSBRK,
  VMIN,
  VTIME,
} from "./libc.ts";
import type { PollWorkerInit, PollWorkerMessage } from "./poll-worker.ts";

export type Parity = "none" | "even" | "odd" | "mark" | "space";

export interface BunOpenOptions extends OpenOptions {
  parity?: Parity;
}

type Required2<T> = { [K in keyof T]-?: T[K] };

interface BindingError extends Error {
  canceled?: boolean;
  disconnected?: boolean;
  code?: string;
}

function canceledError(message: string): BindingError {
  const err: BindingError = new Error(message);
  err.canceled = true;
  return err;
}

function disconnectedError(message: string, code = "EIO"): BindingError {
  const err: BindingError = new Error(message);
  err.disconnected = true;
  err.code = code;
  return err;
}

function errorCode(err: unknown): string | undefined {
  if (typeof err === "object" && err !== null && "code" in err && typeof (err as { code: unknown }).code === "string") {
    return (err as { code: string }).code;
  }
  return undefined;
}

const PARITIES: readonly Parity[] = ["none", "even", "odd", "mark", "space"];

export function normalizeOpenOptions(options: BunOpenOptions): Required<OpenOptions> {
  if (!options || typeof options.path !== "string" || options.path.length === 0) {
    throw new TypeError('"path" must be a non-empty string');
  }
  if (!Number.isInteger(options.baudRate) || options.baudRate <= 0) {
    throw new TypeError(`"baudRate" must be a positive integer, got ${String(options.baudRate)}`);
  }
  const dataBits = options.dataBits ?? 8;
  if (![5, 6, 7, 8].includes(dataBits)) throw new TypeError(`"dataBits" must be 5, 6, 7 or 8, got ${String(dataBits)}`);
  const stopBits = options.stopBits ?? 1;
  if (stopBits !== 1 && stopBits !== 2) {
    throw new TypeError(`"stopBits" must be 1 or 2 on Linux, got ${String(stopBits)}`);
  }
  const parity = (options.parity ?? "none") as Parity;
  if (!PARITIES.includes(parity)) throw new TypeError(`"parity" must be one of ${PARITIES.join(", ")}, got ${String(parity)}`);
  const normalized: Required2<OpenOptions> = {
    path: options.path,
    baudRate: options.baudRate,
    dataBits,
    stopBits,
    parity,
    lock: options.lock ?? true,
    rtscts: options.rtscts ?? false,
    xon: options.xon ?? false,
    xoff: options.xoff ?? false,
    xany: options.xany ?? false,
    hupcl: options.hupcl ?? true,
  };
  return normalized;
}

// ---------------------------------------------------------------------------------------------
// termios helpers
// ---------------------------------------------------------------------------------------------

/**
 * The termios flag words for `opts`, starting from raw-mode `iflag`/`cflag` (after cfmakeraw).
 * Exported for tests: a Linux pty forces CS8 and clears PARENB in the kernel, so data bits and
 * parity enable cannot be observed on a socat pty, only on real UARTs.
 */
export function computeFlags(iflagIn: number, cflagIn: number, opts: Required<OpenOptions>): { iflag: number; cflag: number } {
  let iflag = iflagIn;
  let cflag = cflagIn;
  cflag &= ~(CSIZE | PARENB | PARODD | CMSPAR | CSTOPB | CRTSCTS | HUPCL);
  cflag |= CREAD | CLOCAL;
  cflag |= opts.dataBits === 5 ? CS5 : opts.dataBits === 6 ? CS6 : opts.dataBits === 7 ? CS7 : CS8;
  switch (opts.parity as Parity) {
    case "even":
      cflag |= PARENB;
      break;
    case "odd":
      cflag |= PARENB | PARODD;
      break;
    case "mark":
      cflag |= PARENB | PARODD | CMSPAR;
      break;
    case "space":
      cflag |= PARENB | CMSPAR;
      break;
    case "none":
      break;
  }
  if (opts.stopBits === 2) cflag |= CSTOPB;
  if (opts.rtscts) cflag |= CRTSCTS;
  if (opts.hupcl) cflag |= HUPCL;

  iflag &= ~(IXON | IXOFF | IXANY | INPCK);
  if (opts.parity !== "none") iflag |= INPCK;
  if (opts.xon) iflag |= IXON;
  if (opts.xoff) iflag |= IXOFF;
  if (opts.xany) iflag |= IXANY;
  return { iflag: iflag >>> 0, cflag: cflag >>> 0 };
}

function applySettings(fd: number, opts: Required<OpenOptions>): void {
  const t = new Uint8Array(TERMIOS_SIZE);
  check("tcgetattr", libc.tcgetattr(fd, t));
  libc.cfmakeraw(t);
  const dv = new DataView(t.buffer);
  const { iflag, cflag } = computeFlags(dv.getUint32(0, true), dv.getUint32(8, true), opts);
  dv.setUint32(0, iflag >>> 0, true);
  dv.setUint32(8, cflag >>> 0, true);
  t[TERMIOS_CC_OFFSET + VMIN] = 1;
  t[TERMIOS_CC_OFFSET + VTIME] = 0;

  const speed = BAUD_CONSTANTS.get(opts.baudRate);
  if (speed !== undefined) {
    check("cfsetispeed", libc.cfsetispeed(t, speed));
    check("cfsetospeed", libc.cfsetospeed(t, speed));
    check("tcsetattr", libc.tcsetattr(fd, TCSANOW, t));
  } else {
    check("tcsetattr", libc.tcsetattr(fd, TCSANOW, t));
    setCustomBaudRate(fd, opts.baudRate);
  }
}

/** Non-standard rate through termios2 + BOTHER (Linux ≥ 2.6.20). */
function setCustomBaudRate(fd: number, baudRate: number): void {
  const t2 = new Uint8Array(TERMIOS2_SIZE);
  check("ioctl(TCGETS2)", libc.ioctl(fd, TCGETS2, t2));
  const dv = new DataView(t2.buffer);
  let cflag = dv.getUint32(8, true);
  cflag &= ~CBAUD;
  cflag |= BOTHER;
  // input speed follows output speed when the IBSHIFT field is 0
  cflag &= ~(CBAUD << 16);
  dv.setUint32(8, cflag >>> 0, true);
  dv.setUint32(TERMIOS2_ISPEED_OFFSET, baudRate, true);
  dv.setUint32(TERMIOS2_OSPEED_OFFSET, baudRate, true);
  check("ioctl(TCSETS2)", libc.ioctl(fd, TCSETS2, t2), `baud rate ${baudRate}`);
}

function setBaudRate(fd: number, baudRate: number): void {
  if (!Number.isInteger(baudRate) || baudRate <= 0) throw new TypeError(`"baudRate" must be a positive integer`);
  const speed = BAUD_CONSTANTS.get(baudRate);
  if (speed === undefined) {
    setCustomBaudRate(fd, baudRate);
    return;
  }
  const t = new Uint8Array(TERMIOS_SIZE);
  check("tcgetattr", libc.tcgetattr(fd, t));
  check("cfsetispeed", libc.cfsetispeed(t, speed));
  check("cfsetospeed", libc.cfsetospeed(t, speed));
  check("tcsetattr", libc.tcsetattr(fd, TCSANOW, t));
}

function readBaudRate(fd: number): number {
  const t2 = new Uint8Array(TERMIOS2_SIZE);
  if (libc.ioctl(fd, TCGETS2, t2) === 0) {
    const dv = new DataView(t2.buffer);
    const cflag = dv.getUint32(8, true);
    if ((cflag & CBAUD) === BOTHER) return dv.getUint32(TERMIOS2_OSPEED_OFFSET, true);
    const rate = BAUD_BY_CONSTANT.get(cflag & CBAUD);
    if (rate !== undefined) return rate;
    return dv.getUint32(TERMIOS2_OSPEED_OFFSET, true);
  }
  const t = new Uint8Array(TERMIOS_SIZE);
  check("tcgetattr", libc.tcgetattr(fd, t));
  const cflag = new DataView(t.buffer).getUint32(8, true);
  const rate = BAUD_BY_CONSTANT.get(cflag & CBAUD);
  if (rate === undefined) throw new Error("serial: could not determine baud rate");
  return rate;
}

function outputQueue(fd: number): number {
  const n = new Int32Array(1);
  if (libc.ioctl(fd, TIOCOUTQ, n) !== 0) return 0;
  return n[0] ?? 0;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Port
// ---------------------------------------------------------------------------------------------

const INTEREST = 0;
const STOP = 1;
const WAKE = new BigUint64Array([1n]);

export class BunPortBinding implements BindingPortInterface {
  readonly openOptions: Required<OpenOptions>;
  isOpen = true;
  /** The tty fd; -1 once closed. */
  fd: number;
  private readonly efd: number;
  private readonly control = new Int32Array(new SharedArrayBuffer(8));
  private readonly worker: Worker;
  private readonly workerStopped: Promise<void>;
  private readWaiters: Array<() => void> = [];
  private writeWaiters: Array<() => void> = [];
  private closing: Promise<void> | null = null;

  constructor(fd: number, openOptions: Required<OpenOptions>) {
    this.fd = fd;
    this.openOptions = openOptions;
    this.efd = check("eventfd", libc.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    this.worker = new Worker(new URL("./poll-worker.ts", import.meta.url).href);
    this.workerStopped = new Promise<void>((resolve) => {
      this.worker.onmessage = (event: MessageEvent<PollWorkerMessage>) => {
        const msg = event.data;
        if (msg.type === "revents") this.onReady(msg.revents);
        else if (msg.type === "error") this.onReady(POLLERR);
        else if (msg.type === "stopped") resolve();
      };
      this.worker.onerror = () => {
        this.onReady(POLLERR);
        resolve();
      };
    });
    const init: PollWorkerInit = { fd, efd: this.efd, control: this.control.buffer as SharedArrayBuffer };
    this.worker.postMessage(init);
  }

  private onReady(revents: number): void {
    const fatal = (revents & (POLLHUP | POLLERR | POLLNVAL)) !== 0;
    if (fatal || (revents & POLLIN) !== 0) {
      const waiters = this.readWaiters;
      this.readWaiters = [];
      for (const w of waiters) w();
    }
    if (fatal || (revents & POLLOUT) !== 0) {
      const waiters = this.writeWaiters;
      this.writeWaiters = [];
      for (const w of waiters) w();
    }
  }

  private wake(): void {
    try {
      writeSync(this.efd, WAKE);
    } catch {
      // counter overflow / closed: nothing to do
    }
  }

  private waitFor(events: number): Promise<void> {
    return new Promise<void>((resolve) => {
      if (events === POLLIN) this.readWaiters.push(resolve);
      else this.writeWaiters.push(resolve);
      Atomics.or(this.control, INTEREST, events);
      this.wake();
    });
  }

  async read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
    if (!Buffer.isBuffer(buffer)) throw new TypeError('"buffer" is not a Buffer');
    if (!Number.isInteger(offset) || offset < 0) throw new TypeError('"offset" is not a valid offset');
    if (!Number.isInteger(length) || length <= 0 || offset + length > buffer.length) throw new TypeError('"length" is not valid');
    for (;;) {
      if (!this.isOpen) throw canceledError("Read canceled");
      let n: number;
      try {
        n = readSync(this.fd, buffer, offset, length, null);
      } catch (err) {
        const code = errorCode(err);
        if (code === "EAGAIN" || code === "EWOULDBLOCK" || code === "EINTR") {
          await this.waitFor(POLLIN);
          continue;
        }
        if (!this.isOpen) throw canceledError("Read canceled");
        throw err;
      }
      if (n > 0) return { buffer, bytesRead: n };
      // 0 bytes from a raw tty with VMIN=1 means hang-up (device gone / pty master closed).
      if (!this.isOpen) throw canceledError("Read canceled");
      throw disconnectedError(`serial: ${this.openOptions.path} hung up (EOF)`);
    }
  }

  async write(buffer: Buffer): Promise<void> {
    if (!Buffer.isBuffer(buffer)) throw new TypeError('"buffer" is not a Buffer');
    let offset = 0;
    while (offset < buffer.length) {
      if (!this.isOpen) throw canceledError("Write canceled");
      try {
        offset += writeSync(this.fd, buffer, offset, buffer.length - offset);
      } catch (err) {
        const code = errorCode(err);
        if (code === "EAGAIN" || code === "EWOULDBLOCK" || code === "EINTR") {
          await this.waitFor(POLLOUT);
          continue;
        }
        if (!this.isOpen) throw canceledError("Write canceled");
        throw err;
      }
    }
  }

  async update(options: UpdateOptions): Promise<void> {
    if (!options || !Number.isInteger(options.baudRate)) throw new TypeError('"options.baudRate" must be an integer');
    this.assertOpen();
    setBaudRate(this.fd, options.baudRate);
    this.openOptions.baudRate = options.baudRate;
  }

  async set(options: SetOptions): Promise<void> {
    this.assertOpen();
    const bits = new Int32Array(1);
    check("ioctl(TIOCMGET)", libc.ioctl(this.fd, TIOCMGET, bits));
    let v = bits[0] ?? 0;
    // serialport semantics: dtr/rts default to true when not given
    v = options.dtr === false ? v & ~TIOCM_DTR : v | TIOCM_DTR;
    v = options.rts === false ? v & ~TIOCM_RTS : v | TIOCM_RTS;
    bits[0] = v;
    check("ioctl(TIOCMSET)", libc.ioctl(this.fd, TIOCMSET, bits));
    check("ioctl(TIOCxBRK)", libc.ioctl(this.fd, options.brk ? TIOCSBRK : TIOCCBRK, null));
  }

  async get(): Promise<PortStatus> {
    this.assertOpen();
    const bits = new Int32Array(1);
    check("ioctl(TIOCMGET)", libc.ioctl(this.fd, TIOCMGET, bits));
    const v = bits[0] ?? 0;
    return { cts: (v & TIOCM_CTS) !== 0, dsr: (v & TIOCM_DSR) !== 0, dcd: (v & TIOCM_CAR) !== 0 };
  }

  async getBaudRate(): Promise<{ baudRate: number }> {
    this.assertOpen();
    return { baudRate: readBaudRate(this.fd) };
  }

  async flush(): Promise<void> {
    this.assertOpen();
    check("tcflush", libc.tcflush(this.fd, TCIOFLUSH));
  }

  async drain(): Promise<void> {
    this.assertOpen();
    // Wait for the kernel output queue to empty without blocking the event loop; then a final
    // tcdrain only covers the UART FIFO (a few bytes).
    const bitsPerChar = 1 + this.openOptions.dataBits + (this.openOptions.parity === "none" ? 0 : 1) + this.openOptions.stopBits;
    for (;;) {
      if (!this.isOpen) throw canceledError("Drain canceled");
      const queued = outputQueue(this.fd);
      if (queued <= 0) break;
      const ms = Math.min(100, Math.max(1, Math.ceil((queued * bitsPerChar * 1000) / this.openOptions.baudRate)));
      await sleep(ms);
    }
    if (!this.isOpen) throw canceledError("Drain canceled");
    check("tcdrain", libc.tcdrain(this.fd));
  }

  private assertOpen(): void {
    if (!this.isOpen) throw new Error("Port is not open");
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.isOpen = false;
    Atomics.store(this.control, STOP, 1);
    this.wake();
    // wake pending reads/writes; they observe isOpen=false and reject with canceled
    this.onReady(POLLERR);
    const fd = this.fd;
    this.fd = -1;
    this.closing = (async () => {
      await Promise.race([this.workerStopped, sleep(1000)]);
      this.worker.terminate();
      try {
        closeSync(fd);
      } finally {
        closeSync(this.efd);
      }
    })();
    return this.closing;
  }
}

// ---------------------------------------------------------------------------------------------
// Binding
// ---------------------------------------------------------------------------------------------

function readSysfs(dir: string, name: string): string | undefined {
  try {
    return readFileSync(join(dir, name), "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

const LIST_PREFIXES = ["ttyS", "ttyUSB", "ttyACM", "ttyAMA", "ttyXRUSB", "rfcomm", "ttyGS", "ttyAP", "ttymxc", "ttyO", "ttyTHS"];

/** Enumerates /sys/class/tty entries backed by a real device (like bindings-cpp's udev list). */
export async function listPorts(): Promise<PortInfo[]> {
  const root = "/sys/class/tty";
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  const ports: PortInfo[] = [];
  for (const name of names.sort()) {
    if (!LIST_PREFIXES.some((p) => name.startsWith(p))) continue;
    const deviceLink = join(root, name, "device");
    if (!existsSync(deviceLink)) continue;
    let devicePath: string;
    try {
      devicePath = realpathSync(deviceLink);
    } catch {
      continue;
    }
    let driver: string | undefined;
    try {
      driver = basename(readlinkSync(join(deviceLink, "driver")));
    } catch {
      driver = undefined;
    }
    // Legacy 8250 ports without hardware report type 0 (PORT_UNKNOWN): skip them.
    if (name.startsWith("ttyS") && driver === "serial8250" && readSysfs(join(root, name), "type") === "0") continue;
    let usbDir: string | undefined;
    for (let dir = devicePath; dir.length > 1 && dir !== "/sys/devices"; dir = join(dir, "..")) {
      if (existsSync(join(dir, "idVendor"))) {
        usbDir = dir;
        break;
      }
    }
    const devPath = `/dev/${name}`;
    ports.push({
      path: devPath,
      manufacturer: usbDir ? readSysfs(usbDir, "manufacturer") : undefined,
      serialNumber: usbDir ? readSysfs(usbDir, "serial") : undefined,
      pnpId: findById(devPath),
      locationId: usbDir ? basename(usbDir) : undefined,
      productId: usbDir ? readSysfs(usbDir, "idProduct") : undefined,
      vendorId: usbDir ? readSysfs(usbDir, "idVendor") : undefined,
    });
  }
  return ports;
}

function findById(devPath: string): string | undefined {
  const dir = "/dev/serial/by-id";
  try {
    for (const entry of readdirSync(dir)) {
      if (realpathSync(join(dir, entry)) === devPath) return entry;
    }
  } catch {
    // no udev by-id directory
  }
  return undefined;
}

const OPEN_FLAGS = fsConstants.O_RDWR | fsConstants.O_NOCTTY | fsConstants.O_NONBLOCK | 0o2000000 /* O_CLOEXEC */;

export const BunSerialBinding: BindingInterface<BunPortBinding, BunOpenOptions, PortInfo> = {
  list: listPorts,
  async open(options: BunOpenOptions): Promise<BunPortBinding> {
    const opts = normalizeOpenOptions(options);
    const fd = openSync(opts.path, OPEN_FLAGS);
    try {
      if (opts.lock) check("ioctl(TIOCEXCL)", libc.ioctl(fd, TIOCEXCL, null), opts.path);
      applySettings(fd, opts);
      check("tcflush", libc.tcflush(fd, TCIOFLUSH));
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    return new BunPortBinding(fd, opts);
  },
};

export { SysError };
