// One module, two uses (issue 19.3 and 19.4):
//
// 1. Pickers that search (common/pickers.py): each .picker becomes a WAI-ARIA 1.2
//    combobox with a listbox popup, filled from the picker's suggestion endpoint as one
//    types. ArrowDown/ArrowUp move through the suggestions, Home/End to the first and the
//    last, Enter chooses, Escape closes. A live region says how many matched. A single
//    picker puts its choice in the field's <select>; a multiple one adds a chip with a
//    remove button.
// 2. Telesök as you type (directory/search.html): the results follow the search box,
//    fetched as the page's own results fragment, the stale request aborted, the address
//    kept as ?q= (history.replaceState).
//
// Without JavaScript both work as plain forms: the pickers' "Sök" button and telesök's
// search button submit, and the server answers the same matches.
(function () {
  "use strict";

  var DEBOUNCE_MS = 250;

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      var args = arguments;
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_m, key) { return values[key]; });
  }

  // A fetch that aborts the one before it: only the newest answer is shown.
  function latestFetcher() {
    var controller = null;
    return function (url, accept) {
      if (controller) { controller.abort(); }
      controller = window.AbortController ? new AbortController() : null;
      return fetch(url, {
        credentials: "same-origin",
        headers: { Accept: accept },
        signal: controller ? controller.signal : undefined
      }).then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return accept === "application/json" ? response.json() : response.text();
      });
    };
  }

  var counter = 0;

  // --- Pickers ---------------------------------------------------------------------------

  function Picker(root) {
    counter += 1;
    this.root = root;
    this.url = root.dataset.pickerUrl;
    this.name = root.dataset.pickerName;
    this.multiple = root.dataset.pickerMultiple === "true";
    this.input = root.querySelector(".picker-input");
    this.status = root.querySelector(".picker-status");
    this.select = this.multiple ? null : root.querySelector(".picker-fallback select");
    this.chosenList = root.querySelector(".picker-chosen");
    this.empty = root.querySelector(".picker-empty");
    this.fetch = latestFetcher();
    this.options = [];
    this.active = -1;
    this.chosenLabel = this.multiple ? "" : this.input.value;
    if (this.select) { this.select.dataset.chosen = this.select.value; }

    var listId = (this.input.id || "picker-" + counter) + "-listbox";
    this.listbox = document.createElement("ul");
    this.listbox.id = listId;
    this.listbox.className = "picker-listbox";
    this.listbox.setAttribute("role", "listbox");
    var label = document.querySelector('label[for="' + this.input.id + '"]');
    if (label) {
      if (!label.id) { label.id = this.input.id + "-label"; }
      this.listbox.setAttribute("aria-labelledby", label.id);
    }
    this.listbox.hidden = true;
    this.input.parentNode.insertBefore(this.listbox, this.input.nextSibling);

    this.input.setAttribute("role", "combobox");
    this.input.setAttribute("aria-autocomplete", "list");
    this.input.setAttribute("aria-expanded", "false");
    this.input.setAttribute("aria-controls", listId);

    // The no-JS parts: the search button and the list of matches.
    var search = root.querySelector(".picker-search");
    if (search) { search.hidden = true; }
    var fallback = root.querySelector(".picker-fallback");
    if (fallback) { fallback.hidden = true; }
    var count = root.querySelector(".picker-count");
    if (count) { count.hidden = true; }
    if (this.multiple) {
      // Unticked check boxes of a no-JS search are not choices.
      Array.prototype.forEach.call(root.querySelectorAll(".picker-fallback input"), function (box) {
        if (!box.checked) { box.disabled = true; }
      });
    }

    var self = this;
    var refresh = debounce(function () { self.load(); }, DEBOUNCE_MS);
    this.input.addEventListener("input", function () {
      if (!self.multiple && self.input.value !== self.chosenLabel && self.select) {
        self.select.value = "";  // typed over the choice: nothing chosen until one is
      }
      refresh();
    });
    this.input.addEventListener("keydown", function (event) { self.onKey(event); });
    this.input.addEventListener("blur", function () {
      window.setTimeout(function () { self.close(); }, 150);
    });
    this.listbox.addEventListener("mousedown", function (event) { event.preventDefault(); });
    this.listbox.addEventListener("click", function (event) {
      var item = event.target.closest("li[role=option]");
      if (item) { self.choose(Number(item.dataset.index)); }
    });
    if (this.chosenList) {
      this.chosenList.addEventListener("click", function (event) {
        var button = event.target.closest(".picker-remove");
        if (button) {
          event.preventDefault();
          self.remove(button.closest("li"));
        }
      });
    }
  }

  Picker.prototype.say = function (text) {
    // Emptied first, so the same words said twice are announced twice.
    var status = this.status;
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  };

  Picker.prototype.countText = function (data) {
    var n = data.results.length;
    var d = this.root.dataset;
    if (!n) { return d.countNone; }
    if (data.more) { return format(d.countMore, { count: n }); }
    return n === 1 ? d.countOne : format(d.countMany, { count: n });
  };

  Picker.prototype.chosenValues = function () {
    if (!this.chosenList) { return []; }
    return Array.prototype.map.call(
      this.chosenList.querySelectorAll("input[type=hidden]"),
      function (input) { return input.value; }
    );
  };

  Picker.prototype.load = function () {
    var self = this;
    var sep = this.url.indexOf("?") === -1 ? "?" : "&";
    var url = this.url + sep + "q=" + encodeURIComponent(this.input.value);
    return this.fetch(url, "application/json").then(function (data) {
      var taken = self.chosenValues();
      data.results = data.results.filter(function (o) {
        return taken.indexOf(String(o.value)) === -1;
      });
      self.render(data.results);
      self.say(self.countText(data));
    }).catch(function (error) {
      if (error.name !== "AbortError") { self.say(self.root.dataset.error); }
    });
  };

  Picker.prototype.render = function (options) {
    var self = this;
    this.options = options;
    this.active = -1;
    this.listbox.textContent = "";
    options.forEach(function (option, index) {
      var item = document.createElement("li");
      item.id = self.listbox.id + "-" + index;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      item.dataset.index = String(index);
      var label = document.createElement("span");
      label.className = "picker-label";
      label.textContent = option.label;
      item.appendChild(label);
      if (option.detail) {
        var detail = document.createElement("span");
        detail.className = "picker-detail";
        detail.textContent = option.detail;
        item.appendChild(detail);
      }
      self.listbox.appendChild(item);
    });
    this.input.removeAttribute("aria-activedescendant");
    if (options.length) { this.open(); } else { this.close(); }
  };

  Picker.prototype.open = function () {
    this.listbox.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
  };

  Picker.prototype.close = function () {
    this.listbox.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
    this.setActive(-1);
  };

  Picker.prototype.isOpen = function () { return !this.listbox.hidden; };

  Picker.prototype.setActive = function (index) {
    var items = this.listbox.querySelectorAll("li[role=option]");
    Array.prototype.forEach.call(items, function (item) { item.setAttribute("aria-selected", "false"); });
    this.active = index;
    if (index < 0 || index >= items.length) {
      this.input.removeAttribute("aria-activedescendant");
      return;
    }
    var item = items[index];
    item.setAttribute("aria-selected", "true");
    this.input.setAttribute("aria-activedescendant", item.id);
    if (item.scrollIntoView) { item.scrollIntoView({ block: "nearest" }); }
  };

  Picker.prototype.move = function (step) {
    var self = this;
    if (!this.isOpen()) {
      this.load().then(function () {
        if (self.options.length) { self.setActive(step > 0 ? 0 : self.options.length - 1); }
      });
      return;
    }
    var n = this.options.length;
    if (!n) { return; }
    var next = this.active + step;
    if (this.active < 0) { next = step > 0 ? 0 : n - 1; }
    this.setActive((next + n) % n);
  };

  Picker.prototype.onKey = function (event) {
    var open = this.isOpen();
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        if (event.altKey && !open) { this.load(); } else { this.move(1); }
        break;
      case "ArrowUp":
        event.preventDefault();
        this.move(-1);
        break;
      case "Home":
      case "End":
        // With a suggestion active, Home and End move to the first and the last one; in
        // the text alone they move the cursor, as in any text box (APG).
        if (open && this.active >= 0) {
          event.preventDefault();
          this.setActive(event.key === "Home" ? 0 : this.options.length - 1);
        }
        break;
      case "Enter":
        if (open && this.active >= 0) {
          event.preventDefault();
          this.choose(this.active);
        } else if (this.multiple) {
          event.preventDefault();  // Enter in the text of a multiple picker does not submit
        }
        break;
      case "Escape":
        if (open) {
          event.preventDefault();
          this.close();
        } else if (!this.multiple && this.input.value !== this.chosenLabel) {
          event.preventDefault();
          this.input.value = this.chosenLabel;  // back to what is chosen
          if (this.select && this.chosenLabel) { this.select.value = this.select.dataset.chosen || ""; }
        }
        break;
      default:
        break;
    }
  };

  Picker.prototype.choose = function (index) {
    var option = this.options[index];
    if (!option) { return; }
    if (this.multiple) {
      this.add(option);
      this.input.value = "";
      this.say(format(this.root.dataset.added, { name: option.label }));
    } else {
      var value = String(option.value);
      var existing = Array.prototype.find.call(this.select.options, function (o) { return o.value === value; });
      if (!existing) {
        existing = new Option(option.label + (option.detail ? " – " + option.detail : ""), value);
        this.select.appendChild(existing);
      }
      this.select.value = value;
      this.select.dataset.chosen = value;
      this.input.value = option.label;
      this.chosenLabel = option.label;
      this.say(option.label + (option.detail ? ", " + option.detail : ""));
    }
    this.close();
    this.input.focus();
  };

  Picker.prototype.add = function (option) {
    var item = document.createElement("li");
    var hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = this.name;
    hidden.value = String(option.value);
    var label = document.createElement("span");
    label.className = "picker-label";
    label.textContent = option.label;
    item.appendChild(hidden);
    item.appendChild(label);
    if (option.detail) {
      var detail = document.createElement("span");
      detail.className = "picker-detail";
      detail.textContent = option.detail;
      item.appendChild(document.createTextNode(" "));
      item.appendChild(detail);
    }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "picker-remove secondary";
    button.textContent = this.root.dataset.removeLabel;
    var hiddenName = document.createElement("span");
    hiddenName.className = "visually-hidden";
    hiddenName.textContent = " " + option.label;
    button.appendChild(hiddenName);
    item.appendChild(document.createTextNode(" "));
    item.appendChild(button);
    this.chosenList.appendChild(item);
    if (this.empty) { this.empty.hidden = true; }
  };

  Picker.prototype.remove = function (item) {
    var label = item.querySelector(".picker-label");
    var name = label ? label.textContent : "";
    item.parentNode.removeChild(item);
    if (this.empty && !this.chosenValues().length) { this.empty.hidden = false; }
    this.say(format(this.root.dataset.removed, { name: name }));
    this.input.focus();
  };

  // --- Telesök as you type -----------------------------------------------------------------

  function LiveSearch(form) {
    this.form = form;
    this.input = form.querySelector("input[type=search]");
    this.results = document.getElementById(form.dataset.liveResults);
    this.status = document.getElementById(form.dataset.liveStatus);
    this.url = form.dataset.liveUrl;
    this.fetch = latestFetcher();
    this.last = this.input.value.trim();
    var self = this;
    this.input.addEventListener("input", debounce(function () { self.update(); }, DEBOUNCE_MS));
  }

  LiveSearch.prototype.update = function () {
    var self = this;
    var query = this.input.value.trim();
    if (query === this.last) { return; }
    this.last = query;
    var address = window.location.pathname + (query ? "?q=" + encodeURIComponent(query) : "");
    window.history.replaceState(null, "", address);
    this.fetch(this.url + "?q=" + encodeURIComponent(query), "text/html").then(function (html) {
      self.results.innerHTML = html;
      var summary = self.results.querySelector("[data-live-summary]");
      self.status.textContent = summary ? summary.dataset.liveSummary : "";
    }).catch(function (error) {
      if (error.name !== "AbortError") { self.status.textContent = self.form.dataset.liveError; }
    });
  };

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll(".picker[data-picker-url]"), function (root) {
      root.picker = new Picker(root);
    });
    Array.prototype.forEach.call(document.querySelectorAll("form[data-live-url]"), function (form) {
      form.liveSearch = new LiveSearch(form);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
