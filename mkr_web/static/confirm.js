/* Confirmation before irreversible actions, and "check all" boxes (no inline scripts: CSP).
 *
 * A form with data-confirm="<text>" asks first, in a dialog (#confirm-dialog in base.html),
 * naming what will happen; "{n}" in the text becomes the number of checked boxes named by
 * data-confirm-count (e.g. "ids"). Confirmed, the form is sent with confirmed=1. Without
 * JavaScript the form is sent as it is and the server answers with a confirmation page first
 * (web/confirm.py): the same question, the same fields, one more button.
 *
 * A checkbox with data-check-all="<name>" checks or unchecks every box of that name in its form.
 */
(function () {
  "use strict";

  var dialog = document.getElementById("confirm-dialog");
  var pending = null;

  function question(form) {
    var text = form.getAttribute("data-confirm");
    var countOf = form.getAttribute("data-confirm-count");
    if (countOf) {
      var n = form.querySelectorAll('input[name="' + countOf + '"]:checked').length;
      text = text.replace("{n}", String(n));
    }
    return text;
  }

  function send(form) {
    var flag = document.createElement("input");
    flag.type = "hidden";
    flag.name = "confirmed";
    flag.value = "1";
    form.appendChild(flag);
    form.setAttribute("data-confirmed", "1");
    if (pending && pending.submitter && pending.submitter.name) {
      var who = document.createElement("input");
      who.type = "hidden";
      who.name = pending.submitter.name;
      who.value = pending.submitter.value;
      form.appendChild(who);
    }
    form.submit();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-confirm") || form.getAttribute("data-confirmed") === "1") {
      return;
    }
    if (!dialog || !window.bootstrap) {
      return; // the server's confirmation page asks instead
    }
    event.preventDefault();
    pending = { form: form, submitter: event.submitter };
    dialog.querySelector("[data-confirm-text]").textContent = question(form);
    window.bootstrap.Modal.getOrCreateInstance(dialog).show();
  });

  if (dialog) {
    dialog.querySelector("[data-confirm-ok]").addEventListener("click", function () {
      var target = pending;
      window.bootstrap.Modal.getOrCreateInstance(dialog).hide();
      if (target) {
        send(target.form);
      }
    });
  }

  document.addEventListener("change", function (event) {
    var box = event.target;
    var name = box.getAttribute && box.getAttribute("data-check-all");
    if (!name) {
      return;
    }
    var scope = box.form || document;
    scope.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (b) {
      b.checked = box.checked;
    });
  });
})();
