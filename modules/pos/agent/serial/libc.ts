/**
 * Minimal libc surface for the Bun serial binding (Linux, x86_64/aarch64 glibc or musl).
 * Only termios / ioctl / poll / eventfd; plain reads and writes go through node:fs so that
 * errno is reported as a normal `code` on the thrown error.
 */
import { dlopen, FFIType, toArrayBuffer } from "bun:ffi";

const LIBC_CANDIDATES = ["libc.so.6", "libc.musl-x86_64.so.1", "libc.musl-aarch64.so.1", "libc.so"];

const symbols = {
  tcgetattr: { args: [FFIType.i32, FFIType.ptr], returns: FFIType.i32 },
  tcsetattr: { args: [FFIType.i32, FFIType.i32, FFIType.ptr], returns: FFIType.i32 },
  cfmakeraw: { args: [FFIType.ptr], returns: FFIType.void },
  cfsetispeed: { args: [FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
  cfsetospeed: { args: [FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
  tcflush: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 },
  tcdrain: { args: [FFIType.i32], returns: FFIType.i32 },
  ioctl: { args: [FFIType.i32, FFIType.u64, FFIType.ptr], returns: FFIType.i32 },
  poll: { args: [FFIType.ptr, FFIType.u64, FFIType.i32], returns: FFIType.i32 },
  eventfd: { args: [FFIType.u32, FFIType.i32], returns: FFIType.i32 },
  __errno_location: { args: [], returns: FFIType.ptr },
} as const;

function openLibc() {
  let lastError: unknown;
  for (const name of LIBC_CANDIDATES) {
    try {
      return dlopen(name, symbols);
    } catch (err) {
      lastError = err;
    }
  }
  throw new Error(`serial: could not load libc via bun:ffi: ${String(lastError)}`);
}

export const libc = openLibc().symbols;

const ERRNO_NAMES: Record<number, string> = {
  1: "EPERM", 2: "ENOENT", 4: "EINTR", 5: "EIO", 6: "ENXIO", 9: "EBADF", 11: "EAGAIN", 13: "EACCES",
  16: "EBUSY", 19: "ENODEV", 22: "EINVAL", 25: "ENOTTY",
};

/** errno of the calling thread; read immediately after the failing call. */
export function errno(): number {
  const loc = libc.__errno_location();
  if (loc === null) return 0;
  // Read the thread-local int through a 4-byte view.
  return new Int32Array(toArrayBuffer(loc, 0, 4))[0] ?? 0;
}

export class SysError extends Error {
  readonly errno: number;
  readonly code: string;
  readonly syscall: string;
  constructor(syscall: string, err: number, detail?: string) {
    const code = ERRNO_NAMES[err] ?? `ERRNO_${err}`;
    super(`${syscall} failed: ${code}${detail ? ` (${detail})` : ""}`);
    this.errno = err;
    this.code = code;
    this.syscall = syscall;
  }
}

export function check(syscall: string, rc: number, detail?: string): number {
  if (rc < 0) throw new SysError(syscall, errno(), detail);
  return rc;
}

// ---- constants (Linux generic termbits; x86_64 and aarch64 share these values) ----
export const TCSANOW = 0;
export const TCIFLUSH = 0;
export const TCOFLUSH = 1;
export const TCIOFLUSH = 2;

export const TCGETS2 = 0x802c542an;
export const TCSETS2 = 0x402c542bn;
export const TIOCEXCL = 0x540cn;
export const TIOCNXCL = 0x540dn;
export const TIOCMGET = 0x5415n;
export const TIOCMSET = 0x5418n;
export const TIOCOUTQ = 0x5411n;
export const TIOCSBRK = 0x5427n;
export const TIOCCBRK = 0x5428n;

export const TIOCM_DTR = 0x002;
export const TIOCM_RTS = 0x004;
export const TIOCM_CTS = 0x020;
export const TIOCM_CAR = 0x040;
export const TIOCM_DSR = 0x100;

export const CBAUD = 0o10017;
export const BOTHER = 0o10000;
export const CSIZE = 0o60;
export const CS5 = 0o0;
export const CS6 = 0o20;
export const CS7 = 0o40;
export const CS8 = 0o60;
export const CSTOPB = 0o100;
export const CREAD = 0o200;
export const PARENB = 0o400;
export const PARODD = 0o1000;
export const HUPCL = 0o2000;
export const CLOCAL = 0o4000;
export const CMSPAR = 0o10000000000;
export const CRTSCTS = 0o20000000000;

export const INPCK = 0o20;
export const ISTRIP = 0o40;
export const IXON = 0o2000;
export const IXANY = 0o4000;
export const IXOFF = 0o10000;

export const VTIME = 5;
export const VMIN = 6;

export const POLLIN = 0x1;
export const POLLOUT = 0x4;
export const POLLERR = 0x8;
export const POLLHUP = 0x10;
export const POLLNVAL = 0x20;

export const EFD_CLOEXEC = 0o2000000;
export const EFD_NONBLOCK = 0o4000;

/** glibc struct termios (x86_64/aarch64): 4×u32 flags, c_line u8, c_cc[32], pad, c_ispeed, c_ospeed = 60 bytes. */
export const TERMIOS_SIZE = 60;
export const TERMIOS_CC_OFFSET = 17;
/** kernel struct termios2: 4×u32 flags, c_line u8, c_cc[19], c_ispeed u32 @36, c_ospeed u32 @40 = 44 bytes. */
export const TERMIOS2_SIZE = 44;
export const TERMIOS2_CC_OFFSET = 17;
export const TERMIOS2_ISPEED_OFFSET = 36;
export const TERMIOS2_OSPEED_OFFSET = 40;

/** Standard baud rates → glibc speed_t constants (B50 … B4000000). */
export const BAUD_CONSTANTS: ReadonlyMap<number, number> = new Map<number, number>([
  [0, 0o0], [50, 0o1], [75, 0o2], [110, 0o3], [134, 0o4], [150, 0o5], [200, 0o6], [300, 0o7],
  [600, 0o10], [1200, 0o11], [1800, 0o12], [2400, 0o13], [4800, 0o14], [9600, 0o15], [19200, 0o16],
  [38400, 0o17], [57600, 0o10001], [115200, 0o10002], [230400, 0o10003], [460800, 0o10004],
  [500000, 0o10005], [576000, 0o10006], [921600, 0o10007], [1000000, 0o10010], [1152000, 0o10011],
  [1500000, 0o10012], [2000000, 0o10013], [2500000, 0o10014], [3000000, 0o10015], [3500000, 0o10016],
  [4000000, 0o10017],
]);
export const BAUD_BY_CONSTANT: ReadonlyMap<number, number> = new Map(
  [...BAUD_CONSTANTS].map(([rate, constant]) => [constant, rate]),
);
