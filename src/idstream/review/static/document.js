// Document view of idstream review: boxes over the image, field actions, keyboard shortcuts.
"use strict";
(function () {
  const root = document.getElementById("review");
  const docId = root.dataset.id;
  const csrf = root.dataset.csrf;
  const canonical = root.dataset.canonical.split(",");
  const svg = document.getElementById("canvas");
  const image = document.getElementById("doc-image");
  const boxes = document.getElementById("boxes");
  const drawing = document.getElementById("drawing");
  const tbody = document.querySelector("#fields tbody");
  const message = document.getElementById("message");
  const hint = document.getElementById("hint");
  const base = "/api/documents/" + encodeURIComponent(docId);
  const NS = "http://www.w3.org/2000/svg";
  let doc = null;
  let selected = null;
  let drawMode = false;
  let drawStart = null;
  let drawnBox = null;

  function say(text) { message.textContent = text; }

  async function api(method, path, body) {
    const opts = { method: method, headers: { "X-CSRF-Token": csrf }, credentials: "same-origin" };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    const res = await fetch(path, opts);
    if (res.status === 401) { window.location = "/login?next=" + encodeURIComponent(location.pathname + location.search); throw new Error("login"); }
    const data = (res.headers.get("content-type") || "").includes("json") ? await res.json() : null;
    if (!res.ok) { say((data && data.detail ? JSON.stringify(data.detail) : res.statusText)); throw new Error(res.statusText); }
    return data;
  }

  function fmt(v) { return v === null || v === undefined ? "–" : Number(v).toFixed(2); }

  function polygonPoints(box) { return box.map(function (p) { return p[0] + "," + p[1]; }).join(" "); }

  function render() {
    tbody.textContent = "";
    boxes.textContent = "";
    doc.fields.forEach(function (f) {
      const tr = document.createElement("tr");
      tr.dataset.field = f.name;
      tr.className = "st-" + f.status + (f.name === selected ? " selected" : "");
      const cells = [f.name, f.value, f.raw, fmt(f.confidence), f.source];
      cells.forEach(function (text, i) {
        const td = document.createElement("td");
        td.textContent = text;
        td.className = ["name", "value", "raw", "conf num", "source"][i];
        if (i === 3 && f.confidence !== null && f.confidence < 0.8) td.classList.add("low");
        tr.appendChild(td);
      });
      const ops = document.createElement("td");
      ops.className = "ops";
      [["✔", "correct", "Correct (c)"], ["✘", "wrong", "Wrong (w)"], ["✎", "edit", "Edit (e)"], ["Del", "delete", "Delete field (x)"]].forEach(function (b) {
        const btn = document.createElement("button");
        btn.type = "button"; btn.textContent = b[0]; btn.title = b[2]; btn.dataset.op = b[1];
        ops.appendChild(btn);
      });
      tr.appendChild(ops);
      tbody.appendChild(tr);
      if (f.box) {
        const poly = document.createElementNS(NS, "polygon");
        poly.setAttribute("points", polygonPoints(f.box));
        poly.setAttribute("class", "box st-" + f.status + (f.name === selected ? " selected" : ""));
        poly.dataset.field = f.name;
        const title = document.createElementNS(NS, "title");
        title.textContent = f.name;
        poly.appendChild(title);
        boxes.appendChild(poly);
      }
    });
    const present = new Set(doc.fields.filter(function (f) { return f.status !== "deleted"; }).map(function (f) { return f.name; }));
    const sel = document.getElementById("fill-name");
    const keep = sel.value;
    sel.textContent = "";
    canonical.filter(function (n) { return !present.has(n); }).forEach(function (n) {
      const o = document.createElement("option"); o.value = n; o.textContent = n; sel.appendChild(o);
    });
    if (keep) sel.value = keep;
    const checks = document.getElementById("checks");
    checks.textContent = "";
    doc.checks.forEach(function (c) {
      const li = document.createElement("li");
      li.className = "check-" + c.status;
      li.textContent = c.name + (c.detail ? ": " + c.detail : "") + (c.fields.length ? " (" + c.fields.join(", ") + ")" : "");
      checks.appendChild(li);
    });
    const status = document.getElementById("doc-status");
    status.textContent = doc.status.replace("_", " ");
    status.className = "status s-" + doc.status;
  }

  function select(name) {
    selected = name;
    document.querySelectorAll("[data-field]").forEach(function (el) {
      el.classList.toggle("selected", el.dataset.field === name);
    });
    const row = tbody.querySelector('tr[data-field="' + CSS.escape(name) + '"]');
    if (row) row.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    if (!doc.fields.length) return;
    const names = doc.fields.map(function (f) { return f.name; });
    const i = names.indexOf(selected);
    select(names[(i + step + names.length) % names.length]);
  }

  async function load() {
    doc = await api("GET", base);
    render();
    if (!selected && doc.fields.length) select(doc.fields[0].name);
  }

  function loadImage() {
    if (!document.getElementById("canvas")) return;
    const img = new Image();
    img.onload = function () {
      svg.setAttribute("viewBox", "0 0 " + img.naturalWidth + " " + img.naturalHeight);
      image.setAttribute("width", img.naturalWidth);
      image.setAttribute("height", img.naturalHeight);
      image.setAttribute("href", img.src);
      svg.dataset.loaded = "1";
    };
    img.onerror = function () { hint.textContent = "The image is not available."; svg.setAttribute("viewBox", "0 0 800 500"); };
    img.src = base + "/image";
  }

  async function fieldOp(op, name) {
    if (!name) return;
    const path = base + "/fields/" + encodeURIComponent(name);
    if (op === "correct" || op === "wrong") {
      await api("POST", path + "/mark", { correct: op === "correct" });
      await load();
      say(name + " marked " + op);
      if (op === "correct") move(1);
    } else if (op === "delete") {
      await api("DELETE", path);
      await load();
      say(name + " deleted");
    } else if (op === "edit") {
      edit(name);
    }
  }

  function edit(name) {
    const row = tbody.querySelector('tr[data-field="' + CSS.escape(name) + '"]');
    const f = doc.fields.find(function (x) { return x.name === name; });
    if (!row || !f) return;
    const valueCell = row.querySelector("td.value");
    const rawCell = row.querySelector("td.raw");
    const value = document.createElement("input");
    value.value = f.value; value.name = "value"; value.setAttribute("aria-label", "value of " + name);
    const raw = document.createElement("input");
    raw.value = f.raw; raw.name = "raw"; raw.setAttribute("aria-label", "printed text of " + name);
    valueCell.textContent = ""; valueCell.appendChild(value);
    rawCell.textContent = ""; rawCell.appendChild(raw);
    value.focus(); value.select();
    const rawBefore = f.raw;
    async function save() {
      const body = { value: value.value };
      if (raw.value !== rawBefore) body.raw = raw.value; else if (f.raw === f.value) body.raw = null;
      else body.raw = raw.value;
      await api("PUT", base + "/fields/" + encodeURIComponent(name), body);
      await load();
      say(name + " corrected");
    }
    [value, raw].forEach(function (input) {
      input.addEventListener("keydown", function (ev) {
        ev.stopPropagation();
        if (ev.key === "Enter") { ev.preventDefault(); save(); }
        if (ev.key === "Escape") { render(); }
      });
    });
  }

  function queueParams() { return new URLSearchParams(location.search); }

  async function goNext() {
    const params = queueParams();
    params.set("exclude", docId);
    const res = await api("GET", "/api/next?" + params.toString());
    const q = queueParams().toString();
    if (res.next) window.location = "/documents/" + encodeURIComponent(res.next) + (q ? "?" + q : "");
    else window.location = "/queue" + (q ? "?" + q : "");
  }

  async function decide(action) {
    if (action === "delete") {
      if (!window.confirm("Delete the image and every extracted value of this document?")) return;
      await api("DELETE", base);
    } else {
      await api("POST", base + "/" + action);
    }
    say("document " + action + (action === "delete" ? "d" : "ed"));
    await goNext();
  }

  function toImage(ev) {
    const pt = svg.createSVGPoint();
    pt.x = ev.clientX; pt.y = ev.clientY;
    return pt.matrixTransform(svg.getScreenCTM().inverse());
  }

  function startDraw() {
    if (!document.getElementById("fill-name").value) { say("no missing field to fill"); return; }
    drawMode = true; drawnBox = null;
    hint.textContent = "Drag a rectangle around " + document.getElementById("fill-name").value + " on the image (Esc cancels).";
  }

  svg.addEventListener("mousedown", function (ev) {
    if (!drawMode) return;
    ev.preventDefault();
    drawStart = toImage(ev);
    drawing.setAttribute("visibility", "visible");
  });
  svg.addEventListener("mousemove", function (ev) {
    if (!drawMode || !drawStart) return;
    const p = toImage(ev);
    drawing.setAttribute("x", Math.min(p.x, drawStart.x)); drawing.setAttribute("y", Math.min(p.y, drawStart.y));
    drawing.setAttribute("width", Math.abs(p.x - drawStart.x)); drawing.setAttribute("height", Math.abs(p.y - drawStart.y));
  });
  svg.addEventListener("mouseup", function (ev) {
    if (!drawMode || !drawStart) return;
    const p = toImage(ev);
    const x0 = Math.min(p.x, drawStart.x), y0 = Math.min(p.y, drawStart.y);
    const x1 = Math.max(p.x, drawStart.x), y1 = Math.max(p.y, drawStart.y);
    drawStart = null; drawMode = false;
    if (x1 - x0 < 3 || y1 - y0 < 3) { drawing.setAttribute("visibility", "hidden"); hint.textContent = "Box too small; draw again (f)."; return; }
    drawnBox = [[x0, y0], [x1, y0], [x1, y1], [x0, y1]].map(function (q) { return [Math.round(q[0] * 10) / 10, Math.round(q[1] * 10) / 10]; });
    hint.textContent = "Box drawn; type the value and press Enter.";
    document.getElementById("fill-value").focus();
  });

  boxes.addEventListener("click", function (ev) {
    if (drawMode) return;
    const el = ev.target.closest("[data-field]");
    if (el) select(el.dataset.field);
  });
  tbody.addEventListener("click", function (ev) {
    const row = ev.target.closest("tr[data-field]");
    if (!row) return;
    const btn = ev.target.closest("button[data-op]");
    if (ev.target.tagName === "INPUT") return;
    select(row.dataset.field);
    if (btn) fieldOp(btn.dataset.op, row.dataset.field);
  });

  document.getElementById("fill-draw").addEventListener("click", startDraw);
  document.getElementById("fill").addEventListener("submit", async function (ev) {
    ev.preventDefault();
    const name = document.getElementById("fill-name").value;
    const value = document.getElementById("fill-value").value.trim();
    if (!drawnBox) { say("draw the field's box first (f)"); return; }
    if (!value) { say("type the value"); return; }
    const raw = document.getElementById("fill-raw").value.trim();
    await api("POST", base + "/fields", { name: name, value: value, raw: raw || null, box: drawnBox });
    drawnBox = null; drawing.setAttribute("visibility", "hidden");
    document.getElementById("fill-value").value = ""; document.getElementById("fill-raw").value = "";
    hint.textContent = "";
    await load();
    select(name);
    say(name + " added");
  });
  ["fill-value", "fill-raw"].forEach(function (id) {
    document.getElementById(id).addEventListener("keydown", function (ev) { ev.stopPropagation(); });
  });

  document.getElementById("approve").addEventListener("click", function () { decide("approve"); });
  document.getElementById("reject").addEventListener("click", function () { decide("reject"); });
  document.getElementById("next").addEventListener("click", goNext);
  const del = document.getElementById("delete-doc");
  if (del) del.addEventListener("click", function () { decide("delete"); });

  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.target.tagName === "INPUT" || ev.target.tagName === "SELECT" || ev.target.tagName === "TEXTAREA") return;
    const keys = {
      j: function () { move(1); }, ArrowDown: function () { move(1); },
      k: function () { move(-1); }, ArrowUp: function () { move(-1); },
      c: function () { fieldOp("correct", selected); }, w: function () { fieldOp("wrong", selected); },
      e: function () { fieldOp("edit", selected); }, x: function () { fieldOp("delete", selected); },
      f: startDraw, a: function () { decide("approve"); }, r: function () { decide("reject"); }, n: goNext,
      D: function () { if (del) decide("delete"); },
      Escape: function () { drawMode = false; drawStart = null; drawing.setAttribute("visibility", "hidden"); hint.textContent = ""; render(); },
    };
    const fn = keys[ev.key];
    if (fn) { ev.preventDefault(); fn(); }
  });

  loadImage();
  load();
}());
