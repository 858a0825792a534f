// The live module's public surface: live sessions and the home page.
export { createLive, type Live, type LiveSession, type SessionBoard } from "./service.ts";
export { liveRoutes } from "./routes.tsx";
