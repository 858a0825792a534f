// CPU time of this process and (on Linux) of another one, so a bench can tell which side was saturated;
// on Linux also how long a process waited for a CPU and how busy the whole machine was.
import { readdirSync, readFileSync } from "node:fs";

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

/**
 * Seconds the threads of `pid` have spent runnable but waiting for a CPU (the second field of each
 * thread's /proc/…/schedstat); null where the kernel does not keep it. Threads that have exited no longer count.
 */
export function runQueueWaitSeconds(pid: number): number | null {
  try {
    let ns = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[1]);
      } catch {
        // The thread exited meanwhile.
      }
    }
    return Number.isFinite(ns) ? ns / 1e9 : null;
  } catch {
    return null;
  }
}

export interface MachineTicks {
  busy: number;
  total: number;
  steal: number;
}

/** All CPUs' ticks from /proc/stat; null off Linux. */
export function machineTicks(): MachineTicks | null {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!;
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = user + nice + system + idle + iowait + irq + softirq + steal;
    return { busy: total - idle - iowait, total, steal };
  } catch {
    return null;
  }
}
