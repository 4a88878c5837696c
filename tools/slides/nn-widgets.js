/* Stored ipywidgets on a page without a kernel (the static decks and the course site):
   nnWidgets.whenSettled(then) calls then() once every stored widget view has rendered, or
   after a wait (30 s; the page's query parameter widget-wait=MS changes it) with each view
   that has not rendered shown as a sentence (p.widget-fallback) instead of an empty box;
   window.widgetsSettled is then true. The decks' template (tools/slides/templates/nnslides)
   starts reveal.js through it in print mode; on the site (site/conf.py) the script tag's
   data-settle="on-load" starts it when the page has loaded.

   Accessible names (issue 26): html-manager 0.20 (ipywidgets 7) draws a slider's description
   as a <label> tied to nothing, the slider itself as a focusable <span> with no role, a
   ToggleButtons' description beside an unnamed group, and Play as four icon-only buttons.
   Once the views have rendered, nnWidgets.label(root) (called by whenSettled) ties each
   visible description to its control with aria-labelledby (so the name is the visible label),
   gives each slider handle role="slider" with its value (kept up to date as it moves: arrows,
   Home, End, Page Up/Down move it, as jQuery UI does), marks the pressed toggle button
   (aria-pressed; pressing one redraws the buttons, and the focus goes back to the one pressed
   instead of being lost), names Play's buttons (aria-label and a tooltip: play, pause, stop, repeat)
   and hides icons from screen readers. Controls that html-manager already names (a select or
   text box whose label has for=, a button with text) are left as they are.
   Keys: reveal.js reads arrows, Space, Home, End and Page Up/Down on the whole page (except in
   a text box), so they moved a focused slider *and* the deck. Inside a widget those keys now
   stay with the control that has the focus (Tab and Escape still reach reveal).
   window.widgetsLabelled is true once label() has run (or the error it met, as a string). */
