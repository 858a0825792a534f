// Merchant pages of the store till: devices (with the pairing code shown once), today's figures per
// channel, store transactions and the mismatch queue.
import type { ChannelFigures, Store } from "../../modules/orders/index.ts";
import type { MismatchRow, PosDevice, PosTransactionRow } from "../../modules/pos/service.ts";
import type { FieldErrors } from "../../src/platform/forms.ts";
import { money } from "../../src/platform/money.ts";
import { CsrfField, Field, Notice } from "../components.tsx";
import type { ViewContext } from "../view-context.ts";

function PosNav({ v }: { v: ViewContext }) {
  return (
    <nav class="filters" aria-label={v.t("pos.title")}>
      <a href="/merchant/pos">{v.t("pos.nav.devices")}</a> · <a href="/merchant/pos/transactions">{v.t("pos.nav.transactions")}</a> · <a href="/merchant/pos/mismatches">{v.t("pos.nav.mismatches")}</a>
    </nav>
  );
}

export interface NewCode {
  name: string;
  code: string;
  expiresAt: Date;
}

export function PosDevicesPage(props: { v: ViewContext; store: Store; devices: PosDevice[]; figures: ChannelFigures[]; newCode?: NewCode; errors?: FieldErrors; name?: string }) {
  const { v, store, devices, figures, newCode, errors = {} } = props;
  return (
    <article id="pos-devices">
      <h1>{v.t("pos.title")}</h1>
      <PosNav v={v} />
      {newCode && (
        <Notice kind="success">
          <strong class="pairing-code">{v.t("pos.devices.code", { name: newCode.name, code: newCode.code })}</strong>
          <br />
          {v.t("pos.devices.code_hint", { code: newCode.code, time: v.formatTime(newCode.expiresAt) })}
        </Notice>
      )}
      <section aria-labelledby="pos-figures">
        <h2 id="pos-figures">{v.t("pos.figures.title")}</h2>
        <table class="orders-table">
          <thead>
            <tr>
              <th scope="col">{v.t("pos.figures.channel")}</th>
              <th scope="col">{v.t("pos.figures.orders")}</th>
              <th scope="col">{v.t("pos.figures.total")}</th>
              <th scope="col">{v.t("pos.figures.refunds")}</th>
            </tr>
          </thead>
          <tbody>
            {figures.map((f) => (
              <tr data-channel={f.channel}>
                <td>{v.t(`pos.channel.${f.channel}`)}</td>
                <td>{f.orders}</td>
                <td>{v.formatMoney(money(f.totalFen, store.currency))}</td>
                <td>
                  {f.refunds} · {v.formatMoney(money(f.refundedFen, store.currency))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="pos-device-list">
        <h2 id="pos-device-list">{v.t("pos.devices.title")}</h2>
        <div class="table-scroll">
          <table class="orders-table">
            <thead>
              <tr>
                <th scope="col">{v.t("pos.devices.name")}</th>
                <th scope="col">{v.t("pos.devices.status")}</th>
                <th scope="col">{v.t("pos.devices.last_seen")}</th>
                <th scope="col">{v.t("pos.devices.backlog")}</th>
                <th scope="col"></th>
              </tr>
            </thead>
            <tbody>
              {devices.map((device) => (
                <tr id={`device-${device.id}`}>
                  <td>
                    {device.name}
                    <br />
                    <span class="muted small">{device.id}</span>
                  </td>
                  <td>{device.paired ? v.t(`pos.status.${device.status}`) : `${v.t(`pos.status.${device.status}`)} · ${v.t("pos.devices.unpaired")}`}</td>
                  <td>{device.lastSeenAt ? v.formatTime(device.lastSeenAt) : v.t("pos.devices.never")}</td>
                  <td>
                    {device.lastSequence} / {device.waiting}
                  </td>
                  <td>
                    {device.status === "active" && (
                      <form method="post" action={`/merchant/pos/devices/${device.id}/revoke`} class="inline-form">
                        <CsrfField v={v} />
                        <button type="submit" class="button">{v.t("pos.devices.revoke")}</button>
                      </form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {devices.length === 0 && <p class="muted">{v.t("pos.devices.none")}</p>}
      </section>
      <section aria-labelledby="pos-new-device">
        <h2 id="pos-new-device">{v.t("pos.devices.new")}</h2>
        <form method="post" action="/merchant/pos/devices">
          <CsrfField v={v} />
          <Field v={v} name="name" label="pos.devices.name" value={props.name} error={errors.name} required maxlength={60} />
          <button type="submit" class="button button--primary">{v.t("pos.devices.create")}</button>
        </form>
      </section>
    </article>
  );
}

export function PosTransactionsPage({ v, transactions, devices }: { v: ViewContext; transactions: PosTransactionRow[]; devices: Map<string, string> }) {
  return (
    <article>
      <h1>{v.t("pos.tx.title")}</h1>
      <PosNav v={v} />
      <div class="table-scroll">
        <table class="orders-table">
          <thead>
            <tr>
              <th scope="col">{v.t("pos.tx.receipt")}</th>
              <th scope="col">{v.t("pos.tx.kind")}</th>
              <th scope="col">{v.t("pos.tx.at")}</th>
              <th scope="col">{v.t("pos.tx.total")}</th>
              <th scope="col">{v.t("pos.tx.status")}</th>
              <th scope="col">{v.t("pos.tx.device")}</th>
            </tr>
          </thead>
          <tbody>
            {transactions.map((t) => (
              <tr>
                <td>{t.orderId ? <a href={`/merchant/orders/${t.orderId}`}>{t.receiptNo}</a> : t.receiptNo}</td>
                <td>{v.t(`pos.kind.${t.kind}`)}</td>
                <td>{v.formatTime(t.at)}</td>
                <td>{v.formatMoney(money(t.totalFen, t.currency))}</td>
                <td>{v.t(`pos.tx_status.${t.status}`)}</td>
                <td>
                  {devices.get(t.deviceId) ?? t.deviceId} / {t.sequence}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {transactions.length === 0 && <p class="muted">{v.t("pos.tx.none")}</p>}
    </article>
  );
}

export function PosMismatchesPage({ v, mismatches, problem }: { v: ViewContext; mismatches: MismatchRow[]; problem?: string }) {
  return (
    <article>
      <h1>{v.t("pos.mm.title")}</h1>
      <PosNav v={v} />
      {problem && <Notice kind="error">{problem}</Notice>}
      <div class="table-scroll">
        <table class="orders-table">
          <thead>
            <tr>
              <th scope="col">{v.t("pos.mm.code")}</th>
              <th scope="col">{v.t("pos.mm.quantity")}</th>
              <th scope="col">{v.t("pos.mm.reason")}</th>
              <th scope="col">{v.t("pos.tx.device")}</th>
              <th scope="col"></th>
            </tr>
          </thead>
          <tbody>
            {mismatches.map((m) => (
              <tr id={`mismatch-${m.id}`}>
                <td>{m.code}</td>
                <td>{m.quantity}</td>
                <td>{v.t(`pos.mm.reason.${m.reason}`)}</td>
                <td>
                  {m.deviceId} / {m.sequence}
                </td>
                <td>
                  {m.status === "resolved" ? (
                    <span class="muted">
                      {v.t("pos.mm.resolved")} {m.resolvedAt ? v.formatTime(m.resolvedAt) : ""}
                    </span>
                  ) : (
                    <form method="post" action={`/merchant/pos/mismatches/${m.id}/resolve`} class="inline-form">
                      <CsrfField v={v} />
                      {m.reason === "unknown_code" && (
                        <>
                          <label for={`sku-${m.id}`}>{v.t("pos.mm.sku")}</label> <input id={`sku-${m.id}`} name="sku" required maxlength={64} />
                        </>
                      )}
                      <button type="submit" class="button">{m.reason === "unknown_code" ? v.t("pos.mm.resolve") : v.t("pos.mm.acknowledge")}</button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {mismatches.length === 0 && <p class="muted">{v.t("pos.mm.none")}</p>}
    </article>
  );
}
