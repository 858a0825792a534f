// Helpers for the browser journeys: the real server as a child process (`bun src/server.ts`) on a free
// port and a temporary database file, Debian's Chromium driven by playwright-core, screenshots, and a
// polling assertion (playwright-core has no `expect`; bun:test's `expect` does not retry).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort } from "../../src/platform/child-server.ts";
import { chromium, type Browser, type BrowserContext, type Page, type Response } from "playwright-core";

export const repoRoot = resolve(import.meta.dir, "../..");

/** Every step waits at most this long for an element, a navigation or a condition. */
export const STEP_TIMEOUT_MS = 15_000;

const SERVER_START_TIMEOUT_MS = 30_000;
const SESSION_SECRET = "e2e-session-secret-that-is-long-enough-0123456789";
const CHROMIUM = "/usr/bin/chromium";


export interface RunningServer {
  baseUrl: string;
  dir: string;
  /** The server's DATABASE_URL (`file:<dir>/broadcart.db`), for a test to read what a page does not show. */
  databaseUrl: string;
  /** Everything the server printed so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

export interface StartServerOptions {
  /** More environment for the server (e.g. STRIPE_*), applied over the defaults below; undefined removes a variable. */
  env?: Record<string, string | undefined>;
}

/** Starts `bun src/server.ts` on a fresh database with demo data and waits until /healthz answers 200. */
export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), "broadcart-e2e-"));
  const port = await freePort();
  const databaseUrl = `file:${join(dir, "broadcart.db")}`;
  const env: Record<string, string | undefined> = {
    ...process.env,
    NODE_ENV: "test",
    HOST: "127.0.0.1",
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    DATABASE_AUTH_TOKEN: undefined,
    SESSION_SECRET,
    DATA_KEY: "e2e-data-key-that-is-long-enough-0123456789",
    COOKIE_SECURE: "auto",
    TRUST_PROXY: "false",
    DEMO_DATA: "auto",
    DEFAULT_LOCALE: "zh-CN",
    TIME_ZONE: "Asia/Shanghai",
    LOG_LEVEL: "warn",
    ...options.env,
  };
  // process.execPath is the Bun running this test; the server runs on the same one.
  const child = spawn(process.execPath, ["src/server.ts"], { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolveExit) => child.once("exit", (code) => resolveExit(code)));
  // If the test runner dies without running afterAll, the server must not outlive it.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  void exited.then(() => process.off("exit", killOnExit));

  const server: RunningServer = {
    baseUrl: `http://127.0.0.1:${port}`,
    dir,
    databaseUrl,
    output: () => output,
    stop: async () => {
      await stopChild(child, exited);
      rmSync(dir, { recursive: true, force: true });
    },
  };

  const deadline = Date.now() + SERVER_START_TIMEOUT_MS;
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  while (true) {
    if (exitCode !== undefined) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`bun src/server.ts exited with code ${exitCode} before /healthz answered.\n--- server output ---\n${output}`);
    }
    try {
      const response = await fetch(`${server.baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return server;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`bun src/server.ts did not answer GET /healthz with 200 within ${SERVER_START_TIMEOUT_MS / 1000} s.\n--- server output ---\n${output}`);
    }
    await Bun.sleep(100);
  }
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

/** Chromium's stand-in camera and microphone (a test pattern and a beep), granted without a prompt. */
export const FAKE_MEDIA_ARGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"];

export interface LaunchOptions {
  /** A fake camera and microphone for getUserMedia (the live studio); off unless asked. */
  fakeMedia?: boolean;
}

/**
 * Launches Debian's Chromium. It is not downloaded by playwright: CI installs the `chromium` package,
 * and a machine without it fails here (on purpose: a missing browser must not look like a pass).
 */
export async function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the browser journeys need Debian's Chromium. Install it with ` +
        "`apt-get install chromium` (.ci/run does this); never `npx playwright install`.",
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      ...(options.fakeMedia ? FAKE_MEDIA_ARGS : []),
    ],
  });
}

/** A phone-sized context (390×844) that speaks `locale`, with the step timeout as every default. */
export async function mobileContext(browser: Browser, locale: string): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 1,
    isMobile: true,
    hasTouch: true,
    locale,
  });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);
  return context;
}

export const screenshotDir = join(repoRoot, ".cache", "e2e-screenshots");

/**
 * Empties the screenshot folder before a run. Without `subdir`, the PNGs directly in it go (a journey
 * that keeps its shots in a folder of its own keeps them, whichever test file runs first); with
 * `subdir`, only that folder is emptied.
 */
export function resetScreenshots(subdir?: string): void {
  if (subdir) {
    const dir = join(screenshotDir, subdir);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    return;
  }
  mkdirSync(screenshotDir, { recursive: true });
  for (const entry of readdirSync(screenshotDir, { withFileTypes: true })) {
    if (entry.isFile()) rmSync(join(screenshotDir, entry.name), { force: true });
  }
}

