// Entry point for the single-file build only (`npm run build:agent`): the serial binding starts its
// poll worker at `new URL("./poll-worker.ts", import.meta.url)`, which inside the executable resolves
// next to main.ts (/$bunfs/root/poll-worker.ts), so the worker must be an entry point beside main.ts.
// Running from source, the binding loads serial/poll-worker.ts directly and this file is unused.
import "./serial/poll-worker.ts";
