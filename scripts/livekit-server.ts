// The LiveKit media server (livekit-server, Go) for the tests and for `npm start`. It is built from source
// with Go into the ignored cache (.cache/livekit-server/<version>/livekit-server) and reused after that;
// nothing is downloaded at run time once it is there.
//
//   bun scripts/livekit-server.ts            builds it if it is missing, then prints its path
//   bun scripts/livekit-server.ts --latest   also asks the Go module proxy for the newest release
//
// Why this version: `go list -m -versions github.com/livekit/livekit-server` served v1.13.5 … v1.13.11
// (2026-11). Every release from v1.13.6 on has `replace` directives in its go.mod pointing Pion's
// webrtc/ice/dtls at LiveKit's forks (github.com/livekit/webrtc-pion/v4, …/ice/v4, …/dtls/v3), so
// `go install …@v1.13.6+` refuses to build it ("go.mod … contains one or more replace directives"), and
// the module proxy does not serve those forks either (403 "not available"): built without the forks,
// v1.13.11 does not compile (it calls SettingEngine.EnableSped, which only the fork has). v1.13.5 is the
// newest release that `go install` builds from the module proxy as it is.
//
// This file is also the one place that knows how LiveKit is run locally (the YAML config, the ports), so
// the test fixture (tests/fixtures/livekit.ts) and `npm start` (src/livekit-dev.ts) run it the same way.
import { execFile } from "node:child_process";
import { createSocket } from "node:dgram";
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const LIVEKIT_SERVER_MODULE = "github.com/livekit/livekit-server";
/** Pinned 2026-11: the newest release that builds with `go install` from the Go module proxy (see above). */
export const LIVEKIT_SERVER_VERSION = "v1.13.5";

/** The key pair a `--dev` LiveKit accepts (LiveKit's own development defaults). Never use them in production. */
export const LIVEKIT_DEV_API_KEY = "devkey";
export const LIVEKIT_DEV_API_SECRET = "secret";

const LOOPBACK = "127.0.0.1";

const cacheDir = fileURLToPath(new URL(`../.cache/livekit-server/${LIVEKIT_SERVER_VERSION}`, import.meta.url));

/** Where the built binary lives (whether or not it has been built yet). */
export const liveKitServerPath = join(cacheDir, "livekit-server");

/** The cached binary, or undefined when it has not been built (nothing is built here). */
export function cachedLiveKitServerBinary(): string | undefined {
  return existsSync(liveKitServerPath) ? liveKitServerPath : undefined;
}

let installing: Promise<string> | undefined;

/**
 * The livekit-server binary, built with `go install` into .cache/livekit-server/<version>/ the first time
 * (about 100 s on 2 cores with an empty Go build cache; Go must be installed). Throws a message that says
 * how to get Go when it is missing.
 */
export function livekitServerBinary(): Promise<string> {
  installing ??= install().catch((error) => {
    installing = undefined;
    throw error;
  });
  return installing;
}

async function install(): Promise<string> {
  if (existsSync(liveKitServerPath)) return liveKitServerPath;
  if (!goCommand()) {
    throw new Error(
      `livekit-server is not built (${liveKitServerPath}) and Go is not installed: install Go 1.26+ ` +
        `(https://go.dev/doc/install, or Debian's golang-go if it is new enough), then run \`bun scripts/livekit-server.ts\`.`,
    );
  }
  mkdirSync(cacheDir, { recursive: true });
  // Built into a directory of its own and then moved into place, so that a build that fails halfway (or a
  // second process building at the same moment) never leaves a broken binary behind.
  const gobin = mkdtempSync(join(cacheDir, ".install-"));
  try {
    await go(["install", `${LIVEKIT_SERVER_MODULE}/cmd/server@${LIVEKIT_SERVER_VERSION}`], { GOBIN: gobin });
    renameSync(join(gobin, "server"), liveKitServerPath);
  } finally {
    rmSync(gobin, { recursive: true, force: true });
  }
  return liveKitServerPath;
}

/** The newest livekit-server release the Go module proxy lists (for re-pinning LIVEKIT_SERVER_VERSION). */
export async function newestLiveKitServerRelease(): Promise<string> {
  const { stdout } = await go(["list", "-m", "-versions", LIVEKIT_SERVER_MODULE], {});
  const versions = stdout.trim().split(/\s+/).slice(1).filter((version) => /^v\d+\.\d+\.\d+$/.test(version));
  const newest = versions.sort(compareVersions).at(-1);
  if (!newest) throw new Error(`go list listed no release of ${LIVEKIT_SERVER_MODULE}: ${stdout.trim()}`);
  return newest;
}

function compareVersions(a: string, b: string): number {
  const pa = a.slice(1).split(".").map(Number);
  const pb = b.slice(1).split(".").map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
  return 0;
}

/** `$GO`, `go` on PATH, or /usr/local/go/bin/go; undefined when none is there. */
function goCommand(): string | undefined {
  if (process.env.GO) return process.env.GO;
  return Bun.which("go") ?? (existsSync("/usr/local/go/bin/go") ? "/usr/local/go/bin/go" : undefined);
}

