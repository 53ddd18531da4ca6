// The projector: polls the meeting's small JSON every second (304 when nothing changed) and
// redraws attendance, the quorum sentence and the motions; keeps polling through a restart.
(function () {
  "use strict";
  var source = document.body.getAttribute("data-source");
  var status = document.getElementById("p-status");
  var version = "";

  function text(id, value) { document.getElementById(id).textContent = value; }

  function render(data) {
    text("p-title", data.meeting.title);
    text("p-present", data.present);
    text("p-called", data.called);
    text("p-households", data.households_present);
    text("p-households-total", data.households_total);
    var q = document.getElementById("p-quorum");
    q.textContent = data.explanation;
    q.className = "quorum " + (data.quorum ? "ok" : "no");
    q.setAttribute("data-ok", data.quorum ? "yes" : "no");
    var list = document.getElementById("p-motions");
    var items = data.motions.map(function (m) {
      var li = document.createElement("li");
      li.setAttribute("data-motion", m.id);
      li.setAttribute("data-state", m.state);
      var strong = document.createElement("strong");
      strong.textContent = m.text;
      var state = document.createElement("span");
      state.className = "state";
      state.textContent = " " + m.state_label + " ";
      var cast = document.createElement("span");
      cast.className = "cast";
      cast.textContent = m.votes_cast + " " + status.getAttribute("data-votes");
      li.append(strong, state, cast);
      if (m.explanation) {
        var p = document.createElement("p");
        p.textContent = m.explanation;
        li.appendChild(p);
      }
      return li;
    });
    list.replaceChildren.apply(list, items);
  }

  function poll() {
    var headers = version ? { "If-None-Match": '"' + version + '"' } : {};
    fetch(source, { headers: headers, cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 304) return null;
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (data) {
        status.textContent = "";
        if (data) { version = data.version; render(data); }
      })
      .catch(function () { status.textContent = status.getAttribute("data-offline"); })
      .finally(function () { window.setTimeout(poll, 1000); });
  }
  poll();
})();
