// The order page's card form: Stripe.js's Payment Element collects the card and confirms the
// PaymentIntent in the browser; Stripe then sends the shopper back to the order page (return_url),
// which asks Stripe where the payment stands. Card details never reach Broadcart.
(function () {
  "use strict";
  var form = document.getElementById("card-payment");
  if (!form || typeof Stripe !== "function") return;
  var error = document.getElementById("card-payment-error");
  var button = form.querySelector("button[type=submit]");
  var stripe = Stripe(form.dataset.publishableKey, { locale: form.dataset.locale });
  var elements = stripe.elements({ clientSecret: form.dataset.clientSecret, locale: form.dataset.locale });
  elements.create("payment").mount("#payment-element");

  function show(message) {
    error.textContent = message;
    error.hidden = !message;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    show("");
    button.disabled = true;
    stripe
      .confirmPayment({ elements: elements, confirmParams: { return_url: new URL(form.dataset.returnUrl, window.location.origin).href } })
      .then(function (result) {
        // Only reached when the payment could not be confirmed; on success Stripe redirects.
        if (result && result.error) show(result.error.message || "");
        button.disabled = false;
      });
  });
})();
