/* Show only the fields the chosen kind needs. Without this script every field shows and the
   service refuses what does not fit, naming the field. */
(function () {
  var form = document.getElementById("event-form");
  var kind = form.querySelector("[name=kind]");
  function toggle() {
    form.querySelectorAll("[data-kinds]").forEach(function (input) {
      var row = input.closest(".form-row");
      var wanted = input.getAttribute("data-kinds").split(" ").indexOf(kind.value) !== -1;
      // The admin's stylesheet sets the rows' display, which would override "hidden".
      row.style.display = wanted || row.classList.contains("errors") ? "" : "none";
    });
  }
  kind.addEventListener("change", toggle);
  toggle();
})();
