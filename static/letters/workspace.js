// The response workspace: show only what the chosen answer kind needs (exemptions for
// "exempt", the link for "available elsewhere", the standard wording for kinds that have
// one) and put the new kind's standard wording in its box. Without this script every
// field shows, and the server ignores the fields the kind does not use and a wording
// written for another kind (the hidden wording_kind says which kind the box was for).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".ws-answer-form").forEach(function (form) {
    var select = form.querySelector("select[name$='answer_kind']");
    var box = form.querySelector("textarea[name$='standard_wording']");
    var boxKind = form.querySelector("input[name$='wording_kind']");
    if (!select) return;
    function show() {
      var kind = select.value;
      form.querySelectorAll("[data-when-kind]").forEach(function (el) {
        el.hidden = el.getAttribute("data-when-kind").split(" ").indexOf(kind) < 0;
      });
    }
    select.addEventListener("change", function () {
      var kind = select.value;
      var wording = form.querySelector("template.ws-wording[data-kind='" + kind + "']");
      if (box && boxKind) {
        box.value = wording ? wording.content.textContent : "";
        boxKind.value = kind;
      }
      show();
    });
    show();
  });
});
