// Live rooms in the browser (the studio and the watch page): joins the LiveKit room with a token from
// the server, shows or publishes the video, and applies the server's data packets (pinned product,
// prices and stock, flash-sale units, chat, likes, viewers, orders) to the page. No build step.
(function () {
  "use strict";
  var root = document.getElementById("room");
  if (!root || !window.LivekitClient) return;
  var LK = window.LivekitClient;
  var host = root.dataset.role === "host";
  var sessionId = root.dataset.session;
  var status = document.getElementById("stage-status");
  var csrf = (document.querySelector('input[name="_csrf"]') || {}).value || "";
  var decoder = new TextDecoder();

  function say(text) {
    if (status) status.textContent = text;
  }
  function byId(id) {
    return document.getElementById(id);
  }
  function money(fen, currency) {
    return new Intl.NumberFormat(root.dataset.locale, { style: "currency", currency: currency, currencyDisplay: "narrowSymbol" }).format(fen / 100);
  }

  function join() {
    return fetch(root.dataset.join, { method: "POST", headers: { "x-csrf-token": csrf, accept: "application/json" } }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) throw new Error((body.error && body.error.message) || response.statusText);
        return body;
      });
    });
  }

  // ---- data packets from the server ----
  function renderCard(card) {
    var showcase = byId("showcase");
    if (!showcase) return;
    if (!card || showcase.dataset.product !== card.productId) {
      // Another product (or none): the server renders the card in this page's language.
      fetch(showcase.dataset.fragment, { headers: { "hx-request": "true" } })
        .then(function (r) { return r.text(); })
        .then(function (html) { showcase.outerHTML = html; tick(); });
      return;
    }
    card.options.forEach(function (option) {
      var row = showcase.querySelector('[data-sku="' + option.skuId + '"]');
      if (!row) return;
      var price = row.querySelector('[data-testid="live-price"]');
      if (price) price.textContent = money(option.priceFen, option.currency);
      var stock = row.querySelector('[data-testid="live-stock"]');
      if (stock) stock.textContent = showcase.dataset.stockTemplate.replace("{count}", option.stock);
      var left = row.querySelector(".sale-left");
      if (left && option.sale) left.textContent = showcase.dataset.leftTemplate.replace("{count}", option.sale.left);
      if (!!option.sale !== !!row.querySelector(".flash-sale")) renderCard(null);
    });
  }
  function appendChat(line) {
    var list = byId("chat-lines");
    if (!list) return;
    var item = document.createElement("li");
    item.dataset.user = line.userId;
    var name = document.createElement("strong");
    name.textContent = line.name;
    item.appendChild(name);
    item.appendChild(document.createTextNode(" " + line.body));
    if (list.dataset.removable === "true") {
      // The host's chat: mute or remove the author, as on the server-rendered lines.
      ["muted", "removed"].forEach(function (kind) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "link-button";
        button.textContent = kind === "muted" ? list.dataset.muteLabel : list.dataset.removeLabel;
        button.addEventListener("click", function () {
          var body = new URLSearchParams({ userId: line.userId, kind: kind });
          fetch("/studio/" + sessionId + "/remove", { method: "POST", headers: { "x-csrf-token": csrf }, body: body });
        });
        item.appendChild(document.createTextNode(" "));
        item.appendChild(button);
      });
    }
    list.appendChild(item);
    while (list.children.length > 100) list.removeChild(list.firstChild);
  }
  var handlers = {
    card: renderCard,
    chat: appendChat,
    likes: function (p) {
      var el = byId("likes") || byId("panel-likes");
      if (byId("panel-likes")) byId("panel-likes").textContent = p.likes;
      if (byId("likes")) byId("likes").textContent = byId("likes").textContent.replace(/\d+/, p.likes);
    },
    viewers: function (p) {
      if (byId("panel-viewers")) byId("panel-viewers").textContent = p.viewersNow;
      if (byId("panel-peak")) byId("panel-peak").textContent = p.peakViewers;
      if (byId("viewers")) byId("viewers").textContent = byId("viewers").textContent.replace(/\d+/, p.viewersNow);
    },
    order: function (p) {
      if (byId("panel-orders")) byId("panel-orders").textContent = p.orders;
      if (byId("panel-gmv")) byId("panel-gmv").textContent = money(p.gmvFen, p.currency);
      var ticker = byId("ticker");
      if (ticker) ticker.textContent = ticker.dataset.template.replace("{name}", p.buyer).replace("{product}", root.dataset.locale === "zh-CN" ? p.productZh : p.productEn);
    },
    coupon: function (p) {
      // Signed-in viewers get a claim button, rendered by the server in this page's language.
      var box = byId("coupons");
      if (!box || !box.dataset.claimTemplate || box.querySelector('[data-coupon="' + p.id + '"]')) return;
      fetch("/live/" + sessionId + "/coupons/" + p.id, { headers: { "hx-request": "true" } })
        .then(function (r) { return r.status === 200 ? r.text() : ""; })
        .then(function (html) {
          if (!html) return;
          box.insertAdjacentHTML("beforeend", html);
          if (window.htmx) window.htmx.process(box.lastElementChild);
        });
    },
    status: function (p) {
      if (p.status === "ended") window.location.reload();
    },
  };

  // ---- flash-sale countdowns ----
  function tick() {
    document.querySelectorAll("[data-ends-at]").forEach(function (el) {
      var left = Math.max(0, Math.round((Date.parse(el.dataset.endsAt) - Date.now()) / 1000));
      var out = el.querySelector(".countdown");
      if (out) out.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
    });
  }
  setInterval(tick, 1000);
  tick();

  // ---- the room ----
  var room = new LK.Room({ adaptiveStream: true, dynacast: true });
  room.on(LK.RoomEvent.DataReceived, function (payload, participant, kind, topic) {
    var handler = handlers[topic];
    if (!handler) return;
    try {
      handler(JSON.parse(decoder.decode(payload)));
    } catch (e) {
      console.warn("live packet", topic, e);
    }
  });
  room.on(LK.RoomEvent.TrackSubscribed, function (track) {
    var element = track.attach();
    if (track.kind === "video") {
      element.setAttribute("playsinline", "");
      element.muted = true;
      byId("video").replaceChildren(element);
    } else {
      document.body.appendChild(element);
    }
    say("");
  });
  room.on(LK.RoomEvent.Disconnected, function () {
    say("…");
  });
  window.broadcartRoom = room;

  function connect() {
    return join().then(function (grant) {
      return room.connect(grant.url, grant.token);
    });
  }

  if (host) {
    var preview = byId("preview");
    LK.createLocalTracks({ audio: true, video: { resolution: LK.VideoPresets.h540.resolution } })
      .then(function (tracks) {
        tracks.forEach(function (track) {
          if (track.kind === "video") track.attach(preview);
        });
        if (root.querySelector('form[action$="/end"]')) {
          return connect().then(function () {
            return Promise.all(tracks.map(function (track) { return room.localParticipant.publishTrack(track); }));
          });
        }
      })
      .catch(function (error) { say(error.message); });
  } else {
    connect().catch(function (error) { say(error.message); });
  }
})();
