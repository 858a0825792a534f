// English strings of the privacy pieces: the shopper's data export on the account page.
export const privacyEn = {
  "privacy.export.title": "Your data",
  "privacy.export.hint": "Download everything Broadcart keeps about you (account, orders with their addresses, after-sales requests, coupon claims) as one JSON file.",
  "privacy.export.button": "Export my data (JSON)",
} as const;