function go(args: string[], extraEnv: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
  const command = goCommand() ?? "go";
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      // Run outside any Go module so the project's (or a parent's) go.mod and GOFLAGS play no part.
      { cwd: tmpdir(), env: { ...process.env, GOFLAGS: "-buildvcs=false", ...extraEnv }, maxBuffer: 16 * 1024 * 1024, timeout: 20 * 60_000 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`\`${command} ${args.join(" ")}\` failed: ${error.message}\n--- go output ---\n${`${stdout}${stderr}`.trim() || "(nothing)"}\n--- end of go output ---`));
        } else {
          resolve({ stdout, stderr });
        }
      },
    );
  });
}

export interface LiveKitPorts {
  /** HTTP and WebSocket signalling (and the server API): ws://127.0.0.1:<signal>. */
  signal: number;
  /** WebRTC media over UDP (one muxed port). */
  udp: number;
  /** WebRTC over TCP (ICE/TCP), or 0 for none. */
  tcp: number;
}

export interface LiveKitConfigOptions {
  ports: LiveKitPorts;
  apiKey?: string;
  apiSecret?: string;
  /** Where LiveKit posts its webhooks (signed with apiKey/apiSecret); none when empty. */
  webhookUrls?: string[];
  /** LiveKit's log level; at "info" it prints whole SDPs, so "warn" unless told. */
  logLevel?: "debug" | "info" | "warn" | "error";
}

/**
 * The config for a local LiveKit on the loopback interface only: signalling bound to 127.0.0.1, media
 * advertised and accepted on 127.0.0.1 only. Run it with `--dev --config <file>`. The text is JSON, which
 * is YAML too. LiveKit binds ICE/TCP on every interface whatever bind_addresses says, so ports.tcp is 0
 * (none) unless a caller asks for it; loopback UDP is enough for clients on the same machine.
 */
export function liveKitLocalConfig({ ports, apiKey = LIVEKIT_DEV_API_KEY, apiSecret = LIVEKIT_DEV_API_SECRET, webhookUrls = [], logLevel = "warn" }: LiveKitConfigOptions): string {
  const config = {
    port: ports.signal,
    bind_addresses: [LOOPBACK],
    keys: { [apiKey]: apiSecret },
    rtc: {
      udp_port: ports.udp,
      tcp_port: ports.tcp,
      node_ip: LOOPBACK,
      use_external_ip: false,
      enable_loopback_candidate: true,
      ips: { includes: [`${LOOPBACK}/32`] },
    },
    turn: { enabled: false },
    logging: { level: logLevel, pion_level: "error" },
    ...(webhookUrls.length ? { webhook: { api_key: apiKey, urls: webhookUrls } } : {}),
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** Ports nobody uses right now on 127.0.0.1 (the OS picks them; LiveKit binds them a moment later). */
export async function freeLiveKitPorts({ tcp = false }: { tcp?: boolean } = {}): Promise<LiveKitPorts> {
  return { signal: await freeTcpPort(), udp: await freeUdpPort(), tcp: tcp ? await freeTcpPort() : 0 };
}

/** True when nothing listens on these ports on 127.0.0.1 right now. */
export async function liveKitPortsFree(ports: LiveKitPorts): Promise<boolean> {
  try {
    await freeTcpPort(ports.signal);
    await freeUdpPort(ports.udp);
    if (ports.tcp) await freeTcpPort(ports.tcp);
    return true;
  } catch {
    return false;
  }
}

function freeTcpPort(port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on("error", reject);
    probe.listen(port, LOOPBACK, () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no free TCP port"))));
    });
  });
}

function freeUdpPort(port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createSocket("udp4");
    probe.unref();
    probe.on("error", reject);
    probe.bind(port, LOOPBACK, () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** True once `http://127.0.0.1:<port>/` answers as LiveKit does (200 "OK"). */
export async function liveKitAnswers(httpUrl: string): Promise<boolean> {
  try {
    const response = await fetch(httpUrl, { signal: AbortSignal.timeout(1_000) });
    return response.ok && (await response.text()).trim() === "OK";
  } catch {
    return false;
  }
}

if (import.meta.main) {
  const started = performance.now();
  const cached = cachedLiveKitServerBinary();
  if (!cached) console.error(`building livekit-server ${LIVEKIT_SERVER_VERSION} with Go (a minute or two the first time)…`);
  try {
    const binary = await livekitServerBinary();
    if (!cached) console.error(`built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    console.log(binary);
    if (process.argv.includes("--latest")) {
      const newest = await newestLiveKitServerRelease();
      console.error(
        newest === LIVEKIT_SERVER_VERSION
          ? `${LIVEKIT_SERVER_VERSION} is the newest release the Go module proxy lists`
          : `the Go module proxy lists ${newest} (pinned: ${LIVEKIT_SERVER_VERSION}; newer releases may not build with go install, see the top of this file)`,
      );
    }
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
