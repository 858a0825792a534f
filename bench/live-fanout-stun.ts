// A minimal STUN server on 127.0.0.1 for `npm run bench:live-fanout`'s viewers: it answers every Binding
// Request (RFC 8489) with the sender's own address, which is all ICE asks of a STUN server.
//
// Why the bench needs one: LiveKit hands its clients a STUN server list, and a `--dev` LiveKit with no
// TURN or STUN configured hands out Google's public ones by host name (rtcconfig.DefaultStunServers).
// Where those names do not resolve (a machine without outside DNS), libwebrtc in `@livekit/rtc-node`
// starts a resolver thread per look-up: about 44 per participant, 1,700 threads in a receiver process
// of 40, living for about 10 s after the joins and busying the CPUs the measurement shares. Browsers
// resolve names without such threads. With this server handed to the viewers instead (rtcConfig
// iceServers), ICE gathering finishes at once, as it does where a STUN server is reachable.
import { createSocket } from "node:dgram";

const BINDING_REQUEST = 0x0001;
const BINDING_SUCCESS = 0x0101;
const MAGIC_COOKIE = 0x2112a442;
const XOR_MAPPED_ADDRESS = 0x0020;

export interface StunServer {
  /** `stun:127.0.0.1:<port>`, for an ICE server list. */
  url: string;
  /** Binding requests answered so far. */
  answered(): number;
  close(): void;
}

export function startStunServer(): Promise<StunServer> {
  const socket = createSocket("udp4");
  let answered = 0;
  socket.on("message", (request, from) => {
    if (request.length < 20 || request.readUInt16BE(0) !== BINDING_REQUEST || request.readUInt32BE(4) !== MAGIC_COOKIE || from.family !== "IPv4") return;
    const response = Buffer.alloc(32);
    response.writeUInt16BE(BINDING_SUCCESS, 0);
    response.writeUInt16BE(12, 2); // one attribute: 4 bytes of header, 8 of IPv4 address
    request.copy(response, 4, 4, 20); // magic cookie and transaction id
    response.writeUInt16BE(XOR_MAPPED_ADDRESS, 20);
    response.writeUInt16BE(8, 22);
    response.writeUInt8(0x01, 25); // IPv4
    response.writeUInt16BE(from.port ^ (MAGIC_COOKIE >>> 16), 26);
    const address = from.address.split(".").reduce((value, octet) => ((value << 8) | Number(octet)) >>> 0, 0);
    response.writeUInt32BE((address ^ MAGIC_COOKIE) >>> 0, 28);
    socket.send(response, from.port, from.address);
    answered++;
  });
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(0, "127.0.0.1", () => {
      socket.off("error", reject);
      // A client that has closed its socket makes the kernel answer our reply with "port unreachable",
      // which the next receive reports as ECONNREFUSED: harmless for a STUN server.
      socket.on("error", () => undefined);
      resolve({ url: `stun:127.0.0.1:${socket.address().port}`, answered: () => answered, close: () => socket.close() });
    });
  });
}
