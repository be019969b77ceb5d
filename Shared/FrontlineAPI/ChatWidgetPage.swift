import Foundation
import HTTPTypes
import Hummingbird

/// The chat widget (`GET /chat`): one page with its style and script inline and nothing from
/// elsewhere, to embed in an iframe. It keeps the conversation's id and secret in the tab's
/// sessionStorage and talks to `/api/v1/conversations`. Every text from the server is put on the
/// page as text (`textContent`), never as HTML. The policy allows only this page's own script and
/// style (by a nonce made per response) and requests to this origin.
enum ChatWidgetPage {
    static func response() -> Response {
        var generator = SystemRandomNumberGenerator()
        let nonce = Data((0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }).base64EncodedString()
        let policy = "default-src 'none'; script-src 'nonce-\(nonce)'; style-src 'nonce-\(nonce)'; connect-src 'self'; base-uri 'none'; form-action 'none'"
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store", .init("Content-Security-Policy")!: policy,
                .init("X-Content-Type-Options")!: "nosniff", .init("Referrer-Policy")!: "no-referrer",
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html.replacingOccurrences(of: "{{nonce}}", with: nonce)))
        )
    }

    static let html = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>IT Service Desk chat</title>
        <style nonce="{{nonce}}">
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.4 system-ui, sans-serif; color: #1d2330; background: #f4f6f9; }
        main { display: flex; flex-direction: column; height: 100vh; max-width: 36rem; margin: 0 auto; background: #fff; }
        header { padding: .75rem 1rem; background: #1f4e79; color: #fff; font-weight: 600; }
        #log { flex: 1; overflow-y: auto; padding: 1rem; display: flex; flex-direction: column; gap: .5rem; }
        .line { max-width: 85%; padding: .5rem .75rem; border-radius: .75rem; white-space: pre-wrap; overflow-wrap: anywhere; }
        .customer { align-self: flex-end; background: #1f4e79; color: #fff; }
        .assistant, .person { align-self: flex-start; background: #e8edf3; }
        .notice { align-self: center; color: #5a6372; font-size: .9em; font-style: italic; }
        form { display: flex; flex-direction: column; gap: .5rem; padding: .75rem 1rem; border-top: 1px solid #dde2e8; }
        input, textarea, button { font: inherit; padding: .5rem; border: 1px solid #b9c1cc; border-radius: .4rem; }
        button { background: #1f4e79; color: #fff; border: 0; cursor: pointer; }
        button:disabled { opacity: .6; cursor: default; }
        .hidden { display: none; }
        </style>
        </head>
        <body>
        <main>
        <header>IT Service Desk</header>
        <div id="log" aria-live="polite"></div>
        <form id="start">
        <input id="email" type="email" required maxlength="254" placeholder="Your email address" autocomplete="email">
        <input id="name" maxlength="200" placeholder="Your name (optional)" autocomplete="name">
        <textarea id="first" required maxlength="4000" rows="3" placeholder="What can we help you with?"></textarea>
        <button>Start</button>
        </form>
        <form id="talk" class="hidden">
        <textarea id="message" required maxlength="4000" rows="2" placeholder="Your message"></textarea>
        <button>Send</button>
        </form>
        </main>
        <script nonce="{{nonce}}">
        (function () {
          var base = "/api/v1/conversations";
          var log = document.getElementById("log");
          var startForm = document.getElementById("start");
          var talkForm = document.getElementById("talk");
          var saved = null;
          try { saved = JSON.parse(sessionStorage.getItem("frontline-chat") || "null"); } catch (e) { saved = null; }

          function line(kind, text) {
            if (!text) return;
            var div = document.createElement("div");
            div.className = "line " + kind;
            div.textContent = text;
            log.appendChild(div);
            log.scrollTop = log.scrollHeight;
          }
          function show(answer) {
            line("assistant", answer.answer);
            line("notice", answer.notice);
          }
          function talking() {
            startForm.classList.add("hidden");
            talkForm.classList.remove("hidden");
          }
          function busy(form, on) { form.querySelector("button").disabled = on; }
          function problem(response) {
            return response.json().then(function (p) { line("notice", (p.detail || "Something went wrong") + (p.problems ? ": " + p.problems.join("; ") : "")); },
              function () { line("notice", "Something went wrong; please try again."); });
          }

          startForm.addEventListener("submit", function (event) {
            event.preventDefault();
            var text = document.getElementById("first").value;
            busy(startForm, true);
            fetch(base, { method: "POST", headers: { "Content-Type": "application/json" },
              body: JSON.stringify({ email: document.getElementById("email").value, name: document.getElementById("name").value || null, message: text }) })
              .then(function (response) {
                if (!response.ok) return problem(response);
                return response.json().then(function (answer) {
                  saved = { id: answer.conversation_id, secret: answer.secret };
                  sessionStorage.setItem("frontline-chat", JSON.stringify(saved));
                  line("customer", text);
                  show(answer);
                  talking();
                });
              })
              .finally(function () { busy(startForm, false); });
          });

          // The answer comes as server-sent events: "accepted" at once, "answer" when it is ready.
          function readEvents(response) {
            var reader = response.body.getReader();
            var decoder = new TextDecoder();
            var pending = "";
            function pump() {
              return reader.read().then(function (chunk) {
                if (chunk.done) return;
                pending += decoder.decode(chunk.value, { stream: true });
                var parts = pending.split("\n\n");
                pending = parts.pop();
                parts.forEach(function (block) {
                  var name = "", data = "";
                  block.split("\n").forEach(function (field) {
                    if (field.indexOf("event: ") === 0) name = field.slice(7);
                    if (field.indexOf("data: ") === 0) data += field.slice(6);
                  });
                  if (name === "answer") show(JSON.parse(data));
                  if (name === "error") line("notice", "Something went wrong; please try again.");
                });
                return pump();
              });
            }
            return pump();
          }

          talkForm.addEventListener("submit", function (event) {
            event.preventDefault();
            var box = document.getElementById("message");
            var text = box.value;
            busy(talkForm, true);
            fetch(base + "/" + encodeURIComponent(saved.id) + "/messages", { method: "POST",
              headers: { "Content-Type": "application/json", "Accept": "text/event-stream", "X-Conversation-Secret": saved.secret },
              body: JSON.stringify({ message: text }) })
              .then(function (response) {
                if (!response.ok) return problem(response);
                line("customer", text);
                box.value = "";
                return readEvents(response);
              })
              .finally(function () { busy(talkForm, false); });
          });

          if (saved && saved.id && saved.secret) {
            fetch(base + "/" + encodeURIComponent(saved.id), { headers: { "X-Conversation-Secret": saved.secret } })
              .then(function (response) {
                if (!response.ok) { sessionStorage.removeItem("frontline-chat"); saved = null; return; }
                return response.json().then(function (conversation) {
                  conversation.messages.forEach(function (m) { line(m.from, m.text); });
                  talking();
                });
              });
          }
        })();
        </script>
        </body>
        </html>
        """#
}
