// The live module's domain errors; src/platform/error-handler.ts maps them to HTTP.
import { DomainError } from "../../src/platform/errors.ts";

export class InvalidTransition extends DomainError {
  constructor() {
    super(409, "invalid_live_transition", "live.error.transition");
  }
}

export class BroadcastUnavailable extends DomainError {
  constructor() {
    super(409, "broadcast_unavailable", "live.unavailable");
  }
}

export class NotTheHost extends DomainError {
  constructor() {
    super(403, "not_the_host", "live.error.not_host");
  }
}

export class RemovedFromRoom extends DomainError {
  constructor() {
    super(403, "removed_from_room", "live.error.removed");
  }
}

export class NotInLineUp extends DomainError {
  constructor() {
    super(422, "not_in_line_up", "live.error.not_in_line_up");
  }
}

export class ChatTooFast extends DomainError {
  constructor() {
    super(429, "chat_too_fast", "live.chat.too_fast");
  }
}

/** A message with terms the compliance list bans; the terms are shown to the sender. */
export class ChatRefused extends DomainError {
  constructor(readonly terms: string[]) {
    super(422, "chat_refused", "live.chat.refused");
  }
}

export class SessionNotLive extends DomainError {
  constructor() {
    super(409, "session_not_live", "live.error.not_live");
  }
}

export class MutedInRoom extends DomainError {
  constructor() {
    super(403, "muted_in_room", "live.error.muted");
  }
}
