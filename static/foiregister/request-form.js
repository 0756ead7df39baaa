/* The public request form: as the requester types, show the published responses that may
   already answer them. Progressive: without this script the "Check for published answers"
   button does the same by reloading the page.

   The text goes in a POST body to the form's own suggestions address (never in a URL), at
   most once per pause in typing; the count is announced politely through the status
   region, the list itself is not read out. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-suggestions-url]");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var text = form.querySelector("textarea[name=text]");
  var region = document.getElementById("suggestions");
  var status = document.getElementById("suggestions-status");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]");
  if (!text || !region || !status || !token) {
    return;
  }
  var DELAY = 600;
  var MIN_CHARS = 15;
  var timer = null;
  var sent = "";
  var latest = 0;

  function show(html, message) {
    region.innerHTML = html;
    if (status.textContent !== message) {
      status.textContent = message;
    }
  }

  function look() {
    var value = text.value.trim();
    if (value === sent) {
      return;
    }
    sent = value;
    if (value.length < MIN_CHARS) {
      show("", "");
      return;
    }
    var body = new FormData();
    body.append("text", value);
    body.append("csrfmiddlewaretoken", token.value);
    var mine = ++latest;
    fetch(form.getAttribute("data-suggestions-url"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": token.value, "X-Requested-With": "fetch" }
    })
      .then(function (response) {
        return response.ok || response.status === 429 ? response.text() : "";
      })
      .then(function (html) {
        if (mine !== latest) {
          return; // an answer to older text, overtaken by a later one
        }
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var found = holder.querySelector(".app-suggestions");
        show(found ? holder.innerHTML : "", found ? found.getAttribute("data-status") || "" : "");
      })
      .catch(function () {
        /* Suggestions are a help, not a step: a failed look-up changes nothing. */
      });
  }

  text.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(look, DELAY);
  });
})();
