// `npm test`: the typecheck, the unit and integration tests, then the browser journeys.
// Each suite's output streams through; the last line sums them as "N passed, N failed".
import { spawn } from "node:child_process";

interface Suite {
  name: string;
  command: string[];
  /** How to count this suite's results from its output; by default its exit code is one check. */
  count?: (output: string) => { passed: number; failed: number } | null;
}

function bunTestCounts(output: string) {
  const passed = /^\s*(\d+) pass$/m.exec(output);
  const failed = /^\s*(\d+) fail$/m.exec(output);
  return passed || failed ? { passed: Number(passed?.[1] ?? 0), failed: Number(failed?.[1] ?? 0) } : null;
}

const bun = process.execPath;
const suites: Suite[] = [
  { name: "typecheck", command: ["node_modules/.bin/tsc", "-p", "."] },
  { name: "typecheck (edge)", command: ["node_modules/.bin/tsc", "-p", "edge"] },
  { name: "unit and integration", command: [bun, "test", "--timeout=30000", "--path-ignore-patterns=tests/e2e/**"], count: bunTestCounts },
  { name: "browser journeys", command: [bun, "test", "--timeout=30000", "tests/e2e"], count: bunTestCounts },
];

function run(suite: Suite): Promise<{ passed: number; failed: number }> {
  return new Promise((resolve) => {
    console.log(`\n=== ${suite.name}: ${suite.command.join(" ")}`);
    const child = spawn(suite.command[0]!, suite.command.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const collect = (stream: NodeJS.WriteStream) => (chunk: Buffer) => {
      output += chunk.toString();
      stream.write(chunk);
    };
    child.stdout.on("data", collect(process.stdout));
    child.stderr.on("data", collect(process.stderr));
    child.on("close", (code) => {
      const counted = suite.count?.(output);
      if (counted) {
        // A runner that crashed after counting still failed.
        resolve(code === 0 || counted.failed > 0 ? counted : { ...counted, failed: counted.failed + 1 });
      } else {
        resolve(code === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 });
      }
    });
  });
}

let passed = 0;
let failed = 0;
const only = process.argv.slice(2);
for (const suite of suites) {
  if (only.length && !only.some((name) => suite.name.startsWith(name))) continue;
  const result = await run(suite);
  passed += result.passed;
  failed += result.failed;
  console.log(`--- ${suite.name}: ${result.passed} passed, ${result.failed} failed`);
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
