/* The compose board on an issue's page: drag articles and sections (or use ↑ ↓), then save the order.
 *
 * The page is the source of truth until "保存顺序": every change rewrites the hidden `layout` field with
 * [{"section": id, "articles": [id, …]}, …] in reading order, and the server checks it against the issue.
 * Workflow buttons that carry data-confirm ask before they post.
 */
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });

  var board = document.querySelector("[data-board]");
  if (!board || board.dataset.editable !== "true") {
    return;
  }
  var form = document.getElementById("arrange-form");
  var layoutField = form.querySelector("input[name=layout]");
  var saveBar = form.querySelector("[data-save-bar]");
  var dragged = null;
  var dirty = false;

  function sections() {
    return Array.prototype.slice.call(board.querySelectorAll(":scope > [data-section-id]"));
  }

  function layout() {
    return sections().map(function (section) {
      return {
        section: Number(section.dataset.sectionId),
        articles: Array.prototype.map.call(section.querySelectorAll("[data-article-id]"), function (article) {
          return Number(article.dataset.articleId);
        }),
      };
    });
  }

  var initial = JSON.stringify(layout());

  function refresh() {
    var index = 0;
    sections().forEach(function (section) {
      var articles = section.querySelectorAll("[data-article-id]");
      articles.forEach(function (article) {
        index += 1;
        article.querySelector("[data-index]").textContent = index;
      });
      section.querySelector("[data-count]").textContent = articles.length ? articles.length + " 篇" : "空栏目";
      section.classList.toggle("is-empty", articles.length === 0);
    });
    var current = JSON.stringify(layout());
    layoutField.value = current;
    dirty = current !== initial;
    saveBar.hidden = !dirty;
  }

  /* The child of `container` (matching `selector`) that the pointer at `y` is above, or null for the end. */
  function childAfter(container, selector, y) {
    var children = Array.prototype.filter.call(container.children, function (child) {
      return child.matches(selector) && child !== dragged;
    });
    for (var i = 0; i < children.length; i += 1) {
      var box = children[i].getBoundingClientRect();
      if (y < box.top + box.height / 2) {
        return children[i];
      }
    }
    return null;
  }

  board.addEventListener("dragstart", function (event) {
    var item = event.target.closest("[draggable=true]");
    if (!item) {
      return;
    }
    dragged = item;
    item.classList.add("is-dragging");
    board.classList.add("is-sorting");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.dataset.articleId || item.dataset.sectionId);
    event.stopPropagation();
  });

  board.addEventListener("dragover", function (event) {
    if (!dragged) {
      return;
    }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (dragged.dataset.articleId) {
      var section = event.target.closest("[data-section-id]");
      if (!section) {
        return;
      }
      var list = section.querySelector("[data-article-list]");
      var before = childAfter(list, "[data-article-id]", event.clientY);
      if (before !== dragged.nextElementSibling || dragged.parentElement !== list) {
        list.insertBefore(dragged, before);
      }
    } else {
      var next = childAfter(board, "[data-section-id]", event.clientY);
      if (next !== dragged.nextElementSibling) {
        board.insertBefore(dragged, next);
      }
    }
  });

  board.addEventListener("drop", function (event) {
    if (dragged) {
      event.preventDefault();
    }
  });

  board.addEventListener("dragend", function () {
    if (dragged) {
      dragged.classList.remove("is-dragging");
    }
    board.classList.remove("is-sorting");
    dragged = null;
    refresh();
  });

  /* ↑ ↓ : within a section; an article at the top or bottom of its section moves into the neighbouring one. */
  board.addEventListener("click", function (event) {
    var button = event.target.closest("[data-move]");
    if (!button) {
      return;
    }
    var up = button.dataset.move === "up";
    var article = button.closest("[data-article-id]");
    if (article) {
      var sibling = up ? article.previousElementSibling : article.nextElementSibling;
      if (sibling) {
        article.parentElement.insertBefore(article, up ? sibling : sibling.nextElementSibling);
      } else {
        var section = article.closest("[data-section-id]");
        var neighbour = up ? section.previousElementSibling : section.nextElementSibling;
        if (neighbour) {
          var list = neighbour.querySelector("[data-article-list]");
          list.insertBefore(article, up ? null : list.firstElementChild);
        }
      }
      button.focus();
    } else {
      var moving = button.closest("[data-section-id]");
      var other = up ? moving.previousElementSibling : moving.nextElementSibling;
      if (other) {
        board.insertBefore(moving, up ? other : other.nextElementSibling);
        button.focus();
      }
    }
    refresh();
  });

  form.querySelector("[data-discard]").addEventListener("click", function () {
    dirty = false;
    window.location.reload();
  });

  form.addEventListener("submit", function () {
    layoutField.value = JSON.stringify(layout());
    dirty = false;
  });

  window.addEventListener("beforeunload", function (event) {
    if (dirty) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  layoutField.value = initial;
})();
