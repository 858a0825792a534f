// The processes of the scale-out topology (scripts/cluster/topology.ts puts them together): sqld nodes,
// Redis, LiveKit nodes, app instances and nginx, each a supervised child (src/platform/child-server.ts)
// on free 127.0.0.1 ports, each started and waited for until it answers. Bun only.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { RoomServiceClient } from "livekit-server-sdk";
import { freeLiveKitPorts, liveKitAnswers, livekitServerBinary } from "../livekit-server.ts";
import { answersHttp, freePort, spawnChildServer, type ChildServer } from "../../src/platform/child-server.ts";
import { sqldBinary } from "../../tests/fixtures/sqld-binary.ts";
import type { ClusterInstance, ClusterLiveKitNode, ClusterSecrets } from "./topology.ts";

const LOOPBACK = "127.0.0.1";
const projectRoot = join(import.meta.dir, "..", "..");
const templates = import.meta.dir;
const START_TIMEOUT_MS = 60_000;

/** The app's environment on every instance, and in the process that prepares the database. */
export function appEnvironment(secrets: ClusterSecrets, imagesDir: string): Record<string, string> {
  return {
    NODE_ENV: "production",
    SESSION_SECRET: secrets.sessionSecret,
    DATA_KEY: secrets.dataKey,
    AUDIT_SIGNING_KEY: secrets.auditSigningKey,
    IMAGES_DIR: imagesDir,
    // Behind nginx: the shopper's address and scheme come from X-Forwarded-For / -Proto.
    TRUST_PROXY: "true",
  };
}

export interface SqldNode {
  url: string;
  grpcUrl: string;
}

export async function startSqld(children: ChildServer[], dir: string, name: string, role: { grpc?: boolean; primaryGrpcUrl?: string }): Promise<SqldNode> {
  const port = await freeTcpPort();
  const grpcPort = role.grpc ? await freeTcpPort() : 0;
  const args = ["--db-path", join(dir, `sqld-${name}`), "--http-listen-addr", `${LOOPBACK}:${port}`, "--no-welcome", "--disable-metrics"];
  if (role.grpc) args.push("--grpc-listen-addr", `${LOOPBACK}:${grpcPort}`);
  if (role.primaryGrpcUrl) args.push("--primary-grpc-url", role.primaryGrpcUrl);
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^(SQLD_|LIBSQL_|RUST_LOG$)/.test(key)) env[key] = value;
  env.RUST_LOG = "warn";
  const server = spawnChildServer({ name: `sqld ${name}`, binary: sqldBinary(), args, cwd: dir, env });
  children.push(server);
  const url = `http://${LOOPBACK}:${port}`;
  await server.waitUntil(() => answersHttp(`${url}/version`, { timeoutMs: 1_000, accept: (body) => body.startsWith("sqld") }), deadline(`${url}/version`));
  return { url, grpcUrl: `http://${LOOPBACK}:${grpcPort}` };
}

export async function startLiveKitNodes(children: ChildServer[], dir: string, secrets: ClusterSecrets, webhookUrl: string): Promise<{ redisUrl: string; nodes: ClusterLiveKitNode[] }> {
  const redisPort = await freeTcpPort();
  const redis = spawnChildServer({
    name: "redis-server",
    binary: systemBinary("redis-server"),
    args: ["--port", String(redisPort), "--bind", LOOPBACK, "--save", "", "--appendonly", "no", "--dir", dir, "--protected-mode", "yes"],
    cwd: dir,
    env: process.env,
  });
  children.push(redis);
  await redis.waitUntil(() => redisAnswers(redisPort), deadline(`redis PING on ${redisPort}`));
  const binary = await livekitServerBinary();
  const nodes = await Promise.all(
    [1, 2].map(async (n) => {
      const ports = await freeLiveKitPorts();
      const config = join(dir, `livekit-${n}.yaml`);
      writeFileSync(
        config,
        fill(readFileSync(join(templates, "livekit-node.yaml"), "utf8"), {
          SIGNAL_PORT: ports.signal,
          UDP_PORT: ports.udp,
          REDIS: `${LOOPBACK}:${redisPort}`,
          API_KEY: secrets.liveKitApiKey,
          API_SECRET: secrets.liveKitApiSecret,
          WEBHOOK_URL: webhookUrl,
        }),
      );
      const env: NodeJS.ProcessEnv = { ...process.env };
      for (const name of ["LIVEKIT_CONFIG", "LIVEKIT_KEYS", "UDP_PORT", "NODE_IP", "REDIS_HOST", "REDIS_PASSWORD", "LIVEKIT_REGION"]) delete env[name];
      const node = spawnChildServer({ name: `livekit-server ${n}`, binary, args: ["--config", config, "--node-ip", LOOPBACK], cwd: dir, env });
      children.push(node);
      const httpUrl = `http://${LOOPBACK}:${ports.signal}`;
      const rooms = new RoomServiceClient(httpUrl, secrets.liveKitApiKey, secrets.liveKitApiSecret, { requestTimeout: 2 });
      await node.waitUntil(async () => (await liveKitAnswers(httpUrl)) && (await rooms.listRooms().then(() => true, () => false)), deadline(httpUrl));
      return { url: `ws://${LOOPBACK}:${ports.signal}`, httpUrl, output: node.output };
    }),
  );
  return { redisUrl: `redis://${LOOPBACK}:${redisPort}`, nodes };
}

