// The device id and secret from pairing, in a JSON file only the agent's user can read (mode 0600).
// Written atomically (temporary file, fsync, rename); a file readable by group or others is refused.
import { closeSync, chmodSync, fsyncSync, openSync, renameSync, statSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { dirname, join, basename } from "node:path";
import * as v from "valibot";

export interface Credentials {
  deviceId: string;
  secret: string;
  storeId: string;
  /** The server the device was paired with. */
  server: string;
  pairedAt: string;
}

const credentialsSchema = v.object({
  deviceId: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
  secret: v.pipe(v.string(), v.minLength(16)),
  storeId: v.string(),
  server: v.string(),
  pairedAt: v.string(),
});

export class CredentialsError extends Error {}

export function writeCredentials(file: string, credentials: Credentials): void {
  const temporary = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  const fd = openSync(temporary, "wx", 0o600);
  try {
    writeSync(fd, `${JSON.stringify(credentials, null, 2)}\n`);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(temporary);
    throw error;
  }
  closeSync(fd);
  chmodSync(temporary, 0o600); // whatever the umask did
  renameSync(temporary, file);
  try {
    const dir = openSync(dirname(file), "r");
    fsyncSync(dir);
    closeSync(dir);
  } catch {
    // Directory fsync is not possible everywhere; the rename is still atomic.
  }
}

export function readCredentials(file: string): Credentials {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new CredentialsError(`no credentials at ${file}: pair this device first (agent pair <code> --server <url>)`);
    throw new CredentialsError(`cannot read credentials ${file}: ${(error as Error).message}`);
  }
  if (process.platform !== "win32" && (mode & 0o077) !== 0) {
    throw new CredentialsError(`credentials ${file} are readable by group or others (mode ${(mode & 0o777).toString(8)}); run: chmod 600 ${file}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new CredentialsError(`credentials ${file} are not valid JSON: ${(error as Error).message}`);
  }
  const result = v.safeParse(credentialsSchema, json);
  if (!result.success) throw new CredentialsError(`credentials ${file} are incomplete (${v.getDotPath(result.issues[0]) ?? "file"}: ${result.issues[0].message})`);
  return result.output;
}
