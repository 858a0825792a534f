// CPU time of this process and (on Linux) of another one, so a bench can tell which side was saturated.
import { readFileSync } from "node:fs";

/** CPU seconds (user + system) this process has used so far. */
export function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** Linux reports utime and stime in USER_HZ ticks, which is 100 a second on every mainstream kernel. */
const USER_HZ = 100;

/** CPU seconds (user + system, all threads) process `pid` has used so far; null off Linux or once it has gone. */
export function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces, so count fields from the closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / USER_HZ : null;
  } catch {
    return null;
  }
}
