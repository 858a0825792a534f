// Keeps the customer display in step with the server: a signed long poll on /pos/v1/display, and
// each new state written to the display's serial port. Offline, the display keeps its last text and
// the poll retries with backoff.
import type { DisplayAnswer } from "../../display.ts";
import { signedHeaders } from "../../protocol.ts";
import { ReconnectingPort, type SerialSettings } from "../serial/port.ts";
import { displayLines, vfdFrame } from "./vfd.ts";

export interface DisplayFollowerOptions {
  server: string;
  deviceId: string;
  secret: string;
  port: SerialSettings;
  /** Told of every state shown, for logs and tests. */
  onShown?: (answer: DisplayAnswer) => void;
  log?: (line: string) => void;
}

const PATH = "/pos/v1/display";

export function followDisplay(options: DisplayFollowerOptions): { stop(): Promise<void> } {
  const port = new ReconnectingPort({ ...options.port, lock: options.port.lock ?? true });
  port.on("error", (error: Error) => options.log?.(`display port: ${error.message}`));
  let stopped = false;
  let aborter: AbortController | null = null;
  let version: string | null = null;

  async function show(answer: DisplayAnswer) {
    await new Promise<void>((resolve, reject) => port.write(vfdFrame(displayLines(answer.state)), (error) => (error ? reject(error) : resolve())));
    version = answer.version;
    options.onShown?.(answer);
  }

  void (async () => {
    let backoffMs = 500;
    while (!stopped) {
      try {
        aborter = new AbortController();
        const query = version ? `?version=${version}` : "";
        const headers = await signedHeaders(options.deviceId, options.secret, "GET", PATH, "");
        const response = await fetch(`${options.server}${PATH}${query}`, { headers, signal: aborter.signal });
        if (response.status === 401) {
          options.log?.("display: the server refused this device (revoked?); stopping");
          return;
        }
        if (!response.ok) throw new Error(`display poll answered ${response.status}`);
        const answer = (await response.json()) as DisplayAnswer;
        if (answer.version !== version) await show(answer);
        backoffMs = 500;
      } catch (error) {
        if (stopped) return;
        options.log?.(`display: ${(error as Error).message}; retrying in ${Math.round(backoffMs / 1000)} s`);
        await Bun.sleep(Math.random() * backoffMs);
        backoffMs = Math.min(backoffMs * 2, 60_000);
      }
    }
  })();

  return {
    async stop() {
      stopped = true;
      aborter?.abort();
      await port.close();
    },
  };
}
