/* The article form's 校对 panel: as the editor types, the headline and body are checked on the server
 * (a debounced POST to the 校对 endpoint) and the findings listed under the body, each with its passage,
 * the message and — where the fix is certain — a button that makes it. "全部修正" makes every certain fix.
 * "忽略此处" dismisses a finding for its passage: stored at once for a saved article, carried in the form
 * (and stored on saving) for a new one. Offsets from the server count UTF-16 units, as the fields do.
 */
(function () {
  "use strict";

  var form = document.getElementById("article_form");
  var panel = document.querySelector("[data-proofreading]");
  if (!form || !panel) {
    return;
  }
  var fields = { title: form.querySelector("#id_title"), body: form.querySelector("#id_body") };
  if (!fields.body || fields.body.tagName !== "TEXTAREA") {
    panel.remove();
    return;
  }
  var status = panel.querySelector("[data-status]");
  var list = panel.querySelector("[data-list]");
  var fixAll = panel.querySelector("[data-fix-all]");
  var dismissedBox = panel.querySelector("[data-dismissed]");
  var dismissedList = panel.querySelector("[data-dismissed-list]");
  var dismissedCount = panel.querySelector("[data-dismissed-count]");
  var pending = panel.querySelector("[data-pending]");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]");
  var DELAY = 500;
  var sequence = 0;
  var timer = null;
  var current = [];
  var arrivedForPanel = window.location.hash === "#proofreading"; /* from the 校对 report */

  var row = fields.body.closest(".form-row") || fields.body.parentElement;
  row.insertAdjacentElement("afterend", panel);
  panel.hidden = false;

  function post(url, data) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "", "X-Requested-With": "fetch" },
      body: new URLSearchParams(data),
    }).then(function (response) {
      return response
        .json()
        .catch(function () { return {}; })
        .then(function (payload) {
          if (!response.ok || !payload) {
            throw new Error(payload.error || "校对暂时不可用，请稍后再试。");
          }
          return payload;
        });
    });
  }

  function pendingList() {
    if (!pending || !pending.value) {
      return [];
    }
    try {
      var items = JSON.parse(pending.value);
      return Array.isArray(items) ? items : [];
    } catch (error) {
      return [];
    }
  }

  function check() {
    window.clearTimeout(timer);
    sequence += 1;
    var asked = sequence;
    var data = { title: fields.title ? fields.title.value : "", body: fields.body.value };
    if (panel.dataset.article) {
      data.article = panel.dataset.article;
    } else {
      data.pending = JSON.stringify(pendingList());
    }
    status.textContent = "正在检查……";
    status.className = "digest-proofreading__status";
    post(panel.dataset.checkUrl, data)
      .then(function (result) {
        if (asked === sequence) {
          render(result);
        }
      })
      .catch(function (error) {
        if (asked === sequence) {
          status.textContent = error instanceof TypeError ? "校对暂时不可用，请检查网络后再试。" : error.message;
          status.className = "digest-proofreading__status";
        }
      });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, DELAY);
  }

  function describeFix(finding) {
    var suggestion = finding.suggestion;
    if (suggestion === "") {
      return /^\s+$/.test(finding.text) ? "删去空格" : "删去“" + finding.text + "”";
    }
    if (suggestion === " ") {
      return "改为一个空格";
    }
    return "改为“" + (suggestion.length > 12 ? suggestion.slice(0, 11) + "…" : suggestion) + "”";
  }

  function where(finding) {
    return finding.field === "title" ? "标题" : "第 " + finding.line + " 段";
  }

  function item(finding, dismissed) {
    var li = document.createElement("li");
    li.className = "digest-finding" + (dismissed ? " is-dismissed" : "");
    li.dataset.rule = finding.rule;

    var place = document.createElement("p");
    place.className = "digest-finding__where";
    place.textContent = where(finding) + " · " + finding.name;
    place.title = finding.rule;

    var passage = document.createElement("p");
    passage.className = "digest-finding__passage";
    var mark = document.createElement("mark");
    mark.textContent = finding.text;
    passage.append(finding.before, mark, finding.after);

    var message = document.createElement("p");
    message.className = "digest-finding__message";
    message.textContent = finding.message;

    var actions = document.createElement("div");
    actions.className = "digest-finding__actions";
    if (!dismissed && finding.suggestion !== null) {
      var fix = document.createElement("button");
      fix.type = "button";
      fix.className = "digest-finding__fix";
      fix.textContent = describeFix(finding);
      fix.dataset.fix = "";
      fix.addEventListener("click", function () { applyFixes([finding]); });
      actions.append(fix);
    }
    var locate = document.createElement("button");
    locate.type = "button";
    locate.className = "digest-link-button";
    locate.textContent = "在" + (finding.field === "title" ? "标题" : "正文") + "中选中";
    locate.addEventListener("click", function () { select(finding); });
    actions.append(locate);
    var toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "digest-link-button";
    toggle.textContent = dismissed ? "恢复提示" : "忽略此处";
    toggle.title = dismissed ? "重新提示这一处" : "这里没有问题：本篇稿件的这一处不再提示这条规则";
    toggle.dataset.dismiss = dismissed ? "restore" : "dismiss";
    toggle.addEventListener("click", function () { setDismissed(finding, !dismissed); });
    actions.append(toggle);

    var footer = document.createElement("div");
    footer.className = "digest-finding__footer";
    footer.append(message, actions);
    li.append(place, passage, footer);
    return li;
  }

  function render(result) {
    current = result.findings;
    list.textContent = "";
    current.forEach(function (finding) { list.append(item(finding, false)); });
    dismissedList.textContent = "";
    result.dismissed.forEach(function (finding) { dismissedList.append(item(finding, true)); });
    dismissedCount.textContent = String(result.dismissed.length);
    dismissedBox.hidden = result.dismissed.length === 0;
    if (result.open === 0) {
      status.textContent = "未发现问题";
      status.className = "digest-proofreading__status is-clean";
    } else {
      status.textContent = "发现 " + result.open + " 处问题" + (result.certain ? "，其中 " + result.certain + " 处可一键修正" : "");
      status.className = "digest-proofreading__status has-findings";
    }
    fixAll.hidden = result.certain < 2;
    if (arrivedForPanel) {
      arrivedForPanel = false;
      panel.scrollIntoView({ block: "start" });
    }
  }

  function select(finding) {
    var field = fields[finding.field];
    if (!field) {
      return;
    }
    field.focus();
    field.setSelectionRange(finding.start, finding.end);
  }

  /* Replace the text of `field` between start and end; through the editing commands where the browser has
   * them, so Ctrl+Z takes the fix back. */
  function replaceRange(field, start, end, text) {
    field.focus();
    field.setSelectionRange(start, end);
    var done = false;
    try {
      done = text === "" ? document.execCommand("delete") : document.execCommand("insertText", false, text);
    } catch (error) {
      done = false;
    }
    if (!done || field.value.slice(start, start + text.length) !== text) {
      field.setRangeText(text, start, end, "end");
      field.dispatchEvent(new Event("input", { bubbles: true }));
    }
  }

  /* Apply certain fixes, each only where its text is still as checked; from the end, skipping overlaps. */
  function applyFixes(findings) {
    var stale = false;
    ["title", "body"].forEach(function (name) {
      var field = fields[name];
      if (!field) {
        return;
      }
      var mine = findings
        .filter(function (finding) { return finding.field === name && finding.suggestion !== null; })
        .sort(function (a, b) { return b.start - a.start || b.end - a.end; });
      var limit = Infinity;
      mine.forEach(function (finding) {
        if (finding.end > limit) {
          return;
        }
        if (field.value.slice(finding.start, finding.end) !== finding.text) {
          stale = true;
          return;
        }
        replaceRange(field, finding.start, finding.end, finding.suggestion);
        limit = finding.start;
      });
    });
    if (stale) {
      status.textContent = "文字已改动，已重新检查，请再试一次。";
    }
    check();
  }

  function setDismissed(finding, dismissed) {
    if (panel.dataset.article) {
      post(panel.dataset.dismissUrl, { rule: finding.rule, key: finding.key, action: dismissed ? "dismiss" : "restore" })
        .then(check)
        .catch(function (error) { status.textContent = error.message; });
      return;
    }
    var items = pendingList().filter(function (each) { return !(each[0] === finding.rule && each[1] === finding.key); });
    if (dismissed) {
      items.push([finding.rule, finding.key]);
    }
    pending.value = JSON.stringify(items);
    check();
  }

  fixAll.addEventListener("click", function () { applyFixes(current); });
  fields.body.addEventListener("input", later);
  if (fields.title) {
    fields.title.addEventListener("input", later);
  }
  check();
})();
