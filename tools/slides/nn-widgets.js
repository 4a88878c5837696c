/* Stored ipywidgets on a page without a kernel (the static decks and the course site):
   nnWidgets.whenSettled(then) calls then() once every stored widget view has rendered, or
   after a wait (30 s; the page's query parameter widget-wait=MS changes it) with each view
   that has not rendered shown as a sentence (p.widget-fallback) instead of an empty box;
   window.widgetsSettled is then true. The decks' template (tools/slides/templates/nnslides)
   starts reveal.js through it in print mode; on the site (site/conf.py) the script tag's
   data-settle="on-load" starts it when the page has loaded. */
(function () {
    var VIEWS = 'script[type="application/vnd.jupyter.widget-view+json"]';
    var FALLBACK = "This widget did not load here: open the lecture in JupyterLab or Colab " +
        "to use it. The slide before shows the same idea as a figure.";
    var WAIT_MS = Number((/[?&]widget-wait=(\d+)/.exec(window.location.search) || [])[1]
                         || 30000);

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
            window.widgetsSettled = true;
            then();
        })();
    }

    window.nnWidgets = {whenSettled: whenSettled};
    var script = document.currentScript;
    if (script && script.getAttribute("data-settle") === "on-load") {
        window.addEventListener("load", function () { whenSettled(function () {}); });
    }
}());
