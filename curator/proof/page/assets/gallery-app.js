/*
 * gallery-app.js: the client proofing gallery (Curator). Grid, hearts, comments, lightbox,
 * confirm, and in folder mode "Send my selection".
 *
 * One page, two modes, chosen by window.CURATOR_GALLERY.mode (gallery.js, written by Curator):
 *  - "folder": opened from disk or any static host. The selection lives in
 *    localStorage["curator-proof:" + gallery] as {hearts, comments, confirmed_at} (in memory,
 *    said once, where localStorage is unavailable). This page enforces the minimum, the maximum,
 *    the lock and the expiry date. "Send my selection" gives a signed file and the same bytes as
 *    paste-able base64 text; the signature is hex HMAC-SHA256 (key: the hex-decoded sign_key)
 *    over canonicalJson() of the file without "signature": keys sorted by code point, no
 *    whitespace, non-ASCII kept, which is byte for byte Python's
 *    json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).
 *  - "served": from the photographer's server. GET api/state every 2 s while the page is
 *    visible; POST api/heart, api/comment, api/confirm with the CSRF header. The server's answer
 *    is the truth: the page pre-checks the same rules only to answer at once, shows a refusal's
 *    sentence and reads the state again. A 401 reloads the page (the server shows its login).
 *
 * Both modes share one state {hearts: Set, comments: {token: text}, confirmed_at, closed} and
 * one render(); a store (folderStore or servedStore) reads and writes it, and every sentence
 * the client sees is in TEXT.
 *
 * Plain ES2019, no build step, no request outside the page's own folder. No inline script or
 * style attribute in markup (the server's CSP is default-src 'self'); element.style is fine.
 * Globals used: CURATOR_GALLERY (gallery.js), sha256 (js-sha256), PhotoSwipe and
 * PhotoSwipeLightbox (PhotoSwipe 5 UMD builds).
 */
