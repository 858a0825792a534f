import type { ViewContext } from "./view-context.ts";

/** The body of an error answer; alone it is the fragment an HTMX page shows in place. */
export function ErrorMessage({ v, message }: { v: ViewContext; message: string }) {
  return (
    <div class="notice notice--error" role="alert" data-request-id={v.requestId}>
      <p>{message}</p>
    </div>
  );
}

export function ErrorPage({ v, message }: { v: ViewContext; message: string }) {
  return (
    <article class="card">
      <h1>{v.t("error.title")}</h1>
      <ErrorMessage v={v} message={message} />
      <p>
        <a href="/">{v.t("error.back_home")}</a>
      </p>
    </article>
  );
}
