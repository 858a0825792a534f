// The accounts part of the platform's public surface: accounts and sessions, and the in-app inbox
// other modules notify users through.
export { createAccounts, type Accounts } from "./service.ts";
export { createNotifications, type InboxNotice, type NoticeParams, type Notifications } from "./notifications.ts";
export { accountRoutes } from "./routes.tsx";
export { inboxRoutes } from "./inbox-routes.tsx";
