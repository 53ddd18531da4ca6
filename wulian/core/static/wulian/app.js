// Small behaviours that need no framework.
function closeNavGroups(except) {
  document.querySelectorAll(".nav-toggle[aria-expanded='true']").forEach(function (button) {
    if (button === except) return;
    button.setAttribute("aria-expanded", "false");
    document.getElementById(button.getAttribute("aria-controls")).removeAttribute("data-open");
  });
}

document.addEventListener("keydown", function (event) {
  if (event.key !== "Escape") return;
  var open = document.querySelector(".nav-toggle[aria-expanded='true']");
  if (open) {
    closeNavGroups(null);
    open.focus();
  }
});

document.addEventListener("click", function (event) {
  // The navigation's groups open one at a time, as menus on a desk (a phone shows them all).
  var group = event.target.closest(".nav-toggle");
  closeNavGroups(group);
  if (group) {
    var expanded = group.getAttribute("aria-expanded") !== "true";
    group.setAttribute("aria-expanded", String(expanded));
    document.getElementById(group.getAttribute("aria-controls")).toggleAttribute("data-open", expanded);
    return;
  }
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

// A picker (core.widgets.PickerCheckboxes): a search box narrows a long grouped list of
// checkboxes; the count of chosen ones shows above it.
function setUpPicker(picker) {
  var tools = picker.querySelector(".picker-tools");
  var search = picker.querySelector(".picker-search");
  var count = picker.querySelector(".picker-count");
  var none = picker.querySelector(".picker-none");
  tools.hidden = false;
  function showCount() {
    var n = picker.querySelectorAll("input[type=checkbox]:checked").length;
    count.textContent = picker.getAttribute("data-count").replace("{n}", String(n));
  }
  function narrow() {
    var words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    picker.querySelectorAll(".picker-group").forEach(function (group) {
      var inGroup = 0;
      group.querySelectorAll(".picker-option").forEach(function (option) {
        var text = option.getAttribute("data-search");
        var match = words.every(function (word) { return text.indexOf(word) >= 0; });
        option.hidden = !match;
        if (match) inGroup += 1;
      });
      group.hidden = inGroup === 0;
      shown += inGroup;
    });
    none.hidden = shown > 0;
  }
  search.addEventListener("input", narrow);
  search.addEventListener("keydown", function (event) {
    if (event.key === "Enter") event.preventDefault();  // not a submit: the list narrows as one types
  });
  picker.addEventListener("change", showCount);
  showCount();
}

// A refused action sends the person back to the page it was on; what its form held comes
// back with it (core.actions.keep_input) and is filled in again, the form opened and focused.
function restoreKeptInput() {
  var script = document.getElementById("kept-input");
  if (!script) return;
  var kept = JSON.parse(script.textContent);
  var form = Array.prototype.find.call(document.querySelectorAll("form[method=post]"), function (f) {
    return new URL(f.action, window.location.href).pathname === kept.action;
  });
  if (!form) return;
  var first = null;
  Object.keys(kept.data).forEach(function (name) {
    var values = kept.data[name];
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name !== name || field.type === "hidden" || field.type === "file" ||
          field.type === "submit" || field.type === "button" || field.type === "password") return;
      if (field.type === "checkbox" || field.type === "radio") {
        field.checked = values.indexOf(field.value) >= 0;
      } else if (field.multiple) {
        Array.prototype.forEach.call(field.options, function (o) { o.selected = values.indexOf(o.value) >= 0; });
      } else {
        field.value = values[0];
      }
      first = first || field;
    });
  });
  for (var node = form.parentNode; node; node = node.parentNode) {
    if (node.tagName === "DETAILS") node.open = true;
  }
  if (first) first.focus();
}

document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-picker]").forEach(setUpPicker);
  restoreKeptInput();
});
