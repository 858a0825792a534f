// Domain errors of follows and show reminders; src/platform/error-handler.ts maps them to HTTP.
import { DomainError } from "../../src/platform/errors.ts";

/** Only a person with the host role is followed as a host. */
export class NotAHost extends DomainError {
  constructor() {
    super(404, "host_not_found", "follows.error.not_a_host");
  }
}

/** "Remind me" is for a show that is still scheduled and has not started yet. */
export class ShowNotUpcoming extends DomainError {
  constructor() {
    super(409, "show_not_upcoming", "follows.error.show_not_upcoming");
  }
}
