// The agent's config file (JSON), validated with valibot. Its path comes from `--config`, then
// BROADCART_AGENT_CONFIG, then ./broadcart-agent.json. Relative paths inside it are relative to the
// config file's folder. A bad config is one line on stderr and exit 1 (see main.ts).
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import * as v from "valibot";

export const DEFAULT_CONFIG_PATH = "./broadcart-agent.json";

const int = (min: number, max: number) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));
const path = v.pipe(v.string(), v.trim(), v.minLength(1));

export const serialSettingsSchema = v.strictObject({
  path,
  baudRate: int(50, 4_000_000),
  dataBits: v.optional(v.picklist([5, 6, 7, 8])),
  parity: v.optional(v.picklist(["none", "even", "odd", "mark", "space"])),
  stopBits: v.optional(v.picklist([1, 2])),
  rtscts: v.optional(v.boolean()),
  xon: v.optional(v.boolean()),
  xoff: v.optional(v.boolean()),
  xany: v.optional(v.boolean()),
  hupcl: v.optional(v.boolean()),
  lock: v.optional(v.boolean()),
  retryIntervalMs: v.optional(int(10, 60_000)),
});

const jsonlDriverSchema = v.pipe(
  v.strictObject({
    type: v.literal("jsonl"),
    /** A file the POS software appends to, read tail -f style from the saved offset. */
    file: v.optional(path),
    /** Or a serial port the POS software writes lines to. */
    serial: v.optional(serialSettingsSchema),
    /** Line delimiter on the serial port (default "\n"; "\r" is stripped). */
    delimiter: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(4))),
    /** Currency when a line has none (default CNY). */
    currency: v.optional(v.pipe(v.string(), v.length(3))),
    /** How often the file is checked for new lines besides change events (ms, default 200). */
    pollIntervalMs: v.optional(int(10, 60_000)),
  }),
  v.check((d) => (d.file === undefined) !== (d.serial === undefined), "driver jsonl needs exactly one of file or serial"),
);

/** Settings of the other engineer's drivers: the port(s) and driver-specific options, passed through. */
const escposTapDriverSchema = v.strictObject({
  type: v.literal("escpos-tap"),
  /** The till side (what the till prints). */
  serial: serialSettingsSchema,
  /** The printer side, when the agent sits between till and printer. */
  printer: v.optional(serialSettingsSchema),
  currency: v.optional(v.pipe(v.string(), v.length(3))),
  options: v.optional(v.record(v.string(), v.unknown())),
});

const ecrDriverSchema = v.strictObject({
  type: v.literal("ecr"),
  serial: serialSettingsSchema,
  currency: v.optional(v.pipe(v.string(), v.length(3))),
  options: v.optional(v.record(v.string(), v.unknown())),
});

export const agentConfigSchema = v.strictObject({
  /** The Broadcart server, e.g. https://shop.example.com (no trailing /pos/v1). */
  server: v.pipe(v.string(), v.url(), v.check((url) => /^https?:\/\//.test(url), "server must be an http(s) URL")),
  credentials: v.optional(path, "./broadcart-credentials.json"),
  outbox: v.optional(path, "./broadcart-outbox.db"),
  driver: v.variant("type", [jsonlDriverSchema, escposTapDriverSchema, ecrDriverSchema]),
  relay: v.optional(
    v.strictObject({
      batchSize: v.optional(int(1, 500)),
      baseDelayMs: v.optional(int(1, 600_000)),
      maxDelayMs: v.optional(int(1, 3_600_000)),
      timeoutMs: v.optional(int(100, 600_000)),
    }),
  ),
  /** Customer display (2×20 VFD, ESC/POS commands) on a serial port: the live show's pinned product, else the last sale; optional. */
  display: v.optional(
    v.strictObject({
      serial: serialSettingsSchema,
    }),
  ),
});

export type AgentConfig = v.InferOutput<typeof agentConfigSchema>;
export type DriverConfig = AgentConfig["driver"];
export type JsonlDriverConfig = Extract<DriverConfig, { type: "jsonl" }>;
export type SerialConfig = v.InferOutput<typeof serialSettingsSchema>;

export class ConfigError extends Error {}

/** `--config`, else BROADCART_AGENT_CONFIG, else ./broadcart-agent.json. */
export function configPath(flag: string | undefined, env: Record<string, string | undefined> = process.env): string {
  return resolve(flag ?? (env.BROADCART_AGENT_CONFIG || undefined) ?? DEFAULT_CONFIG_PATH);
}

function issueText(issues: v.BaseIssue<unknown>[]): string {
  const issue = issues[0]!;
  const where = v.getDotPath(issue);
  return where ? `${where}: ${issue.message}` : issue.message;
}

/** Parses a config object; relative paths resolved against `baseDir`. Throws ConfigError (one line). */
export function parseAgentConfig(input: unknown, baseDir: string): AgentConfig {
  const result = v.safeParse(agentConfigSchema, input);
  if (!result.success) throw new ConfigError(`invalid config: ${issueText(result.issues)}`);
  const config = result.output;
  const at = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const serial = <S extends { path: string } | undefined>(s: S): S => (s ? { ...s, path: at(s.path) } : s);
  const driver: DriverConfig =
    config.driver.type === "jsonl"
      ? { ...config.driver, file: config.driver.file === undefined ? undefined : at(config.driver.file), serial: serial(config.driver.serial) }
      : config.driver.type === "escpos-tap"
        ? { ...config.driver, serial: serial(config.driver.serial), printer: serial(config.driver.printer) }
        : { ...config.driver, serial: serial(config.driver.serial) };
  return {
    ...config,
    server: config.server.replace(/\/+$/, ""),
    credentials: at(config.credentials),
    outbox: at(config.outbox),
    driver,
    display: config.display ? { ...config.display, serial: serial(config.display.serial) } : undefined,
  };
}

export function loadAgentConfig(file: string): AgentConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(`cannot read config ${file}: ${code === "ENOENT" ? "no such file" : (error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`config ${file} is not valid JSON: ${(error as Error).message}`);
  }
  try {
    return parseAgentConfig(json, dirname(file));
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(`config ${file}: ${error.message}`);
    throw error;
  }
}
