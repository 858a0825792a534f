// The live fan-out bench's viewers: receiver processes (bench/live-fanout-receiver.ts) spawned and fed
// commands over stdin, the participants joined through them, their receipts gathered, and how far their
// clocks were from this process's.
import { join } from "node:path";
import type { Subprocess } from "bun";
import type { LiveKitGateway } from "../modules/live/livekit.ts";
import type { FanoutParams } from "./live-fanout-options.ts";
import { ANSWER_PREFIX, readClocks, type ClockReading, type HelloAnswer, type ReceiverAnswer, type ReceiverCommand } from "./live-fanout-protocol.ts";

const RECEIVER_SCRIPT = join(import.meta.dir, "live-fanout-receiver.ts");
const STDERR_TAIL_CHARS = 4_000;
const JOIN_TIMEOUT_MS = 180_000;

export class ReceiverProcess {
  readonly child: Subprocess<"pipe", "pipe", "pipe">;
  readonly identities: string[] = [];
  hello: HelloAnswer | undefined;
  private answers: ReceiverAnswer[] = [];
  private waiters: { resolve: (answer: ReceiverAnswer) => void; reject: (error: Error) => void }[] = [];
  private stderrTail = "";
  private ended: Error | undefined;

  constructor(readonly index: number) {
    this.child = Bun.spawn([process.execPath, RECEIVER_SCRIPT], { stdin: "pipe", stdout: "pipe", stderr: "pipe", cwd: join(import.meta.dir, "..") });
    void this.readAnswers();
    void this.readStderr();
    void this.child.exited.then((code) => this.fail(new Error(`receiver ${this.index} (pid ${this.child.pid}) exited with code ${code}${this.stderrTail.trim() ? `\n--- its stderr ---\n${this.stderrTail.trim()}` : ""}`)));
  }

  get pid(): number {
    return this.child.pid;
  }

  send(command: ReceiverCommand): void {
    if (this.ended) throw this.ended;
    this.child.stdin.write(`${JSON.stringify(command)}\n`);
    this.child.stdin.flush();
  }

  /** The next answer, which must be of `type`. */
  async next<T extends ReceiverAnswer["type"]>(type: T, timeoutMs: number): Promise<Extract<ReceiverAnswer, { type: T }>> {
    const answer =
      this.answers.shift() ??
      (await new Promise<ReceiverAnswer>((resolve, reject) => {
        if (this.ended) return reject(this.ended);
        const timer = setTimeout(() => reject(new Error(`receiver ${this.index} (pid ${this.pid}) sent no "${type}" within ${timeoutMs / 1000} s`)), timeoutMs);
        this.waiters.push({
          resolve: (a) => (clearTimeout(timer), resolve(a)),
          reject: (e) => (clearTimeout(timer), reject(e)),
        });
      }));
    if (answer.type !== type) throw new Error(`receiver ${this.index}: expected "${type}", got "${answer.type}"`);
    return answer as Extract<ReceiverAnswer, { type: T }>;
  }

  /** Asks it to leave the room and exit; kills it if it has not within 6 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    try {
      this.send({ type: "leave" });
    } catch {
      // Its stdin is gone; the kill below still ends it.
    }
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 6_000);
    await this.child.exited;
    clearTimeout(timer);
  }

  private fail(error: Error): void {
    this.ended ??= error;
    for (const waiter of this.waiters.splice(0)) waiter.reject(this.ended);
  }

  private async readAnswers(): Promise<void> {
    const decoder = new TextDecoder();
    let buffered = "";
    for await (const chunk of this.child.stdout) {
      buffered += decoder.decode(chunk, { stream: true });
      for (let newline = buffered.indexOf("\n"); newline >= 0; newline = buffered.indexOf("\n")) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (!line.startsWith(ANSWER_PREFIX)) continue;
        const answer = JSON.parse(line.slice(ANSWER_PREFIX.length)) as ReceiverAnswer;
        const waiter = this.waiters.shift();
        if (waiter) waiter.resolve(answer);
        else this.answers.push(answer);
      }
    }
  }

  private async readStderr(): Promise<void> {
    const decoder = new TextDecoder();
    for await (const chunk of this.child.stderr) this.stderrTail = (this.stderrTail + decoder.decode(chunk, { stream: true })).slice(-STDERR_TAIL_CHARS);
  }
}

/** Every receiver process started so far, oldest first; they stay for the larger sizes. */
export const receivers: ReceiverProcess[] = [];

/** Joins participants until `n` are in the room, filling the newest receiver process before starting another. */
export async function growTo(n: number, params: FanoutParams, gateway: LiveKitGateway, room: string, iceServers: string[] | undefined): Promise<number> {
  const started = performance.now();
  const batches = new Map<ReceiverProcess, { identity: string; token: string }[]>();
  let count = receivers.reduce((sum, r) => sum + r.identities.length, 0);
  while (count < n) {
    let target = receivers.at(-1);
    if (!target || target.identities.length >= params.perProcess) {
      target = new ReceiverProcess(receivers.length);
      receivers.push(target);
      target.hello = await target.next("hello", 30_000);
      noteSkew(readClocks(), target.hello.clock);
    }
    const identity = `viewer-${String(++count).padStart(4, "0")}`;
    const batch = batches.get(target) ?? [];
    batch.push({ identity, token: await gateway.viewerToken(room, identity, `Viewer ${count}`) });
    batches.set(target, batch);
    target.identities.push(identity);
  }
  for (const [target, batch] of batches) {
    target.send({ type: "join", url: gateway.url, participants: batch, concurrency: params.joinConcurrency, ...(iceServers ? { iceServers } : {}) });
  }
  const answers = await Promise.all([...batches.keys()].map((target) => target.next("joined", JOIN_TIMEOUT_MS)));
  const failed = answers.flatMap((a) => a.failed);
  if (failed.length > 0) throw new Error(`${failed.length} participant(s) could not join: ${failed.slice(0, 5).map((f) => `${f.identity}: ${f.error}`).join("; ")}`);
  return (performance.now() - started) / 1000;
}

/** How far each receiver's wall clock (performance.timeOrigin + now()) was from the sender's, judged against CLOCK_MONOTONIC. */
export const clockSkews: { skew: number; uncertainty: number }[] = [];

function noteSkew(sender: ClockReading, receiver: ClockReading): void {
  if (sender.monoMs === null || receiver.monoMs === null) return;
  clockSkews.push({ skew: receiver.wallMs - receiver.monoMs - (sender.wallMs - sender.monoMs), uncertainty: (sender.bracketMs! + receiver.bracketMs!) / 2 });
}

interface Collected {
  /** identity → message id → receive time */
  receipts: Map<string, Map<number, number>>;
  duplicates: number;
  unreadable: number;
}

/** Every receiver's receipts for `run` so far. */
export async function collect(run: string): Promise<Collected> {
  const senderClock = readClocks();
  const answers = await Promise.all(
    receivers.map((r) => {
      r.send({ type: "report", run });
      return r.next("report", 30_000);
    }),
  );
  const receipts = new Map<string, Map<number, number>>();
  for (const answer of answers) {
    noteSkew(senderClock, answer.clock);
    for (const [identity, list] of Object.entries(answer.receipts)) receipts.set(identity, new Map(list));
  }
  return { receipts, duplicates: answers.reduce((s, a) => s + a.duplicates, 0), unreadable: answers.reduce((s, a) => s + a.unreadable, 0) };
}

