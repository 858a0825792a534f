// A show's title as pages show it: a neutral one, in the reader's language, once an officer removed it.
import type { LiveSession } from "../../modules/live/index.ts";
import type { ViewContext } from "../view-context.ts";

export function showTitle(v: Pick<ViewContext, "t">, session: Pick<LiveSession, "title" | "titleRemoved">): string {
  return session.titleRemoved || session.title === "" ? v.t("live.title_neutral") : session.title;
}
