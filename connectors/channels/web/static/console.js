/* The quick-ask page: keyboard first, answers in place, the last ten questions and the chosen country's rules
   kept in this tab only. */
(function () {
  "use strict";

  var RECENT_KEY = "verdello.console.recent";
  var RECENT_MAX = 10;
  var COUNTRY_KEY = "verdello.console.country";

  function start() {
    var app = document.getElementById("ask-app");
    if (!app) {
      return;
    }
    var strings = JSON.parse(app.getAttribute("data-strings"));
    var tokenMeta = document.querySelector('meta[name="csrf-token"]');
    var token = tokenMeta ? tokenMeta.getAttribute("content") : "";
    var form = document.getElementById("ask-form");
    var input = document.getElementById("question");
    var region = document.getElementById("answer");
    var list = document.getElementById("recent-list");
    var empty = document.getElementById("recent-empty");
    var country = document.getElementById("country");

    function recent() {
      try {
        var items = JSON.parse(window.sessionStorage.getItem(RECENT_KEY) || "[]");
        return Array.isArray(items) ? items : [];
      } catch (error) {
        return [];
      }
    }

    function remember(question) {
      var items = recent().filter(function (item) { return item !== question; });
      items.unshift(question);
      window.sessionStorage.setItem(RECENT_KEY, JSON.stringify(items.slice(0, RECENT_MAX)));
      drawRecent();
    }

    function drawRecent() {
      var items = recent();
      list.textContent = "";
      items.forEach(function (question) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "link";
        button.textContent = question;
        button.addEventListener("click", function () {
          input.value = question;
          ask(question);
          input.focus();
        });
        item.appendChild(button);
        list.appendChild(item);
      });
      empty.hidden = items.length > 0;
    }

    function post(url, body) {
      return window.fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRF-Token": token},
        body: JSON.stringify(body)
      }).then(function (response) {
        if (response.status === 401) {
          window.location.assign("/signin");
        }
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response;
      });
    }

    function say(article, text) {
      var status = article.querySelector(".status");
      if (status) {
        status.textContent = text;
      }
    }

    function copy(text) {
      if (navigator.clipboard && window.isSecureContext) {
        return navigator.clipboard.writeText(text);
      }
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "visually-hidden";
      document.body.appendChild(area);
      area.select();
      document.execCommand("copy");
      document.body.removeChild(area);
      return Promise.resolve();
    }

    function wire(article) {
      if (!article) {
        return;
      }
      var answerId = article.getAttribute("data-answer-id");
      article.addEventListener("click", function (event) {
        var button = event.target.closest("button[data-action]");
        if (!button) {
          return;
        }
        var action = button.getAttribute("data-action");
        var done;
        if (action === "copy") {
          done = copy(article.querySelector(".answer-text").textContent).then(function () {
            say(article, strings.copied);
          });
        } else if (action === "vote") {
          article.querySelectorAll('button[data-action="vote"]').forEach(function (vote) { vote.disabled = true; });
          button.setAttribute("aria-pressed", "true");
          done = post("/console/feedback", {answer_id: answerId, helpful: button.getAttribute("data-helpful") === "true"})
            .then(function () { say(article, strings.thanks); });
        } else if (action === "handoff") {
          button.disabled = true;
          done = post("/console/handoff", {answer_id: answerId}).then(function () {
            say(article, strings.handoff + " (" + button.getAttribute("data-label") + ")");
          });
        } else if (action === "notify") {
          button.disabled = true;
          done = post("/console/notify", {answer_id: answerId}).then(function () { say(article, strings.notify); });
        }
        if (done) {
          done.catch(function () { say(article, strings.error); });
        }
      });
    }

    function ask(question) {
      var text = question.trim();
      if (!text) {
        return;
      }
      remember(text);
      region.setAttribute("aria-busy", "true");
      region.textContent = strings.asking;
      post("/console/ask", {text: text, country: country.value || null})
        .then(function (response) { return response.text(); })
        .then(function (html) {
          // The server renders the fragment with every string escaped.
          region.innerHTML = html;
          wire(region.querySelector("article"));
        })
        .catch(function () { region.textContent = strings.error; })
        .then(function () { region.setAttribute("aria-busy", "false"); });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      ask(input.value);
    });

    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowUp") {
        var last = recent()[0];
        if (last) {
          event.preventDefault();
          input.value = last;
          input.setSelectionRange(last.length, last.length);
        }
      } else if (event.key === "Escape") {
        event.preventDefault();
        input.value = "";
      }
    });

    // The country chosen for a customer abroad stays for this tab only: a new tab starts from the asker's own.
    var chosen = window.sessionStorage.getItem(COUNTRY_KEY) || "";
    if (Array.prototype.some.call(country.options, function (option) { return option.value === chosen; })) {
      country.value = chosen;
    }
    country.addEventListener("change", function () {
      window.sessionStorage.setItem(COUNTRY_KEY, country.value);
    });

    drawRecent();
    input.focus();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
