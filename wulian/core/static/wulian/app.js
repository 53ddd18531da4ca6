// Small behaviours that need no framework.
document.addEventListener("click", function (event) {
  var toggle = event.target.closest(".menu-toggle");
  if (toggle) {
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    document.getElementById(toggle.getAttribute("aria-controls")).toggleAttribute("data-open", open);
    return;
  }
  var confirmer = event.target.closest("[data-confirm]");
  if (confirmer && !window.confirm(confirmer.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});

// Photos chosen in a form are shown before they are sent; the server still checks each file.
document.addEventListener("change", function (event) {
  var input = event.target;
  if (!(input instanceof HTMLInputElement) || input.type !== "file") return;
  var preview = input.parentNode.querySelector(".photo-preview[data-for='" + input.id + "']");
  if (!preview) {
    preview = document.createElement("div");
    preview.className = "photo-preview";
    preview.setAttribute("data-for", input.id);
    preview.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", preview);
  }
  preview.querySelectorAll("img").forEach(function (img) { URL.revokeObjectURL(img.src); });
  preview.textContent = "";
  Array.prototype.forEach.call(input.files || [], function (file) {
    if (file.type.indexOf("image/") === 0 && file.type !== "image/heic") {
      var img = document.createElement("img");
      img.src = URL.createObjectURL(file);
      img.alt = file.name;
      preview.appendChild(img);
    } else {
      var name = document.createElement("span");
      name.className = "name";
      name.textContent = file.name;
      preview.appendChild(name);
    }
  });
});
