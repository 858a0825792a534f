// English strings of the privacy pieces: the shopper's data export on the account page.
export const privacyEn = {
  "privacy.export.title": "Your data",
  "privacy.export.hint": "Download everything Broadcart keeps about you (account, orders with their addresses, after-sales requests, coupon claims) as one JSON file.",
  "privacy.export.button": "Export my data (JSON)",
  "privacy.erasure.already": "You have already asked for your data to be erased; a compliance officer will carry it out.",
  "privacy.erasure.closed": "This request has already been answered.",
  "privacy.erasure.request": "Erase my personal data",
  "privacy.erasure.explain": "Your account, addresses, chat messages and verification details are erased or anonymised. Order records are kept for three years as the E-commerce Law requires, without your name or contact details.",
  "privacy.erasure.requested": "Erasure requested on {time}; it will be carried out by {due}.",
  "privacy.queue": "Personal-data requests",
  "privacy.queue.none": "No open requests.",
  "privacy.queue.due": "Due {time}",
  "privacy.queue.carry_out": "Erase now",
  "privacy.queue.done": "Erased.",
} as const;