(function () {
    var VIEWS = 'script[type="application/vnd.jupyter.widget-view+json"]';
    var FALLBACK = "This widget did not load here: open the lecture in JupyterLab or Colab " +
        "to use it. The slide before shows the same idea as a figure.";
    var WAIT_MS = Number((/[?&]widget-wait=(\d+)/.exec(window.location.search) || [])[1]
                         || 30000);

    var PLAY_NAMES = {"fa-play": "play", "fa-pause": "pause", "fa-stop": "stop",
                      "fa-retweet": "repeat"};
    var PLAY_ORDER = ["play", "pause", "stop", "repeat"];
    var uid = 0;

    function labelId(label) {
        if (!label.id) { label.id = "nn-widget-label-" + (++uid); }
        return label.id;
    }

    function watch(element, options, update) {
        update();
        new MutationObserver(update).observe(element, options);
    }

    function labelSlider(handle, box, label) {
        var readout = box.querySelector(".widget-readout");
        handle.setAttribute("role", "slider");
        handle.setAttribute("aria-orientation",
                            box.classList.contains("widget-vslider") ? "vertical" : "horizontal");
        if (label) { handle.setAttribute("aria-labelledby", labelId(label)); }
        /* The stored model's min and max are not in the page: the value is the handle's
           position in percent, and aria-valuetext the readout a sighted student sees. */
        handle.setAttribute("aria-valuemin", "0");
        handle.setAttribute("aria-valuemax", "100");
        watch(handle, {attributes: true, attributeFilter: ["style"]}, function () {
            var at = parseFloat(handle.style.left || handle.style.bottom || "0");
            handle.setAttribute("aria-valuenow", String(Math.round(at * 10) / 10));
            if (readout) { handle.setAttribute("aria-valuetext", readout.textContent.trim()); }
        });
        if (readout) {
            readout.setAttribute("role", "textbox");
            if (label) { readout.setAttribute("aria-labelledby", labelId(label)); }
            watch(readout, {childList: true, characterData: true, subtree: true}, function () {
                handle.setAttribute("aria-valuetext", readout.textContent.trim());
            });
        }
    }

    /* ToggleButtons: aria-pressed on each button. Pressing one makes html-manager draw the
       buttons anew, which dropped the keyboard focus on the page: it goes back to the button
       with the same value. */
    function keepPressed(group) {
        var focused = null;
        group.nnPressed = true;
        group.addEventListener("focusin", function (event) {
            focused = event.target.getAttribute("data-value");
        });
        group.addEventListener("focusout", function (event) {
            if (event.relatedTarget && group.contains(event.relatedTarget)) { return; }
            setTimeout(function () {  /* left for good, unless the buttons were redrawn */
                if (!group.contains(document.activeElement)
                    && document.activeElement !== document.body) { focused = null; }
            }, 0);
        });
        watch(group, {childList: true, subtree: true, attributes: true,
                      attributeFilter: ["class"]}, function () {
            var buttons = group.querySelectorAll("button");
            Array.prototype.forEach.call(buttons, function (b) {
                var pressed = String(b.classList.contains("mod-active"));
                if (b.getAttribute("aria-pressed") !== pressed) {
                    b.setAttribute("aria-pressed", pressed);
                }
            });
            if (focused !== null && !group.contains(document.activeElement)
                && (!document.activeElement || document.activeElement === document.body)) {
                Array.prototype.forEach.call(buttons, function (b) {
                    if (b.getAttribute("data-value") === focused) { b.focus(); }
                });
            }
        });
    }

    function label(root) {
        root = root || document;
        Array.prototype.forEach.call(root.querySelectorAll(".widget-inline-hbox"), function (box) {
            var label = box.querySelector(":scope > label.widget-label");
            if (label && (label.style.display === "none" || !label.textContent.trim())) {
                label = null;
            }
            Array.prototype.forEach.call(box.querySelectorAll(".ui-slider-handle"), function (h) {
                labelSlider(h, box, label);
            });
            if (box.classList.contains("widget-toggle-buttons")) {
                var group = box.querySelector(":scope > div");
                if (group) {
                    group.setAttribute("role", "group");
                    if (label) { group.setAttribute("aria-labelledby", labelId(label)); }
                }
                if (group && !group.nnPressed) { keepPressed(group); }
            }
            /* A control whose label has no for= (any other kind html-manager draws). */
            var control = box.querySelector(":scope > select, :scope > input, :scope > textarea");
            if (label && control && !label.htmlFor && !control.hasAttribute("aria-labelledby")) {
                control.setAttribute("aria-labelledby", labelId(label));
            }
        });
        Array.prototype.forEach.call(root.querySelectorAll(".widget-play button"), function (b) {
            /* By its icon; by its place (ipywidgets 7 draws play, pause, stop, repeat in this
               order) when the icon is not drawn yet, as on a page that has just loaded. */
            var icon = b.querySelector("i.fa");
            var name = icon && Object.keys(PLAY_NAMES).filter(function (cls) {
                return icon.classList.contains(cls);
            })[0];
            var text = name ? PLAY_NAMES[name] : PLAY_ORDER[Array.prototype.indexOf.call(
                b.parentElement.children, b)];
            if (text && !b.textContent.trim()) {
                b.setAttribute("aria-label", text);
                b.setAttribute("title", text);
            }
        });
        Array.prototype.forEach.call(root.querySelectorAll(".jupyter-widgets i.fa"), function (i) {
            i.setAttribute("aria-hidden", "true");
        });
        Array.prototype.forEach.call(root.querySelectorAll(".widget-subarea"), keepKeys);
        window.widgetsLabelled = true;
    }

    var CONTROL_KEYS = ["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End",
                        "PageUp", "PageDown", " ", "Spacebar", "Enter"];
    var CONTROLS = ".ui-slider-handle, select, button, input, textarea, [contenteditable=true]";

    function keepKeys(view) {
        if (view.nnKeys) { return; }
        view.nnKeys = true;
        view.addEventListener("keydown", function (event) {
            var control = event.target.closest && event.target.closest(CONTROLS);
            if (control && view.contains(control) && CONTROL_KEYS.indexOf(event.key) >= 0) {
                event.stopPropagation();
            }
        });
    }

    function unrendered() {
        return Array.prototype.filter.call(document.querySelectorAll(VIEWS), function (view) {
            var box = view.previousElementSibling;
            return !(box && box.classList.contains("widget-subarea") && box.childElementCount > 0);
        });
    }

    function whenSettled(then) {
        var start = Date.now();
        (function poll() {
            var missing = unrendered();
            if (missing.length && Date.now() - start < WAIT_MS) {
                return setTimeout(poll, 50);
            }
            missing.forEach(function (view) {
                var note = document.createElement("p");
                note.className = "widget-fallback";
                note.setAttribute("data-model-id", JSON.parse(view.textContent).model_id);
                note.innerHTML = "<em>" + FALLBACK + "</em>";
                view.parentElement.insertBefore(note, view);
            });
            try {  /* names are an addition: a failure here must not stop the deck */
                label(document);
            } catch (error) {
                window.widgetsLabelled = String(error);
            }
            window.widgetsSettled = true;
            then();
        })();
    }

    window.nnWidgets = {whenSettled: whenSettled, label: label};
    var script = document.currentScript;
    if (script && script.getAttribute("data-settle") === "on-load") {
        window.addEventListener("load", function () { whenSettled(function () {}); });
    }
}());