/** Saves a full-page PNG under .cache/e2e-screenshots/ (gitignored) to look at after a run; `name` may be `folder/name`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
}

/**
 * Collects what no single assertion looks at: script errors on the page, and answers of 400 or more
 * that `expected` does not allow (favicon.ico aside). Assert the list is empty at the end of a journey.
 */
export function watchForTrouble(page: Page, expected: (response: Response) => boolean = () => false): string[] {
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("response", (response) => {
    const path = new URL(response.url()).pathname;
    if (response.status() >= 400 && path !== "/favicon.ico" && !expected(response)) {
      problems.push(`${response.request().method()} ${path} answered ${response.status()}`);
    }
  });
  return problems;
}

/** Retries `check` (which throws, e.g. a failed bun:test expect) until it passes or the step times out. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = STEP_TIMEOUT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await Bun.sleep(50);
    }
  }
}

/**
 * Marks the current document. A later `isSameDocument` that is still true proves that what happened in
 * between was an in-place HTMX swap, not a full page load.
 */
export async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => ((window as unknown as { __e2eMark?: boolean }).__e2eMark = true));
}

export function isSameDocument(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { __e2eMark?: boolean }).__e2eMark === true);
}

/** Waits until htmx has loaded on the page, so a click or change is handled by it, not the browser. */
export async function htmxReady(page: Page): Promise<void> {
  await page.waitForFunction(() => typeof (window as unknown as { htmx?: unknown }).htmx === "object");
}

/** Signs up a new account on /signup and waits for the account page it lands on. */
export async function signUp(page: Page, baseUrl: string, account: { email: string; name: string; password: string }): Promise<void> {
  await page.goto(`${baseUrl}/signup`);
  await page.getByRole("heading", { name: "Create your account" }).waitFor();
  await htmxReady(page);
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Display name").fill(account.name);
  await page.getByLabel("Password", { exact: true }).fill(account.password);
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.waitForURL(`${baseUrl}/account`);
}

/** Signs in on /signin (English pages) and waits for the home page it lands on. */
export async function signIn(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/signin`);
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  await htmxReady(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${baseUrl}/`);
}

export interface VideoSample {
  /** Decoded frame size; 0 × 0 until the first frame arrives. */
  width: number;
  height: number;
  paused: boolean;
  /** Media time (s) at the start and the end of the sample. */
  startTime: number;
  endTime: number;
}

/**
 * The first <video> that `selector` matches (or is), sampled over `sampleMs`: its frame size and how
 * far its media time moved. A playing video has width > 0 and endTime > startTime.
 */
export async function sampleVideo(page: Page, selector: string, sampleMs = 1_000): Promise<VideoSample> {
  const video = () => page.locator(`${selector}`).locator("xpath=descendant-or-self::video").first();
  await video().waitFor({ state: "attached" });
  const read = () => video().evaluate((el: HTMLVideoElement) => ({ width: el.videoWidth, height: el.videoHeight, paused: el.paused, time: el.currentTime }));
  const start = await read();
  await Bun.sleep(sampleMs);
  const end = await read();
  return { width: end.width, height: end.height, paused: end.paused, startTime: start.time, endTime: end.time };
}

/** Records, in the page, when it was last tapped or clicked (Date.now(), before any handler runs). */
export async function recordTaps(page: Page): Promise<void> {
  await page.evaluate(() => document.addEventListener("click", () => ((window as unknown as { __e2eTap?: number }).__e2eTap = Date.now()), true));
}

export async function lastTap(page: Page): Promise<number> {
  const at = await page.evaluate(() => (window as unknown as { __e2eTap?: number }).__e2eTap);
  if (at === undefined) throw new Error("the page recorded no tap");
  return at;
}

/**
 * Watches the page for an element matching `selector` whose text contains `text`; the returned function
 * waits for it and gives when (Date.now() in the page) it first appeared.
 */
export async function whenShown(page: Page, selector: string, text: string): Promise<() => Promise<number>> {
  const key = `__e2eShown_${Math.random().toString(36).slice(2)}`;
  await page.evaluate(
    ({ selector, text, key }) => {
      const w = window as unknown as Record<string, number | undefined>;
      const check = () => {
        if (w[key] === undefined && [...document.querySelectorAll(selector)].some((el) => el.textContent?.includes(text))) {
          w[key] = Date.now();
          observer.disconnect();
        }
      };
      const observer = new MutationObserver(check);
      observer.observe(document.documentElement, { subtree: true, childList: true, characterData: true });
      check();
    },
    { selector, text, key },
  );
  return async () => {
    const handle = await page.waitForFunction((key) => (window as unknown as Record<string, number | undefined>)[key], key);
    return (await handle.jsonValue()) as number;
  };
}
