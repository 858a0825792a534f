// Checks content where it is saved: wrappers the composition puts around the catalog and the live
// service, so product copy and show titles reach the review queue. Structural types keep compliance
// from importing the orders and live modules.
import type { Logger } from "../../src/platform/logging.ts";
import type { Actor } from "./audit.ts";
import type { Moderation } from "./moderation.ts";

/**
 * Wraps a catalog so product copy is checked on save: every saved product's titles and
 * descriptions are flagged when they hold a banned term; the one who saved it is the author.
 */
export function moderateProductSaves<
  P extends { id: string; storeId: string; titleZh: string; titleEn: string; descriptionZh: string; descriptionEn: string },
  C extends { createProduct(actor: Actor, input: never): Promise<P>; updateProduct(actor: Actor, id: string, details: never): Promise<P> },
>(catalog: C, moderation: Moderation, log?: Logger): C {
  const flagCopy = async (actor: Actor, product: P) => {
    try {
      await moderation.flagFields(actor, {
        kind: "product",
        subjectId: product.id,
        storeId: product.storeId,
        fields: { titleZh: product.titleZh, titleEn: product.titleEn, descriptionZh: product.descriptionZh, descriptionEn: product.descriptionEn },
      });
    } catch (error) {
      // The product is saved; a failed flag must not make the merchant's save look failed.
      log?.error?.("moderation.flag_failed", { productId: product.id, error: String(error) });
    }
    return product;
  };
  const createProduct = catalog.createProduct.bind(catalog) as (actor: Actor, input: unknown) => Promise<P>;
  const updateProduct = catalog.updateProduct.bind(catalog) as (actor: Actor, id: string, details: unknown) => Promise<P>;
  return {
    ...catalog,
    createProduct: async (actor: Actor, input: unknown) => flagCopy(actor, await createProduct(actor, input)),
    updateProduct: async (actor: Actor, id: string, details: unknown) => flagCopy(actor, await updateProduct(actor, id, details)),
  } as C;
}

interface TitledSession {
  id: string;
  title: string;
  host: { id: string };
  store: { id: string };
}

/**
 * Wraps the live service so a show's title is checked when it is scheduled and when the host
 * gives it a new one: flagged when it holds a banned term, the host as its author. The show keeps
 * its title until an officer decides.
 */
export function moderateShowTitles<
  C extends {
    scheduleSession(actor: Actor, input: never): Promise<TitledSession>;
    retitleSession(actor: Actor, id: string, title: string): Promise<TitledSession>;
  },
>(live: C, moderation: Moderation, log?: Logger): C {
  const flagTitle = async <S extends TitledSession>(actor: Actor, session: S) => {
    try {
      await moderation.flag(actor, { kind: "live_title", subjectId: session.id, storeId: session.store.id, authorId: session.host.id, field: "title", text: session.title });
    } catch (error) {
      log?.error?.("moderation.flag_failed", { sessionId: session.id, error: String(error) });
    }
    return session;
  };
  const scheduleSession = live.scheduleSession.bind(live) as (actor: Actor, input: unknown) => Promise<TitledSession>;
  const retitleSession = live.retitleSession.bind(live);
  return {
    ...live,
    scheduleSession: async (actor: Actor, input: unknown) => flagTitle(actor, await scheduleSession(actor, input)),
    retitleSession: async (actor: Actor, id: string, title: string) => flagTitle(actor, await retitleSession(actor, id, title)),
  } as C;
}