export interface InstanceSettings {
  secrets: ClusterSecrets;
  primaryUrl: string;
  syncUrl: string;
  liveKitUrl: string | undefined;
  logLevel: string;
}

export async function startInstance(children: ChildServer[], dir: string, name: string, settings: InstanceSettings): Promise<ClusterInstance> {
  const port = await freeTcpPort();
  const home = join(dir, `instance-${name}`);
  mkdirSync(home, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? "",
    HOME: home,
    ...appEnvironment(settings.secrets, join(dir, "images")),
    HOST: LOOPBACK,
    PORT: String(port),
    DATABASE_URL: `file:${join(home, "replica.db")}`,
    DATABASE_SYNC_URL: settings.syncUrl,
    DATABASE_PRIMARY_URL: settings.primaryUrl,
    DEMO_DATA: "never",
    LOG_LEVEL: settings.logLevel,
    ...(settings.liveKitUrl
      ? { LIVEKIT_URL: settings.liveKitUrl, LIVEKIT_API_KEY: settings.secrets.liveKitApiKey, LIVEKIT_API_SECRET: settings.secrets.liveKitApiSecret }
      : {}),
  };
  const server = spawnChildServer({ name: `app instance ${name}`, binary: process.execPath, args: [join(projectRoot, "src", "server.ts")], cwd: projectRoot, env });
  children.push(server);
  const url = `http://${LOOPBACK}:${port}`;
  await server.waitUntil(() => answersHttp(`${url}/healthz`, { timeoutMs: 1_000, accept: (body) => body === "ok" }), deadline(`${url}/healthz`));
  return { name, url, port, output: server.output };
}

export async function startNginx(children: ChildServer[], dir: string, port: number, instances: ClusterInstance[]): Promise<void> {
  const nginxDir = join(dir, "nginx");
  mkdirSync(nginxDir, { recursive: true });
  const conf = fill(readFileSync(join(templates, "nginx.conf"), "utf8"), {
    // As root, nginx's worker would switch to an unprivileged user that cannot write this directory.
    USER: process.getuid?.() === 0 ? "user root;" : "",
    DIR: nginxDir,
    PORT: port,
    UPSTREAMS: instances.map((instance) => `    server ${LOOPBACK}:${instance.port};`).join("\n"),
  });
  writeFileSync(join(nginxDir, "nginx.conf"), conf);
  const server = spawnChildServer({ name: "nginx", binary: systemBinary("nginx"), args: ["-p", nginxDir, "-c", "nginx.conf", "-e", "stderr"], cwd: nginxDir, env: process.env });
  children.push(server);
  const url = `http://${LOOPBACK}:${port}`;
  await server.waitUntil(() => answersHttp(`${url}/healthz`, { timeoutMs: 1_000, accept: (body) => body === "ok" }), deadline(`${url}/healthz`));
}

/** The Debian binaries the cluster needs (`.ci/run` installs them), or the reason one is missing. */
export function missingSystemBinaries(): string[] {
  return ["nginx", "redis-server"].filter((name) => !findSystemBinary(name));
}

function findSystemBinary(name: string): string | undefined {
  return Bun.which(name) ?? ["/usr/sbin", "/usr/bin"].map((folder) => join(folder, name)).find((path) => existsSync(path));
}

function systemBinary(name: string): string {
  const found = findSystemBinary(name);
  if (!found) throw new Error(`${name} is not installed: apt-get install ${name === "nginx" ? "nginx-light" : name} (.ci/run does)`);
  return found;
}

function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    if (!(key in values)) throw new Error(`cluster template: no value for {{${key}}}`);
    return String(values[key]);
  });
}

function deadline(target: string) {
  return { deadline: Date.now() + START_TIMEOUT_MS, timeoutMs: START_TIMEOUT_MS, target };
}

function redisAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, LOOPBACK);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => done(data.toString().startsWith("+PONG")));
  });
}

export const freeTcpPort = (): Promise<number> => freePort(LOOPBACK);
