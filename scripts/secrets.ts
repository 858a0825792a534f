// `npm run secrets`: fresh production secrets as environment lines, for an env file, `wrangler secret
// put`, or a secret store: SESSION_SECRET, DATA_KEY (with its DATA_KEY_ID) and AUDIT_SIGNING_KEY.
// Nothing is written anywhere; keep DATA_KEY and AUDIT_SIGNING_KEY with the backups.
import { generateAuditSigningKey } from "../modules/compliance/audit-export.ts";
import { toBase64Url } from "../src/platform/crypto.ts";

const random = (bytes: number) => toBase64Url(crypto.getRandomValues(new Uint8Array(bytes)));

console.log(`SESSION_SECRET=${random(32)}`);
console.log(`DATA_KEY=${random(32)}`);
console.log(`DATA_KEY_ID=k${new Date().toISOString().slice(0, 10).replaceAll("-", "")}`);
console.log(`AUDIT_SIGNING_KEY=${await generateAuditSigningKey()}`);
