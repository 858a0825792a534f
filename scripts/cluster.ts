// `npm run cluster`: the scale-out topology on this machine (scripts/cluster/topology.ts, docs/scale-out.md)
// until Ctrl-C. `npm run cluster -- stop` stops one started from another terminal.
//
//   npm run cluster                     2 app instances, sqld primary + replica, nginx, Redis, 2 LiveKit nodes
//   npm run cluster -- --instances 3    more app instances behind nginx
//   npm run cluster -- --no-livekit     without Redis and LiveKit
//   npm run cluster -- stop
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { demoSignIns } from "../db/seed.ts";
import { DEMO_PASSWORD } from "../db/seed-data.ts";
import { missingSystemBinaries, startCluster } from "./cluster/topology.ts";

const stateFile = join(import.meta.dir, "..", ".cache", "cluster", "running.json");
const args = process.argv.slice(2);

if (args[0] === "stop") {
  process.exit(stopRunning());
}

const missing = missingSystemBinaries();
if (missing.length) {
  console.error(`cluster: ${missing.join(" and ")} not installed; on Debian: apt-get install ${missing.map((name) => (name === "nginx" ? "nginx-light" : name)).join(" ")}`);
  process.exit(1);
}
const instancesFlag = args.indexOf("--instances");
const instances = instancesFlag >= 0 ? Number(args[instancesFlag + 1]) : 2;
if (!Number.isInteger(instances) || instances < 1 || instances > 8) {
  console.error("cluster: --instances must be a whole number from 1 to 8");
  process.exit(2);
}

console.log("starting the cluster (the first run builds livekit-server and installs sqld)…");
const cluster = await startCluster({ instances, liveKit: !args.includes("--no-livekit"), log: (line) => console.log(`  ${line}`) });
mkdirSync(join(stateFile, ".."), { recursive: true });
writeFileSync(stateFile, JSON.stringify({ pid: process.pid, url: cluster.url }) + "\n");
console.log(`\nBroadcart cluster is running at ${cluster.url}  (Ctrl-C or \`npm run cluster -- stop\` stops it)`);
for (const instance of cluster.instances) console.log(`  instance ${instance.name} directly: ${instance.url}`);
console.log(`Demo sign-ins (password: ${DEMO_PASSWORD}):`);
for (const line of demoSignIns()) console.log(line);
console.log(`Files (removed on stop): ${cluster.dir}`);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    console.log("\nstopping the cluster…");
    await cluster.stop();
    rmSync(stateFile, { force: true });
    process.exit(0);
  });
}

/** Sends SIGTERM to the `npm run cluster` process recorded in .cache/cluster/running.json; it stops its children. */
function stopRunning(): number {
  if (!existsSync(stateFile)) {
    console.log("cluster: none is running (no .cache/cluster/running.json)");
    return 0;
  }
  const { pid, url } = JSON.parse(readFileSync(stateFile, "utf8")) as { pid: number; url: string };
  try {
    process.kill(pid, "SIGTERM");
    console.log(`cluster: stopping the one at ${url} (pid ${pid})`);
  } catch {
    console.log(`cluster: the one at ${url} (pid ${pid}) had already ended`);
    rmSync(stateFile, { force: true });
  }
  return 0;
}
