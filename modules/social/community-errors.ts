// The store community's domain errors; src/platform/error-handler.ts maps them to HTTP.
import { DomainError } from "../../src/platform/errors.ts";

/** Only the store's owner and staff, and hosts of its shows, post in its community. */
export class NotACommunityAuthor extends DomainError {
  constructor() {
    super(403, "not_a_community_author", "community.error.not_author");
  }
}

/** Only the store's owner and staff remove content and mute members. */
export class NotCommunityStaff extends DomainError {
  constructor() {
    super(403, "not_community_staff", "community.error.not_staff");
  }
}

export class MutedInCommunity extends DomainError {
  constructor() {
    super(403, "muted_in_community", "community.error.muted");
  }
}

/** A post or comment with terms the compliance list bans; the terms are shown to the author. */
export class CommunityTextRefused extends DomainError {
  constructor(readonly terms: string[]) {
    super(422, "community_text_refused", "community.refused");
  }
}

/** A picture that is not JPEG, PNG or WebP, or larger than 5 MB. */
export class PostPictureRejected extends DomainError {
  constructor() {
    super(422, "post_picture_rejected", "community.form.picture_invalid");
  }
}

/** A product or show the post would feature that is not this store's (or not upcoming). */
export class PostAttachmentInvalid extends DomainError {
  constructor(readonly field: "productId" | "sessionId") {
    super(422, "post_attachment_invalid", field === "productId" ? "community.form.product_invalid" : "community.form.session_invalid");
  }
}

export class CannotMuteStaff extends DomainError {
  constructor() {
    super(409, "cannot_mute_staff", "community.error.mute_staff");
  }
}
