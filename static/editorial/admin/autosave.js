/* Autosave of the article form (自动保存). What the editor types is kept in this browser at once
 * (localStorage) and on the server a few seconds later (editorial/autosave.py), and once more when
 * the tab is hidden or closed. Opening the form again offers the newest unsaved copy back: after a
 * closed tab, a crash, an expired login. A copy based on an older version of the article restores
 * that version number too, so saving it shows the other person's changes first instead of
 * overwriting them. On a page that may no longer be edited the copy can go to the pool instead. */
(function () {
  "use strict";

  var configElement = document.getElementById("digest-autosave");
  var form = document.getElementById("article_form");
  if (!configElement || !form) {
    return;
  }
  var config = JSON.parse(configElement.textContent);
  var title = form.querySelector("#id_title");
  var body = form.querySelector("#id_body");
  var keyInput = form.querySelector("input[name=_autosave_key]");
  var versionInput = form.querySelector("input[name=opened_version]");
  var csrfInput = form.querySelector("input[name=csrfmiddlewaretoken]");
  var editable = Boolean(title && body) && !config.readOnly;
  var prefix = "digest-autosave:" + config.user + ":";
  var SERVER_DELAY = 2000;
  var SERVER_MAX_WAIT = 15000;

  var storage = (function () {
    try {
      window.localStorage.setItem(prefix + "probe", "1");
      window.localStorage.removeItem(prefix + "probe");
      return window.localStorage;
    } catch (error) {
      return null;
    }
  })();

  var readLocal = function (key) {
    if (!storage) {
      return null;
    }
    try {
      return JSON.parse(storage.getItem(prefix + key));
    } catch (error) {
      return null;
    }
  };
  var writeLocal = function (key, record) {
    if (storage) {
      try {
        storage.setItem(prefix + key, JSON.stringify(record));
      } catch (error) {
        /* storage full: the server copy still follows */
      }
    }
  };
  var removeLocal = function (key) {
    if (storage) {
      storage.removeItem(prefix + key);
    }
  };
  var localKeys = function (startsWith) {
    var keys = [];
    if (!storage) {
      return keys;
    }
    for (var index = 0; index < storage.length; index += 1) {
      var name = storage.key(index);
      if (name && name.indexOf(prefix + startsWith) === 0) {
        keys.push(name.slice(prefix.length));
      }
    }
    return keys;
  };
  var newToken = function () {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return "new-" + Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  };
  var clean = window.digestText ? window.digestText.cleanBody : function (text) { return text.trim(); };
  var sameText = function (a, b) {
    return a.title.trim() === b.title.trim() && clean(a.body) === clean(b.body);
  };
  // The office's time zone, whatever the computer's clock is set to: 11月26日 21:07.
  var clock = new Intl.DateTimeFormat("zh-CN", {
    timeZone: config.timeZone, month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  });
  var formatTime = function (ms) {
    var parts = {};
    clock.formatToParts(new Date(ms)).forEach(function (part) { parts[part.type] = part.value; });
    return parts.month + "月" + parts.day + "日 " + parts.hour + ":" + parts.minute;
  };
  var post = function (url, fields, keepalive) {
    var data = new FormData();
    data.append("csrfmiddlewaretoken", csrfInput ? csrfInput.value : "");
    Object.keys(fields).forEach(function (name) { data.append(name, fields[name]); });
    return fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      keepalive: Boolean(keepalive),
      headers: { "X-Requested-With": "XMLHttpRequest" },
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (!response.ok || !json) {
        throw new Error("not saved");
      }
      return response.json();
    });
  };

  // Times in the server's clock, so the browser's copies compare with the server's and with its saves.
  var clockOffset = config.now - Date.now();
  var serverNow = function () { return Date.now() + clockOffset; };

  var key = config.key || newToken();
  if (keyInput) {
    keyInput.value = key;
  }

  /* 1. A copy to offer back. */
  var serverKeys = config.drafts.map(function (draft) { return draft.key; });
  var candidates = config.drafts.map(function (draft) {
    return { key: draft.key, title: draft.title, body: draft.body, baseVersion: draft.baseVersion, savedAt: draft.savedAt, where: "服务器上" };
  });
  (config.key ? [config.key] : localKeys("new-")).forEach(function (each) {
    var record = readLocal(each);
    if (!record) {
      return;
    }
    // Saved after it was typed (the server says so, for this login), or sent to the server and let go there.
    var saved = config.saved[each];
    if ((saved && record.savedAt <= saved) || (record.synced && serverKeys.indexOf(each) === -1)) {
      removeLocal(each);
      return;
    }
    candidates.push({ key: each, title: record.title, body: record.body, baseVersion: record.baseVersion, savedAt: record.savedAt, where: "本浏览器中" });
  });
  candidates.sort(function (a, b) { return b.savedAt - a.savedAt; });
  var offer = candidates[0];
  var current = { title: title ? title.value : "", body: body ? body.value : "" };

  var forget = function (candidate) {
    removeLocal(candidate.key);
    post(config.discardUrl, { key: candidate.key }).catch(function () {});
  };

  var showOffer = function (candidate) {
    var panel = document.createElement("div");
    panel.className = "digest-panel digest-recover";
    panel.setAttribute("role", "region");
    panel.setAttribute("aria-label", "未保存的内容");
    var text = document.createElement("p");
    var words = clean(candidate.body).replace(/\s/g, "").length;
    text.textContent = "发现您在 " + formatTime(candidate.savedAt) + " 没有保存的修改（" + candidate.where + "自动保存）：《" +
      (candidate.title.trim() || "无标题") + "》，正文 " + words + " 字。";
    panel.appendChild(text);
    if (config.version && candidate.baseVersion && candidate.baseVersion !== config.version) {
      var moved = document.createElement("p");
      moved.textContent = "这份内容是在版本 " + candidate.baseVersion + " 上改的，稿件现在已是版本 " + config.version +
        "（之后有人保存过）。恢复后点“保存”时，会先请您看看对方改了什么。";
      panel.appendChild(moved);
    }
    var actions = document.createElement("p");
    actions.className = "digest-recover__actions";
    var button = function (label, primary, handler) {
      var element = document.createElement("button");
      element.type = "button";
      element.className = primary ? "button default" : "button";
      element.textContent = label;
      element.addEventListener("click", handler);
      actions.appendChild(element);
      return element;
    };
    if (editable) {
      button("恢复未保存的内容", true, function () {
        title.value = candidate.title;
        body.value = candidate.body;
        if (versionInput && candidate.baseVersion) {
          versionInput.value = candidate.baseVersion;
        }
        if (candidate.key !== key) {
          removeLocal(key);
          key = candidate.key;
          if (keyInput) {
            keyInput.value = key;
          }
        }
        title.dispatchEvent(new Event("input", { bubbles: true }));
        body.dispatchEvent(new Event("input", { bubbles: true }));
        panel.textContent = "";
        var done = document.createElement("p");
        done.textContent = "已恢复。请检查后点击“保存”。";
        panel.appendChild(done);
        body.focus();
      });
    } else if (config.poolCopyUrl) {
      button("另存为新稿件（放入稿件库）", true, function () {
        var copy = document.createElement("form");
        copy.method = "post";
        copy.action = config.poolCopyUrl;
        copy.hidden = true;
        [["csrfmiddlewaretoken", csrfInput ? csrfInput.value : ""], ["title", candidate.title], ["body", candidate.body],
          ["_autosave_key", candidate.key]].forEach(function (pair) {
          var input = document.createElement(pair[0] === "body" ? "textarea" : "input");
          input.name = pair[0];
          input.value = pair[1];
          copy.appendChild(input);
        });
        document.body.appendChild(copy);
        copy.submit();
      });
    }
    button("丢弃", false, function () {
      if (window.confirm("丢弃后这些未保存的内容就找不回来了。确定丢弃吗？")) {
        forget(candidate);
        panel.remove();
      }
    });
    panel.appendChild(actions);
    var anchor = form.querySelector("input[name=csrfmiddlewaretoken]");
    (anchor ? anchor.parentNode : form).insertBefore(panel, anchor ? anchor.nextSibling : form.firstChild);
  };

  // A form that came back unsaved already shows the newest text: nothing to offer over it.
  if (offer && !config.pending) {
    if (sameText(offer, current)) {
      forget(offer); // what it holds is what the form shows: saved already
    } else {
      showOffer(offer);
    }
  }

  /* 2. Keep a copy while the editor types. */
  if (!editable) {
    return;
  }
  var status = document.createElement("div");
  status.className = "digest-autosave-status digest-muted";
  status.setAttribute("aria-live", "polite");
  (body.closest(".form-row") || body.parentNode).appendChild(status);

  var timer = null;
  var firstUnsent = null;
  var lastSent = config.pending ? null : current;
  var submitting = false;

  var snapshot = function () {
    return {
      title: title.value,
      body: body.value,
      baseVersion: versionInput && versionInput.value ? Number(versionInput.value) : null,
      savedAt: serverNow(),
    };
  };
  var sendNow = function (keepalive) {
    window.clearTimeout(timer);
    timer = null;
    var record = snapshot();
    if (lastSent && sameText(record, lastSent)) {
      firstUnsent = null;
      return;
    }
    firstUnsent = null;
    post(config.saveUrl, { key: key, title: record.title, body: record.body, base_version: record.baseVersion || "" }, keepalive)
      .then(function (answer) {
        lastSent = record;
        var stored = readLocal(key);
        if (stored && sameText(stored, record)) {
          stored.synced = true;
          writeLocal(key, stored);
        }
        status.textContent = "已自动保存 " + formatTime(answer.savedAt) + "（尚未正式保存，请记得点“保存”）";
      })
      .catch(function () {
        status.textContent = "已暂存在本浏览器中；暂时连不上服务器或登录已过期，恢复后会继续自动保存。";
      });
  };
  var changed = function () {
    var record = snapshot();
    record.synced = false;
    writeLocal(key, record);
    if (firstUnsent === null) {
      firstUnsent = Date.now();
    }
    window.clearTimeout(timer);
    var wait = Math.max(0, Math.min(SERVER_DELAY, firstUnsent + SERVER_MAX_WAIT - Date.now()));
    timer = window.setTimeout(function () { sendNow(false); }, wait);
  };
  title.addEventListener("input", changed);
  body.addEventListener("input", changed);
  // The browser's copy stays until the server says the save went through: a login that expired meanwhile
  // sends the form to the login page, and the copy is offered back after logging in again.
  form.addEventListener("submit", function () {
    submitting = true;
    window.clearTimeout(timer);
  });
  var leaving = function () {
    if (!submitting && (timer !== null || firstUnsent !== null)) {
      sendNow(true);
    }
  };
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      leaving();
    }
  });
  window.addEventListener("pagehide", leaving);
  if (config.pending) {
    // The form came back unsaved (refused or stale): what it shows is still only typed, so keep it now.
    changed();
    sendNow(false);
  }
})();
