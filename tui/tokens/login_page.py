"""The one page ``amratings token login`` serves, and its script, as strings (shipped in the
wheel with the package).

No inline script anywhere: the Content-Security-Policy allows scripts only from the page's own
origin and MusicKit's host, so the page's logic is its own file (``login.js``) and the values
it needs (developer token, app name, nonce) ride in ``data-`` attributes, HTML-escaped. The
script writes messages with ``textContent`` only, never as HTML.
"""

from __future__ import annotations

from html import escape

#: The page; ``{...}`` fields are filled by :func:`render_page`, every one HTML-escaped.
PAGE_TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>amratings: sign in with Apple Music</title>
<style>
  body {{ font: 16px/1.5 system-ui, sans-serif; max-width: 36rem; margin: 4rem auto;
         padding: 0 1rem; color: #1d1d1f; background: #fbfbfd; }}
  h1 {{ font-size: 1.5rem; }}
  button {{ font: inherit; font-weight: 600; padding: .7rem 1.4rem; border: 0;
           border-radius: .6rem; background: #fa2d48; color: white; cursor: pointer; }}
  button:disabled {{ background: #c7c7cc; cursor: default; }}
  #status {{ min-height: 3rem; margin-top: 1.5rem; }}
  #status.ok {{ color: #1b7f3b; font-weight: 600; }}
  #status.error {{ color: #c4161c; font-weight: 600; }}
  .small {{ color: #6e6e73; font-size: .85rem; }}
  code {{ font-size: .9em; }}
</style>
</head>
<body>
<main id="login" data-developer-token="{developer_token}" data-app-name="{app_name}"
      data-app-build="{app_build}" data-nonce="{nonce}">
<h1>Sign in with Apple Music</h1>
<p>This page belongs to <code>amratings</code>, running on this computer. It asks Apple Music
for a music user token and hands it straight back to the terminal, which stores it.</p>
<button id="sign-in" type="button" disabled>Sign in with Apple Music</button>
<p id="status" role="status" aria-live="polite">Loading MusicKit&hellip;</p>
<p class="small">Developer token {developer_fingerprint}. The music user token itself is never
shown, here or in the terminal: only its fingerprint.</p>
</main>
<script src="{musickit_url}"></script>
<script src="login.js"></script>
</body>
</html>
"""

#: The page's logic (served at ``<secret>/login.js``).
LOGIN_SCRIPT = """\
"use strict";
(function () {
  const root = document.getElementById("login");
  const button = document.getElementById("sign-in");
  const status = document.getElementById("status");
  const settings = root.dataset;
  let music = null;

  function show(text, kind) {
    status.textContent = text;
    status.className = kind || "";
  }

  async function configure() {
    if (typeof window.MusicKit === "undefined") {
      show("MusicKit JS could not be loaded (no network, or blocked). Nothing was sent.",
           "error");
      return;
    }
    try {
      music = await window.MusicKit.configure({
        developerToken: settings.developerToken,
        app: { name: settings.appName, build: settings.appBuild },
      });
      if (!music) { music = window.MusicKit.getInstance(); }
    } catch (error) {
      show("MusicKit refused the developer token: " + String(error && error.message || error),
           "error");
      return;
    }
    button.disabled = false;
    show("Ready. Press the button and sign in with your Apple ID.");
  }

  async function send(token) {
    const response = await fetch("token", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ nonce: settings.nonce, token: token }),
      cache: "no-store",
      credentials: "omit",
      referrerPolicy: "no-referrer",
    });
    let answer = null;
    try { answer = await response.json(); } catch (error) { answer = null; }
    const message = answer && typeof answer.message === "string" ? answer.message
      : "The terminal answered HTTP " + response.status + ".";
    show(message, response.ok ? "ok" : "error");
    return response.ok;
  }

  button.addEventListener("click", async function () {
    button.disabled = true;
    show("Waiting for Apple Music\\u2026");
    let token;
    try {
      token = await music.authorize();
    } catch (error) {
      show("Sign-in did not finish: " + String(error && error.message || error), "error");
      button.disabled = false;
      return;
    }
    if (typeof token !== "string" || token === "") {
      show("Apple Music gave no music user token; nothing was sent.", "error");
      button.disabled = false;
      return;
    }
    try {
      if (!(await send(token))) { button.disabled = false; }
    } catch (error) {
      show("Could not reach the terminal (was amratings stopped?).", "error");
    }
  });

  if (typeof window.MusicKit !== "undefined") {
    configure();
  } else {
    document.addEventListener("musickitloaded", configure, { once: true });
    window.addEventListener("load", function () {
      if (music === null && typeof window.MusicKit === "undefined") { configure(); }
    }, { once: true });
  }
})();
"""


def render_page(*, developer_token: str, developer_fingerprint: str, app_name: str,
                app_build: str, nonce: str, musickit_url: str) -> str:
    """The page with every value HTML-escaped (attribute-safe: quotes too)."""
    return PAGE_TEMPLATE.format(
        developer_token=escape(developer_token, quote=True),
        developer_fingerprint=escape(developer_fingerprint, quote=True),
        app_name=escape(app_name, quote=True),
        app_build=escape(app_build, quote=True),
        nonce=escape(nonce, quote=True),
        musickit_url=escape(musickit_url, quote=True),
    )
