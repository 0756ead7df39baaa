// Starts ReDoc on <div id="redoc" data-spec-url="...">: a valid element (the Nu HTML
// checker refuses the custom <redoc> tag) and a script file, not inline script (the content
// security policy allows only our own files).
(function () {
  var element = document.getElementById("redoc");
  if (element && window.Redoc) {
    window.Redoc.init(element.getAttribute("data-spec-url"), {}, element);
  }
})();
