/* Live sessions: the participant's page, the projector and the facilitators' console.
 *
 * The pages work without this script (forms post, the page reloads). With it they speak to
 * the session's websocket: submissions are kept in localStorage with the id generated for
 * them until the server acknowledges them, and sent again after a lost connection (the
 * server recognises the id and never counts one twice). Reconnection waits longer and
 * longer, with jitter, and says so politely in an aria-live region.
 */
(function () {
  "use strict";

  var configNode = document.getElementById("live-config");
  if (!configNode || !("WebSocket" in window)) return;
  var config = JSON.parse(configNode.textContent);
  var T = JSON.parse(document.getElementById("live-texts").textContent);
  var role = config.role || "participant";

  function fmt(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  }
  function plural(n, one, many) { return fmt(n === 1 || n === 0 ? one : many, { n: n }); }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "className") node.className = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // --- Notice ---------------------------------------------------------------------------
  var notice = document.getElementById("live-notice");
  var noticeTimer = null;
  function say(text, kind, keep) {
    if (!notice) return;
    clearTimeout(noticeTimer);
    notice.textContent = text;
    notice.className = "live-notice" + (text ? " is-" + (kind || "info") : "");
    if (text && !keep) noticeTimer = setTimeout(function () { say(""); }, 5000);
  }

  // --- Outbox: what was sent and not yet acknowledged ------------------------------------
  var storeKey = "fabrique-live-outbox-" + config.code;
  function loadOutbox() {
    try { return JSON.parse(localStorage.getItem(storeKey) || "[]"); } catch (e) { return []; }
  }
  var outbox = loadOutbox();
  function saveOutbox() {
    try { localStorage.setItem(storeKey, JSON.stringify(outbox)); } catch (e) { /* private mode: memory only */ }
  }

  // --- Socket ---------------------------------------------------------------------------
  var socket = null;
  var attempts = 0;
  var welcomed = false;
  var everWelcomed = false;
  var lostShown = false;
  var stopped = false;
  var handlers = {};

  function url() {
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + config.ws;
  }

  function connect() {
    if (stopped) return;
    welcomed = false;
    try { socket = new WebSocket(url()); } catch (e) { return retry(); }
    socket.onopen = function () {
      if (role === "participant") socket.send(JSON.stringify({ type: "hello", token: config.token }));
      else socket.send(JSON.stringify({ type: "hello", role: role }));
    };
    socket.onmessage = function (event) {
      var message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      if (message.type === "welcome") {
        welcomed = true;
        attempts = 0;
        if (lostShown) say(T.back, "ok");
        lostShown = false;
        everWelcomed = true;
        flush();
      } else if (message.type === "ack") {
        var sent = null;
        outbox = outbox.filter(function (item) {
          if (item.id === message.id) { sent = item; return false; }
          return true;
        });
        saveOutbox();
        if (message.ok === false) say(message.error, "error", true);
      } else if (message.type === "error") {
        if (message.fatal) { stopped = true; say(message.message, "error", true); }
        else say(message.message, "error", true);
      }
      var handler = handlers[message.type];
      if (handler) handler(message, sent);
    };
    socket.onclose = function () {
      socket = null;
      welcomed = false;
      if (stopped) return;
      if (everWelcomed || attempts > 0) { say(T.lost, "warning", true); lostShown = true; }
      retry();
    };
  }

  function retry() {
    attempts += 1;
    // 1 s, 2 s, 4 s… up to 30 s, each between half and all of it: a crowd whose
    // connection dropped at once does not come back at once.
    var ceiling = Math.min(30000, 1000 * Math.pow(2, attempts - 1));
    setTimeout(connect, ceiling / 2 + Math.random() * ceiling / 2);
  }

  function flush() {
    if (!socket || !welcomed) return;
    outbox.forEach(function (item) {
      item.sentAt = Date.now();
      socket.send(JSON.stringify(item.message));
    });
    saveOutbox();
  }

  function submit(message) {
    message.id = message.id || uuid();
    outbox.push({ id: message.id, message: message, sentAt: Date.now() });
    saveOutbox();
    if (socket && welcomed) socket.send(JSON.stringify(message));
    else say(T.waiting, "warning", true);
    return message.id;
  }

  // A message without its acknowledgement after 10 s is sent again (same id).
  setInterval(function () {
    if (!socket || !welcomed) return;
    var now = Date.now();
    outbox.forEach(function (item) {
      if (now - item.sentAt > 10000) { item.sentAt = now; socket.send(JSON.stringify(item.message)); }
    });
  }, 5000);

  window.FabriqueLive = {
    config: config, texts: T, submit: submit, on: function (type, fn) { handlers[type] = fn; },
    outbox: function () { return outbox; },
    // For tests: cut the connection as a network would.
    drop: function () { if (socket) socket.close(); },
    el: el, fmt: fmt, plural: plural
  };

  // --- Shared state ------------------------------------------------------------------------
  var state = { version: -1, session: {}, polls: [], questions: new Map() };
  function applyState(message) {
    if (message.version < state.version && !message.full) return false;
    state.version = message.version;
    state.session = message.session;
    state.polls = message.polls;
    if (message.full) state.questions = new Map();
    (message.questions || []).forEach(function (q) { state.questions.set(q.id, q); });
    (message.removed || []).forEach(function (id) { state.questions.delete(id); });
    document.documentElement.setAttribute("data-live-version", String(state.version));
    return true;
  }
  function sortedQuestions(filter) {
    return Array.from(state.questions.values()).filter(filter || function () { return true; })
      .sort(function (a, b) { return b.upvotes - a.upvotes || a.id - b.id; });
  }

  // --- Results ---------------------------------------------------------------------------
  function share(count, total) { return total ? Math.round(100 * count / total) : 0; }
  function results(poll) {
    var box = el("div", { className: "live-results" });
    if (poll.kind === "wordcloud") {
      if (!poll.words.length) box.appendChild(el("p", { className: "muted", text: T.no_word }));
      else {
        var top = Math.max.apply(null, poll.words.map(function (w) { return w[1]; }));
        var words = poll.words.slice().sort(function (a, b) { return a[0].localeCompare(b[0]); });
        box.appendChild(el("ul", { className: "live-cloud" }, words.map(function (w) {
          var li = el("li", { text: w[0], style: "font-size: " + (1 + 2.5 * w[1] / top).toFixed(2) + "rem" });
          li.appendChild(el("span", { className: "sr-only", text: " (" + w[1] + ")" }));
          return li;
        })));
      }
    } else {
      var bars;
      if (poll.options && poll.options.length) {
        bars = poll.options.map(function (o) { return { label: o.label, count: o.count, share: share(o.count, poll.respondents) }; });
      } else if (poll.scale) {
        var total = poll.scale.counts.reduce(function (a, b) { return a + b; }, 0);
        bars = poll.scale.counts.map(function (n, i) { return { label: String(poll.scale.min + i), count: n, share: share(n, total) }; });
      } else bars = [];
      box.appendChild(el("ul", { className: "live-bars" }, bars.map(function (bar) {
        return el("li", {}, [
          el("span", { className: "live-bar-label", text: bar.label }),
          el("span", { className: "live-bar", "aria-hidden": "true" }, [el("span", { className: "live-bar-fill", style: "width: " + bar.share + "%" })]),
          el("span", { className: "live-bar-count", text: bar.share + " % (" + bar.count + ")" })
        ]);
      })));
      if (poll.scale && poll.scale.mean !== null) box.appendChild(el("p", { className: "live-mean", text: fmt(T.average, { n: String(poll.scale.mean).replace(".", ",") }) }));
    }
    box.appendChild(el("p", { className: "live-respondents muted", text: plural(poll.respondents, T.answers_one, T.answers_many) }));
    return box;
  }

  // --- Participant -----------------------------------------------------------------------
  function participantPage() {
    var mine = { answers: {}, questions: [], upvoted: new Set() };
    var pollsBox = document.getElementById("live-polls");
    var questionsBox = document.getElementById("live-questions");
    var mineBox = document.getElementById("live-mine");
    var section = document.getElementById("questions");
    var askForm = document.querySelector("form.live-ask");
    var cards = new Map();

    function pendingAnswer(pollId) {
      return outbox.some(function (item) { return item.message.type === "answer" && item.message.poll === pollId; });
    }

    function answerForm(poll) {
      var form = el("form", { className: "live-answer", novalidate: "" });
      var fieldset = el("fieldset");
      var legend;
      if (poll.kind === "wordcloud") {
        legend = fmt(T.your_words, { n: poll.max_words });
        for (var i = 0; i < poll.max_words; i++) {
          var id = "poll-" + poll.id + "-word-" + i;
          fieldset.appendChild(el("label", { className: "sr-only", "for": id, text: fmt(T.word_n, { n: i + 1 }) }));
          fieldset.appendChild(el("input", { type: "text", id: id, name: "words", maxlength: "30", autocomplete: "off" }));
        }
      } else if (poll.kind === "scale") {
        legend = T.choose_value;
        var row = el("div", { className: "live-scale" });
        for (var v = poll.scale.min; v <= poll.scale.max; v++) {
          row.appendChild(el("label", {}, [el("input", { type: "radio", name: "value", value: String(v) }), document.createTextNode(" " + v)]));
        }
        fieldset.appendChild(row);
        if (poll.scale.min_label || poll.scale.max_label) {
          fieldset.appendChild(el("p", { className: "help live-scale-labels" }, [
            el("span", { text: poll.scale.min + " : " + poll.scale.min_label }),
            el("span", { text: poll.scale.max + " : " + poll.scale.max_label })
          ]));
        }
      } else {
        var multiple = poll.kind === "multiple";
        legend = multiple ? (poll.max_choices ? fmt(T.choose_up_to, { n: poll.max_choices }) : T.choose_many) : T.choose_one;
        poll.options.forEach(function (o) {
          fieldset.appendChild(el("div", { className: "live-option" }, [el("label", {}, [
            el("input", { type: multiple ? "checkbox" : "radio", name: "options", value: String(o.id) }),
            document.createTextNode(" " + o.label)
          ])]));
        });
      }
      fieldset.insertBefore(el("legend", { text: legend }), fieldset.firstChild);
      form.appendChild(fieldset);
      form.appendChild(el("div", { className: "actions" }, [el("button", { type: "submit", text: T.send_answer })]));
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var data = new FormData(form);
        var message = { type: "answer", poll: poll.id };
        if (poll.kind === "wordcloud") message.words = data.getAll("words").filter(function (w) { return w.trim(); });
        else if (poll.kind === "scale") message.value = data.get("value") === null ? null : Number(data.get("value"));
        else message.options = data.getAll("options").map(Number);
        submit(message);
        renderPolls();
      });
      return form;
    }

    var announced = null;  // polls open when the page first drew them: not news
    function renderPolls() {
      var seen = new Set();
      var opened = state.polls.filter(function (p) { return p.status === "open"; }).map(function (p) { return p.id; });
      if (announced === null) announced = new Set(opened);
      else if (opened.some(function (id) { return !announced.has(id); })) {
        opened.forEach(function (id) { announced.add(id); });
        say(T.new_poll, "info");
      }
      state.polls.forEach(function (poll) {
        seen.add(poll.id);
        var answered = mine.answers[poll.id] || pendingAnswer(poll.id);
        var mode = poll.status === "open" && !answered ? "form" : "results";
        var card = cards.get(poll.id);
        if (!card || card.mode !== mode) {
          var node = document.getElementById("poll-" + poll.id) || el("article", { className: "live-poll card", id: "poll-" + poll.id, "aria-labelledby": "poll-" + poll.id + "-title" });
          var hadFocus = node.contains(document.activeElement);
          node.textContent = "";
          node.appendChild(el("h3", { id: "poll-" + poll.id + "-title", text: poll.prompt }));
          var status = el("p", { className: "live-poll-state" });
          var body = mode === "form" ? answerForm(poll) : el("div");
          node.appendChild(status);
          node.appendChild(body);
          card = { node: node, mode: mode, status: status, body: body };
          cards.set(poll.id, card);
          if (hadFocus) node.querySelector("h3").setAttribute("tabindex", "-1"), node.querySelector("h3").focus();
        }
        pollsBox.appendChild(card.node);
        var texts = [];
        if (mine.answers[poll.id]) texts.push(T.recorded);
        else if (pendingAnswer(poll.id)) texts.push(socket && welcomed ? T.sending : T.waiting);
        if (poll.status === "closed") texts.push(T.closed_poll);
        card.status.textContent = texts.join(" ");
        if (mode === "results") { card.body.textContent = ""; card.body.appendChild(results(poll)); }
      });
      Array.prototype.slice.call(pollsBox.children).forEach(function (child) {
        var id = Number((child.id || "").replace("poll-", ""));
        if (!seen.has(id)) { pollsBox.removeChild(child); cards.delete(id); }
      });
      if (!state.polls.length) pollsBox.appendChild(el("p", { className: "muted live-empty", text: T.no_poll }));
    }

    function renderQuestions() {
      section.hidden = !state.session.questions_enabled;
      var own = new Set(mine.questions.map(function (q) { return q.id; }));
      var list = sortedQuestions();
      var items = list.map(function (q) {
        var li = el("li", { id: "question-" + q.id, className: "live-question" + (q.status === "answered" ? " is-answered" : "") });
        li.appendChild(el("p", { className: "live-question-text", text: q.text }));
        var meta = q.nickname + (q.status === "answered" ? " · " + T.answered : "") + " · " + plural(q.upvotes, T.supports_one, T.supports_many);
        li.appendChild(el("p", { className: "live-question-meta", text: meta }));
        var pending = outbox.some(function (item) { return item.message.type === "upvote" && item.message.question === q.id; });
        if (mine.upvoted.has(q.id) || pending) li.appendChild(el("p", { className: "live-upvoted", text: T.supported }));
        else if (!own.has(q.id)) {
          var button = el("button", { type: "button", className: "button-secondary live-upvote", "data-question": String(q.id) }, [
            document.createTextNode(T.support), el("span", { className: "sr-only", text: " : " + q.text.slice(0, 60) })
          ]);
          li.appendChild(button);
        }
        return li;
      });
      var focused = document.activeElement && document.activeElement.getAttribute("data-question");
      questionsBox.textContent = "";
      if (!items.length) questionsBox.appendChild(el("li", { className: "muted live-empty", text: T.no_question }));
      items.forEach(function (li) { questionsBox.appendChild(li); });
      if (focused) {
        var again = questionsBox.querySelector('[data-question="' + focused + '"]');
        if (again) again.focus();
      }
      var waiting = mine.questions.filter(function (q) { return q.status === "pending"; });
      outbox.forEach(function (item) { if (item.message.type === "ask") waiting.push({ text: item.message.text }); });
      mineBox.textContent = "";
      if (waiting.length) {
        mineBox.appendChild(el("h3", { text: T.pending_title }));
        mineBox.appendChild(el("ul", { className: "live-mine" }, waiting.map(function (q) { return el("li", { text: q.text }); })));
      }
    }

    questionsBox.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-question]");
      if (!button) return;
      submit({ type: "upvote", question: Number(button.getAttribute("data-question")) });
      renderQuestions();
    });

    if (askForm) {
      var area = askForm.querySelector("textarea");
      var counter = askForm.querySelector(".live-counter");
      var max = Number(area.getAttribute("data-max-length"));
      counter.hidden = false;
      var count = function () {
        var n = area.value.trim().length;
        counter.textContent = n > max ? fmt(T.too_long, { n: n, max: max }) : fmt(T.chars, { n: n, max: max });
        counter.classList.toggle("is-over", n > max);
      };
      area.addEventListener("input", count);
      count();
      askForm.addEventListener("submit", function (event) {
        event.preventDefault();
        var text = area.value.trim();
        if (!text || text.length > max) { count(); area.focus(); return; }
        submit({ type: "ask", text: text });
        area.value = "";
        count();
        renderQuestions();
      });
    }

    handlers.welcome = function (message) {
      config.token = message.token;
      mine.answers = message.answers || {};
      mine.questions = message.questions || [];
      mine.upvoted = new Set(message.upvoted || []);
    };
    handlers.state = function (message) {
      if (!applyState(message)) return;
      renderPolls();
      renderQuestions();
    };
    handlers.ack = function (message, sent) {
      if (message.ok && sent) {
        var m = sent.message;
        if (m.type === "answer") mine.answers[m.poll] = { options: m.options, value: m.value, words: m.words, version: message.version };
        if (m.type === "ask" && message.question) {
          mine.questions.push(message.question);
          if (!message.duplicate) say(message.question.status === "pending" ? T.question_sent : T.question_posted, "ok");
        }
        if (m.type === "upvote") mine.upvoted.add(m.question);
      }
      if (state.version >= 0) { renderPolls(); renderQuestions(); }
    };
    handlers.error = function (message) {
      if (message.rejoin) { stopped = true; location.reload(); }
    };
  }

  // --- Projector -------------------------------------------------------------------------
  function screenPage() {
    var main = document.querySelector(".live-screen");
    var panels = { join: "screen-join", poll: "screen-poll", questions: "screen-questions" };
    handlers.state = function (message) {
      if (!applyState(message)) return;
      var s = state.session;
      main.setAttribute("data-screen", s.screen);
      Object.keys(panels).forEach(function (key) { document.getElementById(panels[key]).hidden = key !== s.screen; });
      document.getElementById("screen-participants").textContent = s.participants;
      var poll = state.polls.filter(function (p) { return p.id === s.screen_poll; })[0];
      var box = document.getElementById("screen-poll-results");
      box.textContent = "";
      if (poll) {
        document.getElementById("screen-poll-title").textContent = poll.prompt;
        box.appendChild(results(poll));
      }
      var list = document.getElementById("screen-question-list");
      list.textContent = "";
      var shown = sortedQuestions(function (q) { return q.status === "approved"; }).slice(0, 8);
      if (!shown.length) list.appendChild(el("li", { className: "live-empty", text: T.no_question }));
      shown.forEach(function (q) {
        list.appendChild(el("li", { className: "live-question" }, [
          el("p", { className: "live-question-text", text: q.text }),
          el("p", { className: "live-question-meta", text: q.nickname + " · " + plural(q.upvotes, T.supports_one, T.supports_many) })
        ]));
      });
    };
  }

  // --- Console ---------------------------------------------------------------------------
  function consolePage() {
    // The new poll form shows only the fields of the kind chosen.
    var pollForm = document.querySelector(".live-poll-form");
    if (pollForm) {
      var byKind = {
        single: ["options"], multiple: ["options", "max_choices"],
        scale: ["scale_min", "scale_max", "scale_min_label", "scale_max_label"], wordcloud: ["max_words"]
      };
      var sync = function () {
        var checked = pollForm.querySelector("input[name=kind]:checked");
        var wanted = byKind[checked ? checked.value : "single"] || [];
        ["options", "max_choices", "scale_min", "scale_max", "scale_min_label", "scale_max_label", "max_words"].forEach(function (name) {
          var input = pollForm.querySelector("[name=" + name + "]");
          var wrap = input && input.closest("form > div");
          if (wrap) wrap.hidden = wanted.indexOf(name) < 0;
        });
      };
      pollForm.addEventListener("change", sync);
      sync();
    }
    // Moderation and the screen's choice go through the socket; the lists update live.
    document.addEventListener("submit", function (event) {
      var form = event.target;
      var action = form.getAttribute("data-live-action");
      if (!action || !socket || !welcomed) return;
      event.preventDefault();
      var data = new FormData(form);
      var message = { type: "action", action: action };
      data.forEach(function (value, key) { if (key !== "csrfmiddlewaretoken" && key !== "action") message[key] = value; });
      submit(message);
      if (action === "show") {
        form.parentNode.querySelectorAll("button").forEach(function (b) { b.removeAttribute("aria-current"); b.classList.add("button-secondary"); });
        var button = form.querySelector("button");
        button.setAttribute("aria-current", "true");
        button.classList.remove("button-secondary");
      }
    });
    var pendingList = document.getElementById("live-pending");
    var shownList = document.getElementById("live-shown");
    handlers.pending = function (message) {
      document.getElementById("pending-count").textContent = message.pending.length;
      var known = new Set();
      Array.prototype.slice.call(pendingList.querySelectorAll("[data-question]")).forEach(function (li) {
        var id = Number(li.getAttribute("data-question"));
        if (!message.pending.some(function (q) { return q.id === id; })) li.remove();
        else known.add(id);
      });
      message.pending.forEach(function (q) {
        if (known.has(q.id)) return;
        var existing = document.getElementById("question-" + q.id);
        if (existing) existing.remove();
        pendingList.appendChild(moderationItem(q));
      });
      var empty = pendingList.querySelector(".live-empty");
      if (message.pending.length && empty) empty.remove();
      if (!message.pending.length && !empty) pendingList.appendChild(el("li", { className: "muted live-empty", text: T.no_pending }));
    };
    function moderationItem(q) {
      var template = document.getElementById("live-moderation-urls");
      var base = template.getAttribute("data-base");
      var li = el("li", { id: "question-" + q.id, className: "live-moderation-item", "data-question": String(q.id) });
      li.appendChild(el("p", { className: "live-question-text", text: q.text }));
      li.appendChild(el("p", { className: "live-question-meta", text: q.nickname + " · " + plural(q.upvotes, T.supports_one, T.supports_many) + (q.status === "answered" ? " · " + T.answered : "") }));
      var actions = el("div", { className: "actions" });
      var moves = q.status === "pending" ? [["approved", T.approve, ""], ["answered", T.mark_answered, "button-secondary"], ["hidden", T.hide, "link-button"]]
        : q.status === "answered" ? [["approved", T.restore, "button-secondary"], ["hidden", T.hide, "link-button"]]
        : [["answered", T.mark_answered, "button-secondary"], ["hidden", T.hide, "link-button"]];
      moves.forEach(function (move) {
        var csrf = document.querySelector("input[name=csrfmiddlewaretoken]");
        var form = el("form", { method: "post", action: base + "questions/" + q.id + "/", "data-live-action": "question_moderate" }, [
          csrf ? el("input", { type: "hidden", name: "csrfmiddlewaretoken", value: csrf.value }) : null,
          el("input", { type: "hidden", name: "question", value: String(q.id) }),
          el("input", { type: "hidden", name: "status", value: move[0] }),
          el("button", { type: "submit", className: move[2] }, [document.createTextNode(move[1]), el("span", { className: "sr-only", text: " : " + q.text.slice(0, 60) })])
        ]);
        actions.appendChild(form);
      });
      li.appendChild(actions);
      return li;
    }
    handlers.state = function (message) {
      if (!applyState(message)) return;
      state.polls.forEach(function (poll) {
        var box = document.querySelector('[data-results="' + poll.id + '"]');
        if (box) { box.textContent = ""; box.appendChild(results(poll)); }
      });
      var shown = sortedQuestions();
      shownList.textContent = "";
      if (!shown.length) shownList.appendChild(el("li", { className: "muted live-empty", text: T.no_question }));
      shown.forEach(function (q) { shownList.appendChild(moderationItem(q)); });
    };
  }

  if (role === "participant") participantPage();
  else if (role === "screen") screenPage();
  else consolePage();
  connect();
})();
