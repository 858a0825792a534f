// An order's shipping address as staff and officers see it: masked, with a form to reveal it for a
// stated reason. The form swaps this block for the revealed address (or for itself with its errors).
import type { Address } from "../../modules/orders/index.ts";
import { revealPurposes } from "../../modules/orders/address-reveal.ts";
import type { FieldErrors } from "../../src/platform/forms.ts";
import { CsrfField, Notice } from "../components.tsx";
import type { ViewContext } from "../view-context.ts";

/** The address block's state after a reveal form was posted: revealed, or the form with its errors. */
export interface AddressRevealState {
  revealed?: Address;
  errors?: FieldErrors;
  values?: { purpose?: string; note?: string };
}

export interface ShippingAddressProps {
  v: ViewContext;
  orderId: string;
  /** Where the reveal form posts. */
  revealAction: string;
  address: Address;
  /** The address is the revealed one, not the masked one. */
  revealed?: boolean;
  errors?: FieldErrors;
  values?: { purpose?: string; note?: string };
}

export function ShippingAddress({ v, orderId, revealAction, address, revealed = false, errors = {}, values = {} }: ShippingAddressProps) {
  const id = `address-${orderId}`;
  return (
    <div id={id} class="shipping-address" data-testid="shipping-address" data-revealed={revealed ? "true" : "false"}>
      <p>
        {address.recipient} · {address.phone}
        <br />
        {address.region} {address.street}
      </p>
      {revealed ? (
        <p class="muted small">{v.t("orders.address.revealed")}</p>
      ) : (
        <form method="post" action={revealAction} hx-post={revealAction} hx-target={`#${id}`} hx-swap="outerHTML" class="form--inline" novalidate>
          <CsrfField v={v} />
          <p class="muted small label--wide">{v.t("orders.address.masked_note")}</p>
          {Object.keys(errors).length > 0 && <Notice kind="error">{v.t(errors.purpose ?? errors.note ?? "error.bad_request")}</Notice>}
          <label>
            {v.t("orders.address.reveal_purpose")}{" "}
            <select name="purpose" required aria-invalid={errors.purpose ? "true" : undefined}>
              <option value="">—</option>
              {revealPurposes.map((purpose) => (
                <option value={purpose} selected={values.purpose === purpose}>
                  {v.t(`orders.address.purpose.${purpose}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {v.t("orders.address.reveal_note")} <input name="note" value={values.note ?? ""} maxlength={200} aria-invalid={errors.note ? "true" : undefined} />
          </label>
          <button type="submit" class="button">{v.t("orders.address.reveal")}</button>
        </form>
      )}
    </div>
  );
}
