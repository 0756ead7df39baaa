// The response workspace: show only what the chosen answer kind needs (exemptions for
// "exempt", the link for "available elsewhere") and the kind's standard wording. Without
// this script every field shows and the server ignores the ones the kind does not use.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".ws-answer-form").forEach(function (form) {
    var select = form.querySelector("select[name$='answer_kind']");
    if (!select) return;
    function update() {
      var kind = select.value;
      form.querySelectorAll("[data-when-kind]").forEach(function (el) {
        el.hidden = el.getAttribute("data-when-kind") !== kind;
      });
      form.querySelectorAll(".ws-wording").forEach(function (el) {
        el.hidden = el.getAttribute("data-kind") !== kind;
      });
    }
    select.addEventListener("change", update);
    update();
  });
});
