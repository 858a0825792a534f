// `npm start` without LIVEKIT_URL: runs a local LiveKit media server (`livekit-server --dev`, on 127.0.0.1
// only, with LiveKit's development keys devkey/secret) beside the app, if its binary has been built into
// the ignored cache (`bun scripts/livekit-server.ts`, which needs Go; nothing is built here, so a start
// stays quick). LiveKit posts its webhooks to this app's /webhooks/livekit. Without the binary, or when it
// does not start, the app runs on without broadcasting and the reason is one line to print.
//
// Bun/Node only (node:child_process, node:fs).
import { mkdtempSync, writeFileSync } from "node:fs";
import { spawnChildServer } from "./platform/child-server.ts";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  LIVEKIT_DEV_API_KEY,
  LIVEKIT_DEV_API_SECRET,
  LIVEKIT_SERVER_VERSION,
  cachedLiveKitServerBinary,
  freeLiveKitPorts,
  liveKitAnswers,
  liveKitLocalConfig,
  liveKitPortsFree,
  type LiveKitPorts,
} from "../scripts/livekit-server.ts";

const LOOPBACK = "127.0.0.1";
/** LiveKit's usual development ports (signalling, media over UDP), used when they are free. */
const PREFERRED_PORTS: LiveKitPorts = { signal: 7880, udp: 7882, tcp: 0 };
const START_TIMEOUT_MS = 15_000;

export interface LocalLiveKit {
  /** `ws://127.0.0.1:<port>`: set it as LIVEKIT_URL for the app. */
  url: string;
  apiKey: string;
  apiSecret: string;
  /** What LiveKit printed so far (last 64 KiB). */
  output(): string;
  /** Stops LiveKit (SIGTERM, then SIGKILL after 5 s). Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartLocalLiveKitOptions {
  /** The app's HTTP port, for LiveKit's webhooks (http://127.0.0.1:<port>/webhooks/livekit). */
  appPort: number;
  /** The address the app listens on (HOST); LiveKit posts to 127.0.0.1 when it is a wildcard or localhost. */
  appHost?: string;
  /** LIVEKIT_URL: when set, that LiveKit is used and none is started. */
  liveKitUrl?: string;
  /** NODE_ENV: never in production (the development keys are public). */
  nodeEnv?: string;
  /** "never" starts none (e.g. LIVEKIT_DEV_SERVER=never); "auto" unless told. */
  mode?: "auto" | "never";
  /** Where LiveKit's own lines go (they are few: its log level is warn); stderr unless told. */
  log?: (line: string) => void;
}

export interface LocalLiveKitResult {
  /** The running server, or null when none was started. */
  liveKit: LocalLiveKit | null;
  /** One line for the console: where LiveKit is, or why broadcasting is unavailable and how to enable it. */
  message: string;
}

export async function startLocalLiveKit(options: StartLocalLiveKitOptions): Promise<LocalLiveKitResult> {
  if (options.liveKitUrl) return { liveKit: null, message: `LiveKit: using ${options.liveKitUrl} (LIVEKIT_URL)` };
  const howToEnable = "set LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET, or build a local server with `bun scripts/livekit-server.ts` (needs Go)";
  if (options.mode === "never") return { liveKit: null, message: `LiveKit: not started (LIVEKIT_DEV_SERVER=never); broadcasting is unavailable: ${howToEnable}` };
  if (options.nodeEnv === "production") {
    return { liveKit: null, message: "LiveKit: broadcasting is unavailable: set LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET (no local development server in production)" };
  }
  const binary = cachedLiveKitServerBinary();
  if (!binary) return { liveKit: null, message: `LiveKit: broadcasting is unavailable: livekit-server ${LIVEKIT_SERVER_VERSION} is not built; ${howToEnable}` };

  const webhookHost = !options.appHost || ["0.0.0.0", "::", "localhost"].includes(options.appHost) ? LOOPBACK : options.appHost;
  const webhookUrl = `http://${webhookHost.includes(":") ? `[${webhookHost}]` : webhookHost}:${options.appPort}/webhooks/livekit`;
  const log = options.log ?? ((line: string) => console.error(line));

  let failure = "";
  // LiveKit's usual ports first; if they are taken (another LiveKit, another start), ports the OS picks.
  const candidates = (await liveKitPortsFree(PREFERRED_PORTS)) ? [PREFERRED_PORTS, await freeLiveKitPorts()] : [await freeLiveKitPorts(), await freeLiveKitPorts()];
  for (const ports of candidates) {
    const started = await startOn(binary, ports, webhookUrl, log);
    if ("liveKit" in started) {
      return { liveKit: started.liveKit, message: `LiveKit: local development server at ${started.liveKit.url} (keys ${LIVEKIT_DEV_API_KEY}/${LIVEKIT_DEV_API_SECRET}, webhooks to ${webhookUrl})` };
    }
    failure = started.failure;
  }
  return { liveKit: null, message: `LiveKit: broadcasting is unavailable: the local livekit-server did not start (${failure}); ${howToEnable}` };
}

async function startOn(binary: string, ports: LiveKitPorts, webhookUrl: string, log: (line: string) => void): Promise<{ liveKit: LocalLiveKit } | { failure: string }> {
  const dir = mkdtempSync(join(tmpdir(), "broadcart-livekit-"));
  const configFile = join(dir, "livekit.yaml");
  writeFileSync(configFile, liveKitLocalConfig({ ports, webhookUrls: [webhookUrl], logLevel: "warn" }));
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ["LIVEKIT_CONFIG", "LIVEKIT_KEYS", "UDP_PORT", "NODE_IP", "REDIS_HOST", "REDIS_PASSWORD", "LIVEKIT_REGION"]) delete env[name];

  let ready = false;
  let partial = "";
  const server = spawnChildServer({
    name: "livekit-server",
    binary,
    args: ["--dev", "--config", configFile],
    cwd: dir,
    env,
    dir,
    onOutput: (_output, text) => {
      if (!ready) return;
      // Once it runs, what it says (warnings and errors only) goes to the app's console, a line at a time.
      partial += text;
      const lines = partial.split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) if (line.trim()) log(`[livekit] ${line.slice(0, 2_000)}`);
    },
  });
  const httpUrl = `http://${LOOPBACK}:${ports.signal}`;
  try {
    await server.waitUntil(() => liveKitAnswers(httpUrl), { deadline: Date.now() + START_TIMEOUT_MS, timeoutMs: START_TIMEOUT_MS });
  } catch (error) {
    const lastLine = server.output().trim().split("\n").at(-1)?.trim().slice(0, 300) || "it printed nothing";
    const exited = (error as Error).message.startsWith("livekit-server did not start");
    return { failure: exited ? `it exited: ${lastLine}` : `no answer on ${httpUrl} within ${START_TIMEOUT_MS / 1000} s: ${lastLine}` };
  }
  ready = true;
  return { liveKit: { url: `ws://${LOOPBACK}:${ports.signal}`, apiKey: LIVEKIT_DEV_API_KEY, apiSecret: LIVEKIT_DEV_API_SECRET, output: () => server.output(), stop: () => server.stop() } };
}
