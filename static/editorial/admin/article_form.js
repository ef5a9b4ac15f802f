/* The article form: the paste rules and a character count, region suggestions from the importer's detector,
 * and a warning before leaving with unsaved changes. Regions are added to the admin's autocomplete (select2) field. */
(function () {
  "use strict";

  var form = document.getElementById("article_form");
  if (!form) {
    return;
  }
  var title = form.querySelector("#id_title");
  var body = form.querySelector("#id_body");
  var regions = form.querySelector("#id_regions");
  var box = document.getElementById("region-suggestions");

  /* Body: pasted text becomes clean paragraphs (clean_body.js, the server's rules), counted under the textarea. */
  if (body) {
    var rules = window.digestText;
    var count = document.createElement("div");
    count.className = "digest-body-count";
    count.setAttribute("aria-live", "polite");
    (body.closest(".flex-container") || body).insertAdjacentElement("afterend", count);
    var updateCount = function () {
      var cleaned = rules.cleanBody(body.value);
      count.textContent = "正文 " + cleaned.replace(/\s/g, "").length + " 字，" + rules.paragraphCount(body.value) + " 段";
    };
    body.addEventListener("paste", function (event) {
      var pasted = event.clipboardData && event.clipboardData.getData("text/plain");
      if (!pasted) {
        return;
      }
      var cleaned = rules.cleanBody(pasted);
      if (cleaned === pasted) {
        return;
      }
      event.preventDefault();
      // insertText keeps the browser's undo history; setRangeText where it is not supported.
      body.focus();
      if (!document.execCommand || !document.execCommand("insertText", false, cleaned)) {
        body.setRangeText(cleaned, body.selectionStart, body.selectionEnd, "end");
        body.dispatchEvent(new Event("input", { bubbles: true }));
      }
    });
    body.addEventListener("input", updateCount);
    updateCount();
  }

  /* Region suggestions. */
  if (box && title && body && regions) {
    var list = box.querySelector("[data-suggestion-list]");
    var row = regions.closest(".form-row") || regions.parentElement;
    row.appendChild(box);
    var timer = null;

    var selectedIds = function () {
      return Array.prototype.map.call(regions.selectedOptions, function (option) { return option.value; });
    };

    var addRegion = function (region) {
      var option = Array.prototype.find.call(regions.options, function (each) { return each.value === String(region.id); });
      if (!option) {
        option = new Option(region.label, region.id, true, true);
        regions.appendChild(option);
      }
      option.selected = true;
      if (window.django && window.django.jQuery) {
        window.django.jQuery(regions).trigger("change");
      } else {
        regions.dispatchEvent(new Event("change", { bubbles: true }));
      }
    };

    var render = function (found) {
      list.textContent = "";
      var chosen = selectedIds();
      found.forEach(function (region) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "digest-suggestion";
        var already = chosen.indexOf(String(region.id)) !== -1;
        button.textContent = already ? region.name + " ✓" : "＋ " + region.name;
        button.disabled = already;
        button.title = already ? "已选" : "添加“" + region.label + "”";
        button.addEventListener("click", function () {
          addRegion(region);
          render(found);
        });
        list.appendChild(button);
      });
      box.hidden = found.length === 0;
    };

    var suggest = function () {
      var params = new URLSearchParams({ title: title.value, body: body.value.slice(0, 400) });
      fetch(box.dataset.suggestUrl + "?" + params.toString(), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { regions: [] }; })
        .then(function (data) { render(data.regions); })
        .catch(function () { box.hidden = true; });
    };

    var later = function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(suggest, 400);
    };
    title.addEventListener("input", later);
    body.addEventListener("input", later);
    regions.addEventListener("change", function () { later(); });
    if (title.value || body.value) {
      suggest();
    }
  }

  /* Unsaved changes. */
  var dirty = false;
  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
