/**
 * `serialport`-style API for the POS agent on Bun: `@serialport/stream` over our own binding,
 * plus a reconnecting wrapper for USB devices that come and go.
 */
import { Duplex } from "node:stream";
import { SerialPortStream } from "@serialport/stream";
import { BunSerialBinding, type Parity } from "./bun-binding.ts";

export { BunSerialBinding, type Parity } from "./bun-binding.ts";

export interface SerialSettings {
  path: string;
  baudRate: number;
  dataBits?: 5 | 6 | 7 | 8;
  parity?: Parity;
  stopBits?: 1 | 2;
  rtscts?: boolean;
  xon?: boolean;
  xoff?: boolean;
  xany?: boolean;
  hupcl?: boolean;
  /** TIOCEXCL exclusive access (default true; root bypasses it). */
  lock?: boolean;
}

/**
 * Opens `settings.path` and resolves once the port is open. Rejects with the open error
 * (e.g. ENOENT when the device is absent, EBUSY when locked).
 */
export function openSerialPort(settings: SerialSettings & { highWaterMark?: number }): Promise<SerialPortStream> {
  return new Promise((resolve, reject) => {
    const port: SerialPortStream = new SerialPortStream(
      {
        binding: BunSerialBinding,
        path: settings.path,
        baudRate: settings.baudRate,
        dataBits: settings.dataBits ?? 8,
        parity: settings.parity ?? "none",
        stopBits: settings.stopBits ?? 1,
        rtscts: settings.rtscts ?? false,
        xon: settings.xon ?? false,
        xoff: settings.xoff ?? false,
        xany: settings.xany ?? false,
        hupcl: settings.hupcl ?? true,
        lock: settings.lock ?? true,
        autoOpen: false,
        ...(settings.highWaterMark ? { highWaterMark: settings.highWaterMark } : {}),
      },
    );
    port.open((err: Error | null) => (err ? reject(err) : resolve(port)));
  });
}

export interface ReconnectingPortOptions extends SerialSettings {
  /** Delay between reopen attempts while the device is absent (ms, default 250). */
  retryIntervalMs?: number;
}

/**
 * A Duplex over a serial path that survives the device disappearing (USB unplug, pty master
 * gone): on a disconnect (read error / EIO / hang-up) or an open failure (ENOENT, EACCES…) it
 * retries opening the same path every `retryIntervalMs` until it is back.
 *
 * - readable side: bytes from every successive connection, in order ("data" keeps flowing; pipe
 *   it into a parser such as ReadlineParser once).
 * - writable side: writes wait for a connection; a write in flight when the device vanishes fails
 *   (its callback gets the error) and is not retried.
 * - events: "open" (each successful (re)open, with the SerialPortStream), "disconnect" (error),
 *   "reconnect" (after the first open), "retry" (open error while waiting).
 */
export class ReconnectingPort extends Duplex {
  readonly settings: ReconnectingPortOptions;
  private port: SerialPortStream | null = null;
  private stopped = false;
  private connecting = false;
  private opens = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private readPaused = false;

  constructor(options: ReconnectingPortOptions) {
    super({ allowHalfOpen: true });
    this.settings = { ...options };
    this.connect();
  }

  /** The currently open port, if connected. */
  get current(): SerialPortStream | null {
    return this.port;
  }

  get isConnected(): boolean {
    return this.port?.isOpen === true;
  }

  get reconnects(): number {
    return Math.max(0, this.opens - 1);
  }

  private connect(): void {
    if (this.stopped || this.connecting || this.port) return;
    this.connecting = true;
    openSerialPort(this.settings).then(
      (port) => {
        this.connecting = false;
        if (this.stopped) {
          port.close();
          return;
        }
        this.attach(port);
      },
      (err: unknown) => {
        this.connecting = false;
        if (this.stopped) return;
        this.emit("retry", err);
        this.scheduleRetry();
      },
    );
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, this.settings.retryIntervalMs ?? 250);
  }

  private attach(port: SerialPortStream): void {
    this.port = port;
    this.opens += 1;
    port.on("data", (chunk: Buffer) => {
      if (!this.push(chunk)) {
        this.readPaused = true;
        port.pause();
      }
    });
    port.on("error", (err: Error) => {
      // Errors on a live port are followed by "close" when they are disconnects; surface others.
      if (!this.stopped) this.emit("portError", err);
    });
    port.on("close", (err: Error | null) => {
      if (this.port === port) this.port = null;
      if (this.stopped) return;
      this.emit("disconnect", err ?? new Error("port closed"));
      this.scheduleRetry();
    });
    if (this.readPaused) port.pause();
    this.emit("open", port);
    if (this.opens > 1) this.emit("reconnect", port);
    this.emit("connected", port);
  }

  override _read(): void {
    if (this.readPaused) {
      this.readPaused = false;
      this.port?.resume();
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const send = (port: SerialPortStream) => {
      port.write(chunk, (err) => callback(err ?? null));
    };
    if (this.port?.isOpen) {
      send(this.port);
      return;
    }
    if (this.stopped) {
      callback(new Error("ReconnectingPort is closed"));
      return;
    }
    const onConnected = (port: SerialPortStream) => {
      this.off("closed", onClosed);
      send(port);
    };
    const onClosed = () => {
      this.off("connected", onConnected);
      callback(new Error("ReconnectingPort is closed"));
    };
    this.once("connected", onConnected);
    this.once("closed", onClosed);
  }

  /** Waits until the port is open (immediately if it is). */
  waitForOpen(timeoutMs = 10_000): Promise<SerialPortStream> {
    if (this.port?.isOpen) return Promise.resolve(this.port);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off("connected", onOpen);
        reject(new Error(`serial: ${this.settings.path} not open after ${timeoutMs} ms`));
      }, timeoutMs);
      const onOpen = (port: SerialPortStream) => {
        clearTimeout(timer);
        resolve(port);
      };
      this.once("connected", onOpen);
    });
  }

  /** Drains the current connection's output (no-op when disconnected). */
  drainPort(): Promise<void> {
    const port = this.port;
    if (!port?.isOpen) return Promise.resolve();
    return new Promise((resolve, reject) => port.drain((err) => (err ? reject(err) : resolve())));
  }

  /** Stops reconnecting, closes the current port and ends the readable side. */
  async close(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const port = this.port;
    this.port = null;
    if (port?.isOpen) {
      await new Promise<void>((resolve) => port.close(() => resolve()));
    }
    this.emit("closed");
    this.push(null);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.close().then(
      () => callback(error),
      (err: unknown) => callback(err instanceof Error ? err : error),
    );
  }
}
