// The same HTTP journeys (tests/journeys/) on every runtime the app ships for: the Bun server, the
// Workers entry under `wrangler dev` (workerd, offline) and the Deno entry. Each runtime gets a fresh
// sqld, migrated and seeded, and one LiveKit server serves them all. Runtimes run one after another, and
// the journeys on a runtime in order, so two cores are enough.
import { afterAll, beforeAll, describe, it } from "bun:test";
import { startBunServer } from "./fixtures/bun-server.ts";
import { startDeno } from "./fixtures/deno.ts";
import { startLiveKit, type LiveKit } from "./fixtures/livekit.ts";
import { startWorker } from "./fixtures/worker.ts";
import { journeyEnvironment } from "./journeys/environment.ts";
import { journeys } from "./journeys/index.ts";
import { startTarget, type StartRuntime, type Target } from "./journeys/target.ts";

const runtimes: { name: string; start: StartRuntime }[] = [
  { name: "bun (bun src/server.ts)", start: startBunServer },
  { name: "worker (wrangler dev, workerd)", start: startWorker },
  { name: "deno (edge/deno.ts)", start: startDeno },
];

let liveKit: LiveKit | undefined;

beforeAll(async () => {
  liveKit = await startLiveKit(); // built with Go on first use: minutes on 2 cores
}, 600_000);

afterAll(async () => {
  await liveKit?.stop();
});

for (const runtime of runtimes) {
  describe(`journeys on ${runtime.name}`, () => {
    let target: Target | undefined;

    beforeAll(async () => {
      target = await startTarget(runtime.name, runtime.start, await journeyEnvironment(liveKit!));
    }, 240_000);

    afterAll(async () => {
      await target?.stop();
    }, 30_000);

    for (const [name, journey] of Object.entries(journeys)) {
      it(name, async () => {
        if (!target) throw new Error(`${runtime.name} did not start`);
        try {
          await journey(target);
        } catch (error) {
          // The runtime's own log beside the failed expectation: why a page was a 500 is only there.
          if (error instanceof Error) error.message += `\n--- ${runtime.name} output (last 6 KiB) ---\n${target.output().slice(-6_144)}`;
          throw error;
        }
      }, 120_000);
    }
  });
}
