#!/usr/bin/env bun
// The Broadcart POS agent, run beside the till (`npm run agent -- <command>`, or the single file
// built by `npm run build:agent`):
//   pair <code> --server <url> [--name <name>] [--credentials <file>] [--force]
//   run [--config <file>]
//   status [--config <file>]
// Config: --config, else BROADCART_AGENT_CONFIG, else ./broadcart-agent.json (see config.ts).
// Errors are one line on stderr and a non-zero exit: 1 usage/config, 2 credentials/pairing/outbox,
// 3 the server refused the device while running.
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import type { PairAnswer } from "../protocol.ts";
import { ConfigError, configPath, loadAgentConfig, type AgentConfig } from "./config.ts";
import { CredentialsError, readCredentials, writeCredentials } from "./credentials.ts";
import { createDriver } from "./drivers/index.ts";
import type { DriverContext } from "./drivers/driver.ts";
import { Outbox, OutboxError } from "./outbox.ts";
import { Relay, RelayStopped } from "./relay.ts";
import { followDisplay } from "./display/follow.ts";

const USAGE = "usage: broadcart-agent pair <code> --server <url> [--name <name>] | run [--config <file>] | status [--config <file>]";
const DEFAULT_CREDENTIALS = "./broadcart-credentials.json";

class ExitError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

function log(message: string): void {
  process.stderr.write(`broadcart-agent: ${message}\n`);
}

function loadConfig(flag: string | undefined): AgentConfig {
  try {
    return loadAgentConfig(configPath(flag));
  } catch (error) {
    if (error instanceof ConfigError) throw new ExitError(error.message, 1);
    throw error;
  }
}

async function pair(positionals: string[], values: Record<string, string | boolean | undefined>): Promise<void> {
  const code = positionals[0];
  const server = typeof values.server === "string" ? values.server.replace(/\/+$/, "") : undefined;
  if (!code || !server) throw new ExitError(`pair needs a code and --server <url>; ${USAGE}`, 1);
  if (!/^https?:\/\/[^/]/.test(server)) throw new ExitError(`--server must be an http(s) URL, not ${server}`, 1);
  let credentialsFile: string;
  if (typeof values.credentials === "string") credentialsFile = values.credentials;
  else if (typeof values.config === "string" || process.env.BROADCART_AGENT_CONFIG || existsSync(configPath(undefined))) credentialsFile = loadConfig(values.config as string | undefined).credentials;
  else credentialsFile = DEFAULT_CREDENTIALS;
  if (existsSync(credentialsFile) && values.force !== true) throw new ExitError(`${credentialsFile} already holds a paired device; pass --force to replace it`, 2);

  let response: Response;
  try {
    response = await fetch(`${server}/pos/v1/pair`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ code, ...(typeof values.name === "string" ? { name: values.name } : {}) }),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new ExitError(`cannot reach ${server}: ${(error as Error).message}`, 2);
  }
  if (response.status === 401) throw new ExitError("pairing code refused: unknown, already used or expired; ask for a new one in the dashboard (Store → POS devices)", 2);
  if (response.status !== 200) throw new ExitError(`pairing failed: ${server} answered ${response.status}`, 2);
  let answer: PairAnswer;
  try {
    answer = (await response.json()) as PairAnswer;
    if (typeof answer.deviceId !== "string" || typeof answer.secret !== "string") throw new Error("no device id or secret");
  } catch (error) {
    throw new ExitError(`pairing failed: unexpected answer from ${server} (${(error as Error).message})`, 2);
  }
  try {
    writeCredentials(credentialsFile, { deviceId: answer.deviceId, secret: answer.secret, storeId: String(answer.storeId), server, pairedAt: new Date().toISOString() });
  } catch (error) {
    throw new ExitError(`paired as ${answer.deviceId} but cannot write ${credentialsFile}: ${(error as Error).message}`, 2);
  }
  process.stdout.write(`paired: device ${answer.deviceId} of store ${answer.storeId}; credentials in ${credentialsFile} (mode 600)\n`);
}

function openOutbox(path: string): Outbox {
  try {
    return new Outbox(path);
  } catch (error) {
    throw new ExitError(`cannot open outbox ${path}: ${(error as Error).message}`, 2);
  }
}

