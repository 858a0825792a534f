// Checks a signed audit export offline: `npm run audit:verify -- <file> [--public-key <base64>]`.
// Prints "ok: N entries, seq A–B, signed by <keyId>" and exits 0, or one line naming the first problem and exits 1.
import { readFileSync } from "node:fs";
import { verifyExport } from "../modules/compliance/audit-export.ts";

const usage = "usage: npm run audit:verify -- <file> [--public-key <base64>]";

async function main(args: string[]): Promise<number> {
  let file: string | undefined;
  let publicKey: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--public-key") publicKey = args[++i];
    else if (arg.startsWith("--public-key=")) publicKey = arg.slice("--public-key=".length);
    else if (!file && !arg.startsWith("--")) file = arg;
    else {
      console.error(usage);
      return 1;
    }
  }
  if (!file || (args.includes("--public-key") && !publicKey)) {
    console.error(usage);
    return 1;
  }
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    console.log(`fail: cannot read ${file}: ${(error as Error).message}`);
    return 1;
  }
  const verdict = await verifyExport(text, publicKey);
  if (!verdict.ok) {
    console.log(`fail: ${verdict.problem}`);
    return 1;
  }
  const range = verdict.firstSeq === null ? "no entries" : `seq ${verdict.firstSeq}–${verdict.lastSeq}`;
  console.log(`ok: ${verdict.count} entries, ${range}, signed by ${verdict.keyId}`);
  return 0;
}

process.exit(await main(process.argv.slice(2)));
