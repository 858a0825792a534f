// The POS module's domain errors; src/platform/error-handler.tsx answers /pos/v1/ with JSON.
import { DomainError } from "../../src/platform/errors.ts";

/** Unknown or revoked device, or a signature that does not verify. */
export class DeviceRefused extends DomainError {
  constructor() {
    super(401, "device_refused", "pos.error.device_refused");
  }
}

/** The request's timestamp is further than MAX_CLOCK_SKEW_MS from the server's clock. */
export class StaleRequest extends DomainError {
  constructor() {
    super(401, "stale_timestamp", "pos.error.stale");
  }
}

export class NonceReused extends DomainError {
  constructor() {
    super(409, "nonce_reused", "pos.error.nonce_reused");
  }
}

/** Unknown, used or expired pairing code (one answer for all three, so codes cannot be probed). */
export class PairingRefused extends DomainError {
  constructor() {
    super(401, "pairing_refused", "pos.error.pairing_refused");
  }
}

export class PosNoStore extends DomainError {
  constructor() {
    super(409, "no_store", "merchant.no_store");
  }
}

export class DeviceNotFound extends DomainError {
  constructor() {
    super(404, "device_not_found", "error.not_found");
  }
}

export class MismatchNotFound extends DomainError {
  constructor() {
    super(404, "mismatch_not_found", "error.not_found");
  }
}

/** Staff named a code or barcode the store's catalog does not know either. */
export class UnknownStoreSku extends DomainError {
  constructor() {
    super(422, "unknown_sku", "pos.error.unknown_sku");
  }
}