(function () {
  "use strict";

  const G = window.CURATOR_GALLERY;
  const POLL_MS = 2000; // served mode: two phones with one code see each other's hearts in 2 s
  const STORAGE_PREFIX = "curator-proof:";
  const SELECTION_FORMAT = "curator-client-selection";
  const PASTE_BEGIN = "----- BEGIN CURATOR SELECTION -----";
  const PASTE_END = "----- END CURATOR SELECTION -----";
  const PASTE_LINE = 76;
  const COMMENT_MAX = 2000;
  const COMMENT_ROOM = 84; // px under the lightbox's photo: the comment box's height + a margin

  const $ = (id) => document.getElementById(id);
  const who = () => (G && G.photographer) || "the photographer";
  const plural = (n, one, many) => (n === 1 ? one : many);

  // Every sentence the client reads, in one place.
  const TEXT = {
    missing: "This gallery's data is missing or damaged. Ask the photographer for a new copy.",
    closed: (date) =>
      date
        ? `This gallery closed on ${date}. Ask the photographer if you need more time.`
        : "This gallery is closed. Ask the photographer if you need more time.",
    atMax: (max) =>
      `You've hearted ${max} ${plural(max, "photo", "photos")}, the most this gallery allows — ` +
      "remove a heart to choose another.",
    locked: () => `Your selection is confirmed — ask ${who()} to reopen it to change it.`,
    belowMin: (min, n) =>
      `Heart at least ${min} ${plural(min, "photo", "photos")} to confirm — you've hearted ${n}.`,
    noneHearted: "Heart at least one photo to confirm.",
    confirmQuestion: (n) =>
      (n === 1 ? "Confirm this photo?" : `Confirm these ${n} photos?`) +
      " You can't change them afterwards unless the photographer reopens the gallery.",
    hint: (min, max) => {
      if (min > 0 && max != null) {
        return min === max
          ? `Heart ${max} ${plural(max, "photo", "photos")}, then confirm.`
          : `Heart between ${min} and ${max} photos, then confirm.`;
      }
      if (max != null) return `Heart up to ${max} ${plural(max, "photo", "photos")}, then confirm.`;
      if (min > 0) return `Heart at least ${min} ${plural(min, "photo", "photos")}, then confirm.`;
      return "Heart the photos you like, then confirm.";
    },
    openUntil: (date) => ` The gallery is open until ${date}.`,
    confirmedFolder: () => `Your selection is confirmed. Now send it to ${who()}.`,
    confirmedServed: () => `Your selection is confirmed. ${cap(who())} can see it now.`,
    noStorage:
      "This browser won't keep your selection: it is lost if you reload or close this page. " +
      "Send it before you leave.",
    offline: "Can't reach the photographer's server, so your last change may not be saved.",
    httpError: (status) => `Something went wrong (error ${status}). Try again in a moment.`,
    pageError: "Something went wrong in this page. Reload it and try again.",
    noKey: "This gallery can't make a selection file. Ask the photographer for a new copy.",
    sendIntro: () =>
      `Send your selection to ${who()}: download the file and attach it to an email, ` +
      "or copy the text below and paste it into a message.",
    copied: "Copied.",
    copyFailed: "Select the text and copy it.",
    saved: "Saved.",
    commentLabel: (n) => `Comment on photo ${n}`,
    commentPlaceholder: "A comment for the photographer",
    heartLabel: (n) => `Heart photo ${n}`,
    openLabel: (n) => `Open photo ${n}`,
    photoNumber: (n) => `Photo ${n}`,
  };

  function cap(s) {
    return s.charAt(0).toUpperCase() + s.slice(1);
  }

  // ---- The counter ("24 of 30–40") -------------------------------------------------------

  function minPicks() {
    return Number(G.min_picks) || 0;
  }

  function maxPicks() {
    return G.max_picks == null ? null : Number(G.max_picks);
  }

  function counterText(n) {
    const min = minPicks();
    const max = maxPicks();
    if (min > 0 && max != null) return min === max ? `${n} of ${max}` : `${n} of ${min}–${max}`;
    if (max != null) return `${n} of up to ${max}`;
    if (min > 0) return `${n} (at least ${min})`;
    return `${n} hearted`;
  }

  // ---- Dates ("expires" closes the gallery at the end of that day, local time) ------------

  function expiryEnd() {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(G.expires || "");
    if (!m) return null;
    return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 23, 59, 59, 999);
  }

  function humanDate(d) {
    return d.toLocaleDateString(undefined, { day: "numeric", month: "long", year: "numeric" });
  }

  function isExpired() {
    const end = expiryEnd();
    return end !== null && Date.now() > end.getTime();
  }

  // ---- State -----------------------------------------------------------------------------

  const known = new Map(); // token -> photo entry of G.photos

  function emptyState() {
    return { hearts: new Set(), comments: {}, confirmed_at: null, closed: false };
  }

  // A state from JSON (localStorage or the server), keeping only this gallery's photos.
  function parseState(raw) {
    const s = emptyState();
    if (!raw || typeof raw !== "object") return s;
    if (Array.isArray(raw.hearts)) {
      raw.hearts.forEach((t) => {
        if (known.has(t)) s.hearts.add(t);
      });
    }
    if (raw.comments && typeof raw.comments === "object") {
      Object.keys(raw.comments).forEach((t) => {
        const text = raw.comments[t];
        if (known.has(t) && typeof text === "string" && text !== "") s.comments[t] = text;
      });
    }
    s.confirmed_at = typeof raw.confirmed_at === "string" ? raw.confirmed_at : null;
    s.closed = raw.closed === true;
    return s;
  }

  function copyState(s) {
    return {
      hearts: new Set(s.hearts),
      comments: Object.assign({}, s.comments),
      confirmed_at: s.confirmed_at,
      closed: s.closed,
    };
  }

  // ---- The rules, checked by the page in both modes (the server checks them again) --------

  class Refusal extends Error {}

  function heartRefusal(s, token, hearted) {
    if (s.confirmed_at) return TEXT.locked();
    const max = maxPicks();
    if (hearted && !s.hearts.has(token) && max != null && s.hearts.size >= max) {
      return TEXT.atMax(max);
    }
    return null;
  }

  function commentRefusal(s) {
    return s.confirmed_at ? TEXT.locked() : null;
  }

  function confirmRefusal(s) {
    if (s.confirmed_at) return TEXT.locked();
    const n = s.hearts.size;
    if (n < minPicks()) return TEXT.belowMin(minPicks(), n);
    if (n === 0) return TEXT.noneHearted;
    return null;
  }

  // Text as it is stored and signed: a lone surrogate (UTF-8 can't carry one) becomes U+FFFD.
  function wellFormed(text) {
    const s = String(text);
    if (!/[\uD800-\uDFFF]/.test(s)) return s;
    let out = "";
    for (let i = 0; i < s.length; i += 1) {
      const c = s.charCodeAt(i);
      const pair = c >= 0xd800 && c <= 0xdbff && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
      if (pair) {
        out += s.slice(i, i + 2);
        i += 1;
      } else {
        out += (c & 0xf800) === 0xd800 ? "\uFFFD" : s[i];
      }
    }
    return out;
  }

  // ---- Folder mode: localStorage, the page enforces the rules -----------------------------

  function folderStore() {
    const key = STORAGE_PREFIX + G.gallery;
    let storage = null;
    try {
      storage = window.localStorage;
      storage.setItem(key + ":probe", "1");
      storage.removeItem(key + ":probe");
    } catch (e) {
      storage = null;
    }
    let memory = emptyState();
    let warned = false;

    function read() {
      if (!storage) return copyState(memory);
      try {
        return parseState(JSON.parse(storage.getItem(key) || "null"));
      } catch (e) {
        return emptyState();
      }
    }

    function write(s) {
      memory = copyState(s);
      if (!storage) return;
      const json = JSON.stringify({
        hearts: Array.from(s.hearts).sort(compareCodePoints),
        comments: s.comments,
        confirmed_at: s.confirmed_at,
      });
      try {
        storage.setItem(key, json);
      } catch (e) {
        storage = null; // full or refused: keep going in memory, and say so once
        warnOnce();
      }
    }

    function warnOnce() {
      if (warned) return;
      warned = true;
      notify(TEXT.noStorage);
    }

    function change(refusal, apply) {
      if (isExpired()) {
        showClosed(expiryEnd());
        return Promise.reject(new Refusal(TEXT.closed(humanDate(expiryEnd()))));
      }
      const s = read();
      const sentence = refusal(s);
      if (sentence) return Promise.reject(new Refusal(sentence));
      apply(s);
      write(s);
      return Promise.resolve(s);
    }

    return {
      start() {
        if (!storage) warnOnce();
        // Another tab of the same gallery changed it: show that here too.
        window.addEventListener("storage", (e) => {
          if (e.key === key) applyState(read());
        });
        return Promise.resolve(read());
      },
      load: () => Promise.resolve(read()),
      heart: (token, hearted) =>
        change(
          (s) => heartRefusal(s, token, hearted),
          (s) => (hearted ? s.hearts.add(token) : s.hearts.delete(token)),
        ),
      comment: (token, text) =>
        change(commentRefusal, (s) => {
          if (text === "") delete s.comments[token];
          else s.comments[token] = text;
        }),
      confirm: () =>
        change(confirmRefusal, (s) => {
          s.confirmed_at = new Date().toISOString();
        }),
    };
  }

  // ---- Served mode: the JSON API, the server enforces the rules ---------------------------
  //
  // Writes go out one at a time, in order, each with a generation number. Only the answer to
  // the last write in the queue is shown: an earlier one predates the hearts given since, and
  // showing it would flicker a fresh heart off and on again. For the same reason a read (a
  // poll, or the re-read after a refusal) that overlaps a write is dropped: load() resolves
  // to null then, and the caller shows nothing.

  function servedStore() {
    let queue = Promise.resolve();
    let inFlight = 0;
    let generation = 0;
    let pollTimer = 0;
    let polling = false;
    let offline = false;

    function request(method, path, body) {
      const init = { method, credentials: "same-origin", cache: "no-store", headers: {} };
      init.headers.Accept = "application/json";
      if (method === "POST") {
        init.headers["Content-Type"] = "application/json";
        init.headers["X-CSRF-Token"] = G.csrf || "";
        init.body = JSON.stringify(body);
      }
      return fetch(path, init).then(
        (resp) => {
          if (resp.status === 401) {
            window.location.reload(); // the session is gone: the server shows its login
            return new Promise(() => {});
          }
          return resp.json().then(
            (data) => answer(resp, data),
            () => answer(resp, null),
          );
        },
        () => {
          setOffline(true);
          throw new Refusal(TEXT.offline);
        },
      );
    }

    function answer(resp, data) {
      setOffline(false);
      if (resp.ok && data && typeof data === "object") return parseState(data);
      const sentence = data && typeof data.error === "string" ? data.error : null;
      throw new Refusal(sentence || TEXT.httpError(resp.status));
    }

    function setOffline(value) {
      if (value === offline) return;
      offline = value;
      if (value) notify(TEXT.offline);
      else clearNotice(TEXT.offline);
    }

    function write(path, body) {
      generation += 1;
      inFlight += 1;
      const done = queue.then(() => request("POST", path, body));
      const settle = () => {
        inFlight -= 1;
      };
      queue = done.then(settle, settle);
      // settle (registered first) has run by now: inFlight counts the writes still queued.
      return done.then((s) => (inFlight > 0 ? null : s));
    }

    function load() {
      const started = generation;
      return request("GET", "api/state").then((s) =>
        started === generation && inFlight === 0 ? s : null,
      );
    }

    function poll() {
      window.clearTimeout(pollTimer);
      if (document.visibilityState !== "visible" || polling) return;
      polling = true;
      load()
        .then(applyState, () => {})
        .then(() => {
          polling = false;
          pollTimer = window.setTimeout(poll, POLL_MS);
        });
    }

    return {
      start() {
        document.addEventListener("visibilitychange", () => {
          if (document.visibilityState === "visible") poll();
        });
        const first = request("GET", "api/state");
        const next = () => {
          pollTimer = window.setTimeout(poll, POLL_MS);
        };
        first.then(next, next);
        return first;
      },
      load,
      heart: (token, hearted) => write("api/heart", { photo: token, hearted }),
      comment: (token, text) => write("api/comment", { photo: token, text }),
      confirm: () => write("api/confirm", {}),
    };
  }

  // ---- Canonical JSON, HMAC, base64 (the selection file) ----------------------------------

  // Python's sort_keys order: by code point (JS's default sort compares UTF-16 units).
  function compareCodePoints(a, b) {
    const x = Array.from(a);
    const y = Array.from(b);
    for (let i = 0; i < Math.min(x.length, y.length); i += 1) {
      const d = x[i].codePointAt(0) - y[i].codePointAt(0);
      if (d !== 0) return d;
    }
    return x.length - y.length;
  }

  // JSON.stringify's string escapes equal Python's with ensure_ascii=False (\" \\ \b \f \n \r
  // \t, other controls as lowercase \u00xx, everything else as is) once the text is well formed.
  function canonicalJson(value) {
    if (value === null) return "null";
    if (Array.isArray(value)) return "[" + value.map(canonicalJson).join(",") + "]";
    switch (typeof value) {
      case "string":
        return JSON.stringify(wellFormed(value));
      case "boolean":
        return value ? "true" : "false";
      case "number":
        if (!Number.isSafeInteger(value)) throw new TypeError("only integers are signed");
        return String(value);
      case "object":
        return (
          "{" +
          Object.keys(value)
            .sort(compareCodePoints)
            .map((k) => JSON.stringify(wellFormed(k)) + ":" + canonicalJson(value[k]))
            .join(",") +
          "}"
        );
      default:
        throw new TypeError("can't sign a " + typeof value);
    }
  }

  function utf8(text) {
    return new TextEncoder().encode(text);
  }

  function hexBytes(hex) {
    if (typeof hex !== "string" || !/^([0-9a-fA-F]{2})+$/.test(hex)) return null;
    const out = new Uint8Array(hex.length / 2);
    for (let i = 0; i < out.length; i += 1) out[i] = parseInt(hex.substr(i * 2, 2), 16);
    return out;
  }

  function base64(bytes) {
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000) {
      binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return window.btoa(binary);
  }

  function slug(text) {
    const s = String(text)
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 60)
      .replace(/-+$/, "");
    return s || "gallery";
  }

  // The selection file's bytes and its paste-able text, for the state as it is now.
  function selection(client) {
    const key = hexBytes(G.sign_key);
    if (!key || typeof window.sha256 === "undefined") throw new Refusal(TEXT.noKey);
    const comments = {};
    Object.keys(state.comments).forEach((t) => {
      if (state.comments[t] !== "") comments[t] = state.comments[t];
    });
    const body = {
      format: SELECTION_FORMAT,
      version: 1,
      gallery: G.gallery,
      title: G.title,
      hearts: Array.from(state.hearts).sort(compareCodePoints),
      comments,
      confirmed_at: state.confirmed_at,
      client: wellFormed(client.trim()),
    };
    body.signature = window.sha256.hmac(key, utf8(canonicalJson(body)));
    const bytes = utf8(canonicalJson(body));
    const lines = base64(bytes).match(new RegExp(`.{1,${PASTE_LINE}}`, "g")) || [];
    return { bytes, text: [PASTE_BEGIN].concat(lines, [PASTE_END]).join("\n") };
  }

  // ---- The notice (refusals and notes) ----------------------------------------------------

  function notify(sentence) {
    const text = $("notice-text");
    if (text.textContent !== sentence || $("notice").hidden) text.textContent = sentence;
    $("notice").hidden = false;
  }

  // Hide the notice; only when it still says `sentence`, if given.
  function clearNotice(sentence) {
    if (sentence && $("notice-text").textContent !== sentence) return;
    $("notice").hidden = true;
  }

  // ---- The closed page --------------------------------------------------------------------

  function showClosed(end) {
    if (lightbox && lightbox.pswp) lightbox.pswp.destroy();
    closedShown = true;
    document.title = G && G.title ? G.title : "Gallery";
    const p = document.createElement("p");
    p.className = "closed";
    p.textContent = TEXT.closed(end ? humanDate(end) : null);
    const main = document.createElement("main");
    main.className = "closed-page";
    main.appendChild(p);
    document.body.textContent = "";
    document.body.appendChild(main);
  }

  // ---- The grid ---------------------------------------------------------------------------

  const HEART_SVG =
    '<svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">' +
    '<path d="M12 21.35l-1.45-1.32C5.4 15.36 2 12.28 2 8.5 2 5.42 4.42 3 7.5 3c1.74 0 3.41.81 ' +
    "4.5 2.09C13.09 3.81 14.76 3 16.5 3 19.58 3 22 5.42 22 8.5c0 3.78-3.4 6.86-8.55 " +
    '11.54L12 21.35z"/></svg>';
  const COMMENT_SVG =
    '<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">' +
    '<path d="M4 4h16a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H9l-5 4v-4H4a1 1 0 0 1-1-1V5a1 1 0 0 1 ' +
    '1-1z"/></svg>';

  const tiles = new Map(); // token -> {li, heart, marker, hearted, commented}

  function fromHtml(html) {
    const t = document.createElement("template");
    t.innerHTML = html;
    return t.content.firstChild;
  }

  // All tiles in one DocumentFragment, one insertion: a 1,000-photo gallery lays out once.
  // Thumbnails are lazy, with their size in attributes so nothing moves as they arrive.
  function buildGrid() {
    const heartIcon = fromHtml(HEART_SVG);
    const commentIcon = fromHtml(COMMENT_SVG);
    const frag = document.createDocumentFragment();
    G.photos.forEach((p) => {
      const li = document.createElement("li");
      li.className = "tile";
      li.dataset.id = p.id;

      const link = document.createElement("a");
      link.className = "tile-open";
      link.href = p.src;
      link.setAttribute("aria-label", TEXT.openLabel(p.n));
      const img = document.createElement("img");
      img.loading = "lazy";
      img.decoding = "async";
      img.alt = "";
      img.width = p.tw;
      img.height = p.th;
      img.src = p.thumb; // after loading="lazy", or the fetch starts at once
      link.appendChild(img);

      const number = document.createElement("span");
      number.className = "tile-n";
      number.setAttribute("aria-hidden", "true");
      number.textContent = String(p.n);

      const heart = document.createElement("button");
      heart.type = "button";
      heart.className = "tile-heart";
      heart.setAttribute("aria-pressed", "false");
      heart.setAttribute("aria-label", TEXT.heartLabel(p.n));
      heart.appendChild(heartIcon.cloneNode(true));

      const marker = document.createElement("span");
      marker.className = "tile-comment";
      marker.hidden = true;
      marker.title = "Commented";
      marker.appendChild(commentIcon.cloneNode(true));
      const said = document.createElement("span");
      said.className = "vh";
      said.textContent = "Commented";
      marker.appendChild(said);

      li.append(link, number, heart, marker);
      frag.appendChild(li);
      tiles.set(p.id, { li, heart, marker, hearted: false, commented: false });
    });
    $("grid").appendChild(frag);

    $("grid").addEventListener("click", (e) => {
      const tile = e.target.closest(".tile");
      if (!tile) return;
      if (e.target.closest(".tile-heart")) {
        toggleHeart(tile.dataset.id);
      } else if (e.target.closest(".tile-open") && !e.ctrlKey && !e.metaKey && !e.shiftKey) {
        e.preventDefault();
        openLightbox(tile.dataset.id);
      }
    });
  }

  // ---- Render: the one place the page shows the state --------------------------------------

  let state = emptyState();
  let closedShown = false;

  // `s` null: a stale answer the store dropped (servedStore); nothing to show.
  function applyState(s) {
    if (closedShown || !s) return;
    state = s;
    if (s.closed) {
      showClosed(isExpired() ? expiryEnd() : null); // closed early: no date to give
      return;
    }
    render();
  }

  function render() {
    const n = state.hearts.size;
    $("counter").textContent = counterText(n);
    tiles.forEach((t, token) => {
      const hearted = state.hearts.has(token);
      const commented = Boolean(state.comments[token]);
      if (hearted !== t.hearted) {
        t.hearted = hearted;
        t.heart.setAttribute("aria-pressed", String(hearted));
        t.li.classList.toggle("is-hearted", hearted);
      }
      if (commented !== t.commented) {
        t.commented = commented;
        t.marker.hidden = !commented;
      }
    });
    const locked = Boolean(state.confirmed_at);
    $("confirm").disabled = confirmRefusal(state) !== null;
    $("confirm").textContent = locked ? "Confirmed" : "Confirm";
    document.body.classList.toggle("is-locked", locked);
    const status = $("status");
    status.hidden = !locked;
    status.textContent = locked
      ? G.mode === "folder"
        ? TEXT.confirmedFolder()
        : TEXT.confirmedServed()
      : "";
    $("empty").hidden = !(filterOn && n === 0);
    renderLightbox();
  }

  // ---- Actions ----------------------------------------------------------------------------

  let store = null;

  function refused(err) {
    if (err instanceof Refusal) {
      notify(err.message);
    } else {
      console.error(err);
      notify(TEXT.pageError);
    }
    // Read the state again: the server (or another tab) may know better than we do.
    store.load().then(applyState, () => {});
  }

  function toggleHeart(token) {
    if (!known.has(token)) return;
    const hearted = !state.hearts.has(token);
    const sentence = heartRefusal(state, token, hearted);
    if (sentence) {
      notify(sentence);
      return;
    }
    clearNotice();
    // Show it at once; the store's answer (the server's, in served mode) then replaces it.
    const next = copyState(state);
    if (hearted) next.hearts.add(token);
    else next.hearts.delete(token);
    state = next;
    render();
    store.heart(token, hearted).then(applyState, refused);
  }

  function saveComment(token, text) {
    const clean = wellFormed(String(text).trim().slice(0, COMMENT_MAX));
    if ((state.comments[token] || "") === clean) return Promise.resolve(true);
    const sentence = commentRefusal(state);
    if (sentence) {
      notify(sentence);
      return Promise.resolve(false);
    }
    return store.comment(token, clean).then(
      (s) => {
        applyState(s);
        return true;
      },
      (err) => {
        refused(err);
        return false;
      },
    );
  }

  function askConfirm() {
    const sentence = confirmRefusal(state);
    if (sentence) {
      notify(sentence);
      return;
    }
    $("confirm-question").textContent = TEXT.confirmQuestion(state.hearts.size);
    $("confirm-dialog").showModal();
  }

  function doConfirm() {
    store.confirm().then((s) => {
      applyState(s);
      clearNotice();
      if (G.mode === "folder") openSend();
    }, refused);
  }

  // ---- Send my selection (folder mode) ----------------------------------------------------

  const CLIENT_KEY = () => STORAGE_PREFIX + G.gallery + ":client";
  let current = null; // {bytes, text} of the selection the dialog shows

  function rememberedName() {
    try {
      return window.localStorage.getItem(CLIENT_KEY()) || "";
    } catch (e) {
      return "";
    }
  }

  function refreshSelection() {
    const name = $("send-name").value;
    try {
      window.localStorage.setItem(CLIENT_KEY(), name);
    } catch (e) {
      // in memory only: the store has already said so once
    }
    current = selection(name);
    $("send-text").value = current.text;
    $("send-copied").textContent = "";
  }

  function openSend() {
    try {
      $("send-intro").textContent = TEXT.sendIntro();
      $("send-draft").hidden = Boolean(state.confirmed_at);
      if (!$("send-name").value) $("send-name").value = rememberedName();
      refreshSelection();
    } catch (err) {
      notify(err instanceof Refusal ? err.message : TEXT.noKey);
      return;
    }
    if (!$("send-dialog").open) $("send-dialog").showModal();
  }

  function download() {
    if (!current) return;
    const blob = new Blob([current.bytes], { type: "application/json" });
    const url = URL.createObjectURL(blob);
    const a = document.createElement("a");
    a.href = url;
    a.download = `selection-${slug(G.title)}.curator-selection.json`;
    a.hidden = true;
    document.body.appendChild(a);
    a.click();
    a.remove();
    window.setTimeout(() => URL.revokeObjectURL(url), 60000);
  }

  function copyText() {
    const area = $("send-text");
    const said = (text) => {
      $("send-copied").textContent = text;
    };
    const fallback = () => {
      area.focus();
      area.select();
      let ok = false;
      try {
        ok = document.execCommand("copy");
      } catch (e) {
        ok = false;
      }
      said(ok ? TEXT.copied : TEXT.copyFailed);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(area.value).then(() => said(TEXT.copied), fallback);
    } else {
      fallback();
    }
  }

  // ---- The lightbox (PhotoSwipe 5) --------------------------------------------------------

  let lightbox = null;
  let filterOn = false;
  const ui = { heart: null, number: null, form: null, box: null, saved: null, token: null };

  function currentToken() {
    const pswp = lightbox && lightbox.pswp;
    return pswp && pswp.currSlide ? pswp.currSlide.data.id : null;
  }

  function visiblePhotos() {
    return filterOn ? G.photos.filter((p) => state.hearts.has(p.id)) : G.photos;
  }

  function openLightbox(token) {
    const items = visiblePhotos().map((p) => ({
      src: p.src,
      width: p.w,
      height: p.h,
      msrc: p.thumb,
      alt: TEXT.photoNumber(p.n),
      id: p.id,
      n: p.n,
      element: tiles.get(p.id).li.querySelector("img"),
    }));
    const index = items.findIndex((item) => item.id === token);
    if (index >= 0) lightbox.loadAndOpen(index, items);
  }

  // The comment box shows the current photo's comment unless the client is typing in it.
  function commentDirty() {
    return ui.box && ui.token && ui.box.value.trim() !== (state.comments[ui.token] || "");
  }

  function renderLightbox() {
    const token = currentToken();
    if (!token) return;
    const photo = known.get(token);
    if (ui.heart) {
      const hearted = state.hearts.has(token);
      ui.heart.setAttribute("aria-pressed", String(hearted));
      ui.heart.classList.toggle("is-hearted", hearted);
      ui.heart.setAttribute("aria-label", TEXT.heartLabel(photo.n));
      ui.heart.title = `${TEXT.heartLabel(photo.n)} (H)`;
    }
    if (ui.number) ui.number.textContent = TEXT.photoNumber(photo.n);
    if (ui.box) {
      const moved = ui.token !== token;
      if (moved || (document.activeElement !== ui.box && !commentDirty())) {
        ui.token = token;
        ui.box.value = state.comments[token] || "";
        ui.box.setAttribute("aria-label", TEXT.commentLabel(photo.n));
      }
      if (moved) ui.saved.textContent = "";
      ui.box.readOnly = Boolean(state.confirmed_at);
    }
  }

  // Leaving a photo (or the lightbox) keeps what was typed: no comment is lost to a swipe.
  function keepTypedComment() {
    if (commentDirty() && !state.confirmed_at) saveComment(ui.token, ui.box.value);
  }

  function submitComment() {
    const token = ui.token;
    if (!token) return;
    saveComment(token, ui.box.value).then((ok) => {
      if (ok && ui.token === token) ui.saved.textContent = TEXT.saved;
    });
  }

  function registerUi() {
    const pswp = lightbox.pswp;
    pswp.ui.registerElement({
      name: "photo-number",
      order: 5,
      onInit: (el) => {
        ui.number = el;
        el.setAttribute("aria-live", "polite");
      },
    });
    pswp.ui.registerElement({
      name: "heart",
      order: 9,
      isButton: true,
      html: HEART_SVG,
      title: "Heart (H)",
      onInit: (el) => {
        ui.heart = el;
        el.setAttribute("aria-pressed", "false");
      },
      onClick: () => toggleHeart(currentToken()),
    });
    if (!G.comments) return;
    pswp.ui.registerElement({
      name: "comment",
      appendTo: "root", // outside PhotoSwipe's gesture area: the box takes taps and typing
      tagName: "form",
      className: "pswp-comment",
      html:
        '<textarea rows="2" maxlength="' +
        COMMENT_MAX +
        '" spellcheck="true"></textarea>' +
        '<button type="submit">Save</button><span class="pswp-comment-saved" role="status">' +
        "</span>",
      onInit: (form) => {
        ui.form = form;
        ui.box = form.querySelector("textarea");
        ui.saved = form.querySelector(".pswp-comment-saved");
        ui.box.placeholder = TEXT.commentPlaceholder;
        form.addEventListener("submit", (e) => {
          e.preventDefault();
          submitComment();
        });
        // Keys typed in the box stay in the box: arrows move the caret, H types an h, Escape
        // only leaves the box. Enter saves; Shift+Enter starts a new line.
        ui.box.addEventListener("keydown", (e) => {
          e.stopPropagation();
          if (e.key === "Escape") {
            e.preventDefault();
            ui.box.blur();
            pswp.element.focus();
          } else if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            submitComment();
          }
        });
        ui.box.addEventListener("input", () => {
          ui.saved.textContent = "";
        });
        ui.box.addEventListener("focus", () => {
          if (state.confirmed_at) notify(TEXT.locked());
        });
      },
    });
  }

  function isTyping(target) {
    return Boolean(target && target.closest && target.closest("input, textarea, select"));
  }

  const ARROW_STEP = { ArrowRight: 1, ArrowLeft: -1 };

  function heartKey(e) {
    return (e.key === "h" || e.key === "H") && !e.ctrlKey && !e.metaKey && !e.altKey;
  }

  function setUpLightbox() {
    lightbox = new window.PhotoSwipeLightbox({
      pswpModule: window.PhotoSwipe,
      dataSource: [],
      preload: [1, 2], // the neighbours are fetched while the client looks at this one
      counter: false,
      returnFocus: false,
      bgOpacity: 1, // photos are judged on black, not over the grid
      // Room under the photo for the comment box, so it never covers the picture.
      paddingFn: (viewport) => ({
        top: 0,
        bottom: G.comments && viewport.y > 500 ? COMMENT_ROOM : 0,
        left: 0,
        right: 0,
      }),
      closeTitle: "Close (Esc)",
      zoomTitle: "Zoom (Z)",
      arrowPrevTitle: "Previous (←)",
      arrowNextTitle: "Next (→)",
      errorMsg: "This photo can't be shown.",
    });
    // Tiles show the whole photo (object-fit: contain): open from and close to that box.
    lightbox.addFilter("thumbBounds", (bounds, data) => {
      const img = data.element;
      if (!img) return bounds;
      const r = img.getBoundingClientRect();
      if (!r.width || !r.height) return undefined;
      const scale = Math.min(r.width / data.width, r.height / data.height);
      const w = data.width * scale;
      const h = data.height * scale;
      return { x: r.left + (r.width - w) / 2, y: r.top + (r.height - h) / 2, w };
    });
    lightbox.on("uiRegister", registerUi);
    lightbox.on("change", () => {
      keepTypedComment();
      renderLightbox();
    });
    lightbox.on("keydown", (e) => {
      const key = e.originalEvent;
      if (heartKey(key) && !isTyping(key.target)) {
        key.preventDefault();
        toggleHeart(currentToken());
      }
    });
    // Keys pressed while the photo still zooms open count (PhotoSwipe drops them until its
    // opening animation has ended): H hearts it, ← and → move once it is open.
    let movesWhileOpening = 0;
    window.addEventListener(
      "keydown",
      (e) => {
        const pswp = lightbox.pswp;
        if (!pswp || !pswp.opener.isOpening || isTyping(e.target)) return;
        if (heartKey(e)) toggleHeart(currentToken());
        else if (ARROW_STEP[e.key]) movesWhileOpening += ARROW_STEP[e.key];
        else return;
        e.preventDefault();
        e.stopPropagation();
      },
      true,
    );
    lightbox.on("openingAnimationEnd", () => {
      const moves = movesWhileOpening;
      movesWhileOpening = 0;
      if (moves) lightbox.pswp.goTo(lightbox.pswp.currIndex + moves); // goTo loops as → does
    });
    lightbox.on("afterInit", () => {
      lightbox.pswp.element.appendChild($("notice")); // refusals show above the photo
    });
    lightbox.on("close", () => {
      keepTypedComment();
      const token = currentToken();
      const tile = token && tiles.get(token);
      if (tile) tile.li.scrollIntoView({ block: "nearest" });
    });
    lightbox.on("destroy", () => {
      movesWhileOpening = 0; // closed before it had opened
      const token = ui.token || currentToken();
      document.body.insertBefore($("notice"), $("main"));
      ui.heart = ui.number = ui.form = ui.box = ui.saved = ui.token = null;
      const tile = token && tiles.get(token);
      if (tile) tile.li.querySelector(".tile-open").focus({ preventScroll: true });
    });
    lightbox.init();
  }

  // ---- Start ------------------------------------------------------------------------------

  function valid() {
    return (
      G &&
      typeof G === "object" &&
      (G.mode === "folder" || G.mode === "served") &&
      typeof G.gallery === "string" &&
      Array.isArray(G.photos)
    );
  }

  function start() {
    if (!valid()) {
      document.body.textContent = "";
      const p = document.createElement("p");
      p.className = "closed";
      p.textContent = TEXT.missing;
      document.body.appendChild(p);
      return;
    }
    if (G.mode === "folder" && isExpired()) {
      showClosed(expiryEnd());
      return;
    }
    G.photos.forEach((p) => known.set(p.id, p));

    document.title = G.title || "Gallery";
    $("title").textContent = G.title || "Gallery";
    if (G.photographer) {
      $("photographer").textContent = `Photos by ${G.photographer}`;
      $("photographer").hidden = false;
    }
    const end = expiryEnd();
    $("hint").textContent =
      TEXT.hint(minPicks(), maxPicks()) + (end ? TEXT.openUntil(humanDate(end)) : "");
    $("hint").hidden = false;
    $("keys").hidden = false;
    $("send").hidden = G.mode !== "folder";
    $("top").hidden = false;
    $("bar").hidden = false;
    buildGrid();
    render();

    $("notice-close").addEventListener("click", () => clearNotice());
    $("filter").addEventListener("click", () => {
      filterOn = !filterOn;
      $("filter").setAttribute("aria-pressed", String(filterOn));
      $("grid").classList.toggle("only-hearted", filterOn);
      render();
    });
    $("confirm").addEventListener("click", askConfirm);
    $("confirm-dialog").addEventListener("close", () => {
      if ($("confirm-dialog").returnValue === "confirm") doConfirm();
    });
    $("send").addEventListener("click", openSend);
    $("send-name").addEventListener("input", () => {
      try {
        refreshSelection();
      } catch (err) {
        notify(err instanceof Refusal ? err.message : TEXT.noKey);
      }
    });
    $("send-download").addEventListener("click", download);
    $("send-copy").addEventListener("click", copyText);
    // H hearts the photo whose tile has the focus (in the grid; the lightbox has its own).
    document.addEventListener("keydown", (e) => {
      if (!heartKey(e) || (lightbox && lightbox.pswp) || isTyping(e.target)) return;
      const tile = e.target.closest && e.target.closest(".tile");
      if (tile) {
        e.preventDefault();
        toggleHeart(tile.dataset.id);
      }
    });

    setUpLightbox();
    store = G.mode === "folder" ? folderStore() : servedStore();
    store.start().then(applyState, (err) => {
      if (err instanceof Refusal) notify(err.message);
    });
  }

  start();
})();
