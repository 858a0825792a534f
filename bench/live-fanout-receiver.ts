// One receiving process of `npm run bench:live-fanout` (bench/live-fanout.ts starts several, so the
// receiving side is not one event loop and not the sender's). It joins LiveKit participants with
// `@livekit/rtc-node` (native WebRTC, one FFI runtime per process) and timestamps every data packet they
// receive on performance.timeOrigin + performance.now(), the clock the sender stamps its sends with.
//
// It talks to bench/live-fanout.ts in JSON lines: commands on stdin, answers on stdout, each answer on
// a line of its own that starts with ANSWER_PREFIX (anything else the native SDK prints is ignored).
// When stdin ends — the bench exited, or was killed — it exits at once, so no receiver outlives it.
import { ContinualGatheringPolicy, dispose, IceServer, IceTransportType, Room, RoomEvent, type RoomOptions } from "@livekit/rtc-node";
import {
  ANSWER_PREFIX,
  readClocks,
  wallNow,
  type FanoutPayload,
  type JoinCommand,
  type JoinedAnswer,
  type ReceiverAnswer,
  type ReceiverCommand,
  type ReportAnswer,
  type ReportCommand,
} from "./live-fanout-protocol.ts";

function answer(message: ReceiverAnswer): void {
  process.stdout.write(`${ANSWER_PREFIX}${JSON.stringify(message)}\n`);
}

interface Member {
  identity: string;
  room: Room;
  /** run → message id → receive time */
  receipts: Map<string, Map<number, number>>;
}

const members: Member[] = [];
let duplicates = 0;
let unreadable = 0;
const decoder = new TextDecoder();

function listen(member: Member): void {
  member.room.on(RoomEvent.DataReceived, (payload) => {
    const at = wallNow();
    let packet: Partial<FanoutPayload>;
    try {
      packet = JSON.parse(decoder.decode(payload)) as Partial<FanoutPayload>;
    } catch {
      unreadable++;
      return;
    }
    if (typeof packet.run !== "string" || typeof packet.id !== "number") {
      unreadable++;
      return;
    }
    let run = member.receipts.get(packet.run);
    if (!run) member.receipts.set(packet.run, (run = new Map()));
    if (run.has(packet.id)) duplicates++;
    else run.set(packet.id, at);
  });
}

async function join(command: JoinCommand): Promise<void> {
  const started = performance.now();
  const failed: JoinedAnswer["failed"] = [];
  let joined = 0;
  const queue = [...command.participants];
  const options: RoomOptions = { autoSubscribe: true, dynacast: false };
  if (command.iceServers) {
    options.rtcConfig = {
      iceTransportType: IceTransportType.TRANSPORT_ALL,
      continualGatheringPolicy: ContinualGatheringPolicy.GATHER_CONTINUALLY,
      iceServers: [new IceServer({ urls: command.iceServers })],
    };
  }
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const member: Member = { identity: next.identity, room: new Room(), receipts: new Map() };
      listen(member);
      try {
        await member.room.connect(command.url, next.token, options);
        members.push(member);
        joined++;
      } catch (error) {
        failed.push({ identity: next.identity, error: error instanceof Error ? error.message : String(error) });
        await member.room.disconnect().catch(() => undefined);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, command.concurrency) }, worker));
  answer({ type: "joined", joined, failed, seconds: (performance.now() - started) / 1000 });
}

function report(command: ReportCommand): void {
  const receipts: ReportAnswer["receipts"] = {};
  for (const member of members) {
    const run = member.receipts.get(command.run);
    receipts[member.identity] = run ? [...run] : [];
    member.receipts.delete(command.run);
  }
  answer({ type: "report", run: command.run, receipts, duplicates, unreadable, clock: readClocks() });
  duplicates = 0;
  unreadable = 0;
}

let leaving = false;
async function leave(code: number): Promise<never> {
  if (!leaving) {
    leaving = true;
    // Leaving politely lets LiveKit drop the participants at once rather than after a timeout; a stuck
    // disconnect must not keep the process alive.
    const timer = setTimeout(() => process.exit(code), 5_000);
    await Promise.allSettled(members.map((member) => member.room.disconnect()));
    await Promise.resolve(dispose()).catch(() => undefined);
    clearTimeout(timer);
  }
  process.exit(code);
}

async function main(): Promise<void> {
  answer({ type: "hello", pid: process.pid, clock: readClocks() });
  const stdinDecoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of process.stdin) {
    buffered += typeof chunk === "string" ? chunk : stdinDecoder.decode(chunk as Uint8Array, { stream: true });
    for (let newline = buffered.indexOf("\n"); newline >= 0; newline = buffered.indexOf("\n")) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (!line) continue;
      const command = JSON.parse(line) as ReceiverCommand;
      if (command.type === "join") void join(command);
      else if (command.type === "report") report(command);
      else if (command.type === "leave") await leave(0);
    }
  }
  // stdin ended: the bench is gone. Do not linger to disconnect nicely.
  process.exit(0);
}

if (import.meta.main) {
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void leave(0));
  main().catch((error: unknown) => {
    console.error(`live-fanout receiver ${process.pid}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  });
}
