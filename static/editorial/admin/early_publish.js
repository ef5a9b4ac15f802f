/* Publishing before the issue's 出刊日期 asks first: 立即发布 carries the question from the server
 * (data-confirm-early); 定时发布 asks when the chosen time falls before the date (data-issue-date).
 * A confirmed form sends early_confirmed=1, without which the server refuses an early publication. */
(function () {
  "use strict";

  var daysBefore = function (dateText, moment) {
    var parts = dateText.split("-").map(Number);
    var issueDay = new Date(parts[0], parts[1] - 1, parts[2]);
    var day = new Date(moment.getFullYear(), moment.getMonth(), moment.getDate());
    return Math.round((issueDay - day) / 86400000);
  };

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-issue-date]");
    if (!form) {
      return;
    }
    var confirmed = form.querySelector("input[name$='early_confirmed']");
    var question = form.dataset.confirmEarly || "";
    var when = form.querySelector("input[type='datetime-local']");
    if (!question && when && when.value) {
      var days = daysBefore(form.dataset.issueDate, new Date(when.value));
      if (days > 0) {
        var date = form.dataset.issueDate.split("-");
        question = form.dataset.issueLabel + "的出刊日期是" + Number(date[1]) + "月" + Number(date[2]) + "日，定时发布时间比出刊日期早 " +
          days + " 天，读者届时就能看到本期。确定提前发布吗？";
      }
    }
    if (!question) {
      return;
    }
    if (window.confirm(question)) {
      confirmed.value = "1";
    } else {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
})();