async function run(values: Record<string, string | boolean | undefined>): Promise<void> {
  const config = loadConfig(values.config as string | undefined);
  let credentials;
  try {
    credentials = readCredentials(config.credentials);
  } catch (error) {
    if (error instanceof CredentialsError) throw new ExitError(error.message, 2);
    throw error;
  }
  const outbox = openOutbox(config.outbox);
  try {
    outbox.bindDevice(credentials.deviceId);
  } catch (error) {
    outbox.close();
    if (error instanceof OutboxError) throw new ExitError(error.message, 2);
    throw error;
  }
  if (credentials.server.replace(/\/+$/, "") !== config.server) log(`note: device paired with ${credentials.server}, sending to ${config.server}`);

  const relay = new Relay({ server: config.server, credentials, outbox, log, ...config.relay });
  const context: DriverContext = {
    cursor: (key) => outbox.cursor(key),
    reject: (row, cursor) => outbox.reject(row, cursor),
    log,
  };
  let driver;
  try {
    driver = createDriver(config.driver, context);
  } catch (error) {
    outbox.close();
    throw new ExitError(`driver ${config.driver.type}: ${(error as Error).message}`, 1);
  }

  const display = config.display
    ? followDisplay({ server: config.server, deviceId: credentials.deviceId, secret: credentials.secret, port: config.display.serial, log })
    : null;

  let stopping: Promise<void> | null = null;
  const shutdown = (code: number) => {
    stopping ??= (async () => {
      await display?.stop().catch((error: unknown) => log(`display stop: ${(error as Error).message}`));
      await driver.stop().catch((error: unknown) => log(`driver stop: ${(error as Error).message}`));
      await relay.stop();
      outbox.close();
      process.exit(code);
    })();
    return stopping;
  };
  process.on("SIGTERM", () => void shutdown(0));
  process.on("SIGINT", () => void shutdown(0));

  relay.start();
  relay.done().catch((error: unknown) => {
    log(error instanceof RelayStopped ? `stopped: ${error.message}` : `relay failed: ${(error as Error).message}`);
    void shutdown(3);
  });
  const counts = outbox.counts();
  log(`running as device ${credentials.deviceId}: driver ${config.driver.type}, ${counts.pending} waiting in ${config.outbox}, sending to ${config.server}`);
  await driver.start(async (transaction, cursor) => {
    outbox.append(transaction, cursor);
  });
}

function status(values: Record<string, string | boolean | undefined>): void {
  const config = loadConfig(values.config as string | undefined);
  let device = "not paired";
  try {
    device = readCredentials(config.credentials).deviceId;
  } catch (error) {
    if (error instanceof CredentialsError) device = `not usable (${error.message})`;
    else throw error;
  }
  const lines = [`device: ${device}`, `server: ${config.server}`, `driver: ${config.driver.type}`, `outbox: ${config.outbox}`];
  if (!existsSync(config.outbox)) {
    lines.push("pending: 0", "rejected: 0", "last sequence: none", "last ack: never");
  } else {
    const outbox = openOutbox(config.outbox);
    try {
      const counts = outbox.counts();
      lines.push(
        `pending: ${counts.pending}`,
        `rejected: ${counts.rejected}`,
        `last sequence: ${counts.lastSequence || "none"}`,
        `acknowledged: ${counts.acknowledged}`,
        `last ack: ${counts.lastAckAt ? `${counts.lastAckAt} (sequence ${counts.lastAckSequence})` : "never"}`,
      );
    } finally {
      outbox.close();
    }
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

async function main(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: "string" },
        server: { type: "string" },
        name: { type: "string" },
        credentials: { type: "string" },
        force: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new ExitError(`${(error as Error).message}; ${USAGE}`, 1);
  }
  const [command, ...rest] = parsed.positionals;
  if (parsed.values.help || command === "help") {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  switch (command) {
    case "pair":
      return pair(rest, parsed.values);
    case "run":
      return run(parsed.values);
    case "status":
      return status(parsed.values);
    default:
      throw new ExitError(command ? `unknown command ${command}; ${USAGE}` : USAGE, 1);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ExitError) {
    log(error.message);
    process.exit(error.code);
  }
  log(`error: ${error instanceof Error ? error.message : String(error)}`.replace(/\s*\n\s*/g, " "));
  process.exit(1);
});
