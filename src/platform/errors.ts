// Typed domain errors. Services throw them; src/platform/error-handler.ts maps them to HTTP once.
import type { MessageKey } from "./i18n.ts";

export class DomainError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429,
    readonly code: string,
    readonly messageKey: MessageKey,
  ) {
    super(code);
  }
}

export class NotFound extends DomainError {
  constructor(code = "not_found") {
    super(404, code, "error.not_found");
  }
}

export class NotSignedIn extends DomainError {
  constructor() {
    super(401, "not_signed_in", "error.not_signed_in");
  }
}

export class Forbidden extends DomainError {
  constructor() {
    super(403, "forbidden", "error.forbidden");
  }
}

export class CsrfRejected extends DomainError {
  constructor() {
    super(403, "csrf_rejected", "error.csrf");
  }
}

export class BadRequest extends DomainError {
  constructor(code = "bad_request") {
    super(400, code, "error.bad_request");
  }
}
