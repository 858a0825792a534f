// What the customer display beside the till shows: the product pinned in the store's live show (its
// live price and stock), or else the store's last sale. The agent long-polls for changes; the
// server keeps no per-device state: each answer carries a version, and a poll returns as soon as
// the state's version differs from the one the agent has, or after the wait.

export type DisplayState =
  | { mode: "live"; title: string; titleEn: string; option: string; priceFen: number; currency: string; stock: number; saleLeft: number | null }
  | { mode: "last_sale"; totalFen: number; currency: string; at: string }
  | { mode: "idle" };

export interface DisplayAnswer {
  version: string;
  state: DisplayState;
}

export interface DisplaySources {
  /** The pinned product of the store's live show, if one is live and has a pin. */
  livePin(storeId: string): Promise<Extract<DisplayState, { mode: "live" }> | null>;
  lastSale(storeId: string): Promise<{ totalFen: number; currency: string; at: Date } | null>;
}

async function versionOf(state: DisplayState): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(JSON.stringify(state)));
  return Array.from(new Uint8Array(digest).slice(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
}

export function createDisplayFeed(sources: DisplaySources, options: { pollMs?: number; waitMs?: number } = {}) {
  const pollMs = options.pollMs ?? 1_000;
  const waitMs = options.waitMs ?? 25_000;

  async function current(storeId: string): Promise<DisplayAnswer> {
    const pin = await sources.livePin(storeId);
    let state: DisplayState;
    if (pin) state = pin;
    else {
      const sale = await sources.lastSale(storeId);
      state = sale ? { mode: "last_sale", totalFen: sale.totalFen, currency: sale.currency, at: sale.at.toISOString() } : { mode: "idle" };
    }
    return { version: await versionOf(state), state };
  }

  return {
    current,
    /** Answers when the display should change from `knownVersion`, or with the same state after the wait. */
    async next(storeId: string, knownVersion: string | null, signal?: AbortSignal): Promise<DisplayAnswer> {
      const deadline = Date.now() + waitMs;
      for (;;) {
        const answer = await current(storeId);
        if (answer.version !== knownVersion || Date.now() >= deadline || signal?.aborted) return answer;
        await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, Math.max(0, deadline - Date.now()))));
      }
    },
  };
}

export type DisplayFeed = ReturnType<typeof createDisplayFeed>;
