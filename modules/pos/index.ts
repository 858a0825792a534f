// The POS module's public surface: the service factory and its routes (device endpoints and merchant pages).
export { createPos, formatPairingCode, PAIRING_MINUTES, type Pos, type PosDevice } from "./service.ts";
export { posRoutes } from "./routes.tsx";
export { createDisplayFeed, type DisplayFeed, type DisplayState, type DisplayAnswer } from "./display.ts";
