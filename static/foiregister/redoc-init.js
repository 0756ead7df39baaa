// Starts ReDoc on <div id="redoc" data-spec-url="...">: a valid element (the Nu HTML
// checker refuses the custom <redoc> tag) and a script file, not inline script (the content
// security policy allows only our own files).
//
// ReDoc's menu always shows its maker's logo from their CDN. An image from another host
// would tell a third party of the visit (the policy refuses it, but the browser still tries),
// so an image source outside this site is dropped before it is set.
(function () {
  function ours(value) {
    var url = String(value);
    return url.indexOf("data:") === 0 || new URL(url, location.href).origin === location.origin;
  }
  var setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    if (this.tagName === "IMG" && String(name).toLowerCase() === "src" && !ours(value)) {
      return;
    }
    return setAttribute.call(this, name, value);
  };
  var src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  Object.defineProperty(HTMLImageElement.prototype, "src", {
    configurable: true,
    get: src.get,
    set: function (value) {
      if (ours(value)) {
        src.set.call(this, value);
      }
    },
  });
  var element = document.getElementById("redoc");
  if (element && window.Redoc) {
    window.Redoc.init(element.getAttribute("data-spec-url"), {}, element);
  }
})();
