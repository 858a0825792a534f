// The real server (`bun src/server.ts`) as its own process on a throw-away database, as `npm start` runs it.
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface ServerSettings {
  databaseUrl: string;
  sessionSecret: string;
  dataKey: string;
}

export interface BenchServer {
  baseUrl: string;
  pid: number;
  /** The database file and secrets it runs with, so a bench can prepare and read back the same data. */
  settings: ServerSettings;
  /** How the server was started, for the bench's header. */
  description: string;
  /** Resolves once /healthz answers; rejects, with the server's output, if it exits or takes too long. */
  ready(): Promise<void>;
  /** Stops the server but keeps its database, for reading the outcome back; safe to call more than once. */
  halt(): Promise<void>;
  /** Stops the server and deletes its database; safe to call more than once. */
  stop(): Promise<void>;
}

const projectRoot = join(import.meta.dir, "..");
const STARTUP_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;
/** How much of the server's output is kept to explain a failed start. */
const OUTPUT_TAIL_CHARS = 4_000;

function freePort(): number {
  const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = probe.port!;
  probe.stop(true);
  return port;
}

/** Reads a stream to its end (so the child never blocks on a full pipe), keeping only its tail. */
function drain(stream: ReadableStream<Uint8Array>, keep: { text: string }): void {
  const decoder = new TextDecoder();
  void (async () => {
    for await (const chunk of stream) keep.text = (keep.text + decoder.decode(chunk, { stream: true })).slice(-OUTPUT_TAIL_CHARS);
  })().catch(() => undefined);
}

/** Spawns the server; call ready() before sending it load and stop() in every case. */
export function startServer(): BenchServer {
  const dir = mkdtempSync(join(tmpdir(), "broadcart-bench-"));
  const port = freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const settings: ServerSettings = {
    databaseUrl: `file:${join(dir, "bench.db")}`,
    sessionSecret: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("hex"),
    dataKey: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("hex"),
  };
  const child = Bun.spawn([process.execPath, "src/server.ts"], {
    cwd: projectRoot,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: dir,
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: String(port),
      DATABASE_URL: settings.databaseUrl,
      SESSION_SECRET: settings.sessionSecret,
      DATA_KEY: settings.dataKey,
      // Production requires an audit export signing key; a throw-away one for this run.
      AUDIT_SIGNING_KEY: generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "der" }).toString("base64"),
      DEMO_DATA: "auto",
      // Request logs at info would make the bench measure console output.
      LOG_LEVEL: "warn",
    },
    stdout: "pipe",
    stderr: "pipe",
  });
  const output = { text: "" };
  drain(child.stdout, output);
  drain(child.stderr, output);

  let halting: Promise<void> | undefined;
  const halt = () =>
    (halting ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
        await child.exited;
        clearTimeout(timer);
      }
    })());
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    })());

  const ready = async () => {
    try {
      await waitUntilHealthy(baseUrl, child.exited);
    } catch (error) {
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- server output ---\n${output.text.trim()}`);
    }
  };
  const description = `${baseUrl} (pid ${child.pid}, NODE_ENV=production, LOG_LEVEL=warn, embedded database file with the demo data)`;
  return { baseUrl, pid: child.pid, settings, description, ready, halt, stop };
}

/** Polls /healthz until it answers 200; fails if the server exits or takes too long. */
async function waitUntilHealthy(baseUrl: string, exited: Promise<number>): Promise<void> {
  let exitCode: number | null = null;
  void exited.then((code) => (exitCode = code));
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exitCode !== null) throw new Error(`bench: the server exited with code ${exitCode} before it was ready`);
    try {
      const response = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(1_000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await Bun.sleep(100);
  }
  throw new Error(`bench: the server did not answer /healthz within ${STARTUP_TIMEOUT_MS / 1000} s`);
}
