/*
 * login.js: the client proofing gallery's sign-in (Curator; login.html).
 *
 * POSTs {"code": "..."} to api/login (relative, so a reverse-proxy sub-path works), with the
 * session cookie's rules (credentials: "same-origin"). 200: reload, and the server then shows
 * the gallery. 4xx: show the server's one-sentence "error". Plain ES2019, no inline script.
 */
(function () {
  "use strict";

  const form = document.getElementById("login-form");
  const input = document.getElementById("code");
  const button = document.getElementById("login-submit");
  const error = document.getElementById("login-error");

  const TEXT = {
    empty: "Type the access code first.",
    offline: "Can't reach the photographer's server. Check your connection and try again.",
    failed: (status) => `Something went wrong (error ${status}). Try again in a moment.`,
  };

  function say(sentence) {
    error.textContent = sentence;
    error.hidden = !sentence;
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const code = input.value.trim();
    if (!code) {
      say(TEXT.empty);
      input.focus();
      return;
    }
    say("");
    button.disabled = true;
    fetch("api/login", {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ code }),
    })
      .then(
        (resp) => {
          if (resp.ok) {
            window.location.reload();
            return;
          }
          return resp.json().then(
            (data) => say(data && typeof data.error === "string" ? data.error : TEXT.failed(resp.status)),
            () => say(TEXT.failed(resp.status)),
          );
        },
        () => say(TEXT.offline),
      )
      .then(() => {
        button.disabled = false;
      });
  });

  input.focus();
})();
