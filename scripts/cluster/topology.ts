// Scale-out on one machine, for real (docs/scale-out.md): a sqld primary and a sqld replica joined by
// gRPC replication; app instances (`bun src/server.ts`) whose databases are embedded replicas synced from
// the sqld replica, writing to the primary; nginx round-robin in front of them; Redis; and LiveKit nodes
// joined through that Redis. Everything listens on 127.0.0.1 on free ports, keeps its files in one
// temporary directory, and is stopped (and the directory removed) by stop(). Bun only.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChildServer } from "../../src/platform/child-server.ts";
import { appEnvironment, freeTcpPort, startInstance, startLiveKitNodes, startNginx, startSqld } from "./processes.ts";

export { appEnvironment, missingSystemBinaries } from "./processes.ts";

const LOOPBACK = "127.0.0.1";

export interface ClusterOptions {
  /** App instances behind nginx; 2 unless told. */
  instances?: number;
  /** Redis and two LiveKit nodes joined through it; true unless told. */
  liveKit?: boolean;
  /** Where the instances' embedded replicas sync from: the sqld replica unless told. */
  syncFrom?: "replica" | "primary";
  /** The app instances' log level; "warn" unless told. */
  logLevel?: "debug" | "info" | "warn" | "error";
  /** Progress lines ("started sqld primary …"); none unless told. */
  log?: (line: string) => void;
}

export interface ClusterInstance {
  /** "a", "b", … */
  name: string;
  url: string;
  port: number;
  output(): string;
}

export interface ClusterLiveKitNode {
  /** ws://127.0.0.1:<port>, for clients and the server SDK. */
  url: string;
  httpUrl: string;
  output(): string;
}

/** The secrets every instance shares, so that a session or CSRF token from one is good on the others. */
export interface ClusterSecrets {
  sessionSecret: string;
  dataKey: string;
  auditSigningKey: string;
  liveKitApiKey: string;
  liveKitApiSecret: string;
}

export interface Cluster {
  dir: string;
  /** nginx: what shoppers use. */
  url: string;
  instances: ClusterInstance[];
  /** The sqld primary's Hrana-over-HTTP URL (writes go here). */
  primaryUrl: string;
  /** The sqld replica's Hrana-over-HTTP URL. */
  replicaUrl: string;
  /** Where the instances' embedded replicas sync from: the sqld replica's URL, or the primary's. */
  syncUrl: string;
  /** redis://127.0.0.1:<port>, or null without LiveKit. */
  redisUrl: string | null;
  liveKit: ClusterLiveKitNode[];
  secrets: ClusterSecrets;
  /** The instance that answered, from nginx's X-Broadcart-Instance header (its upstream address). */
  instanceOf(response: Response): ClusterInstance | undefined;
  /** Stops everything, newest first, and removes the directory. Safe to call twice. */
  stop(): Promise<void>;
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const log = options.log ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), "broadcart-cluster-"));
  const children: ChildServer[] = [];
  /** Starts still under way, waited for before stopping, so a failed start leaves no process behind. */
  const starting: Promise<unknown>[] = [];
  const stopAll = async () => {
    await Promise.allSettled(starting);
    for (const child of children.reverse()) await child.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const secrets = newSecrets();
    const primary = await startSqld(children, dir, "primary", { grpc: true });
    log(`sqld primary   ${primary.url} (gRPC ${primary.grpcUrl})`);
    const replicaStarting = startSqld(children, dir, "replica", { primaryGrpcUrl: primary.grpcUrl });
    starting.push(replicaStarting);
    const nginxPort = await freeTcpPort();
    const nginxUrl = `http://${LOOPBACK}:${nginxPort}`;
    const liveKitStarting = options.liveKit === false ? Promise.resolve({ redisUrl: null, nodes: [] }) : startLiveKitNodes(children, dir, secrets, `${nginxUrl}/webhooks/livekit`);
    starting.push(liveKitStarting);
    await prepareDatabase(primary.url, secrets, join(dir, "images"));
    log("database       migrated, demo data seeded (on the primary)");
    const replica = await replicaStarting;
    log(`sqld replica   ${replica.url} (replicating from the primary over gRPC)`);
    const { redisUrl, nodes } = await liveKitStarting;
    if (redisUrl) log(`redis          ${redisUrl}`);
    for (const node of nodes) log(`livekit node   ${node.url}`);

    const syncUrl = options.syncFrom === "primary" ? primary.url : replica.url;
    const names = "abcdefgh".slice(0, options.instances ?? 2).split("");
    const instances = await Promise.all(
      names.map((name, i) =>
        startInstance(children, dir, name, {
          secrets,
          primaryUrl: primary.url,
          syncUrl,
          liveKitUrl: nodes.length ? nodes[i % nodes.length]!.url : undefined,
          logLevel: options.logLevel ?? "warn",
        }),
      ),
    );
    for (const instance of instances) log(`app instance ${instance.name} ${instance.url} (embedded replica synced from ${syncUrl === primary.url ? "the primary" : "the sqld replica"}, writes to the primary)`);
    await startNginx(children, dir, nginxPort, instances);
    log(`nginx          ${nginxUrl} (round-robin over ${instances.length} instances)`);

    const byAddress = new Map(instances.map((instance) => [`${LOOPBACK}:${instance.port}`, instance]));
    let stopping: Promise<void> | undefined;
    return {
      dir,
      url: nginxUrl,
      instances,
      primaryUrl: primary.url,
      replicaUrl: replica.url,
      syncUrl,
      redisUrl,
      liveKit: nodes,
      secrets,
      instanceOf: (response) => byAddress.get(response.headers.get("x-broadcart-instance") ?? ""),
      stop: () => (stopping ??= stopAll()),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function newSecrets(): ClusterSecrets {
  return {
    sessionSecret: randomBytes(32).toString("hex"),
    dataKey: randomBytes(32).toString("hex"),
    auditSigningKey: generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "der" }).toString("base64"),
    liveKitApiKey: "cluster",
    liveKitApiSecret: randomBytes(24).toString("hex"),
  };
}


/** Migrates the primary and seeds the demo data once, before any instance starts (so none races another to do it). */
async function prepareDatabase(primaryUrl: string, secrets: ClusterSecrets, imagesDir: string): Promise<void> {
  const { bootstrap } = await import("../../src/bootstrap.ts");
  const { parseConfig } = await import("../../src/config.ts");
  const config = parseConfig({ ...appEnvironment(secrets, imagesDir), DATABASE_URL: primaryUrl, DEMO_DATA: "auto", LOG_LEVEL: "warn" });
  const runtime = await bootstrap(config);
  runtime.database.close();
}
