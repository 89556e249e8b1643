/* The timeline view: a time axis, a network (actors linked by shared events, or actors and
 * events), a timeline list, details and a sortable table, all linked, with search, filters, a
 * play control and deep links (#event=ID, #actor=ID; ?embed or #embed hides the controls).
 * Curated text is only ever set with textContent (see el() and svg()); nothing from the data is
 * parsed as HTML, and the vis-network `title` tooltips (an HTML sink) are not used: our own
 * tooltip is built from DOM nodes. window.timelineView exposes the state for tests and for the
 * curious. */
(function () {
  "use strict";

  var timings = {start: performance.now()};
  var data = JSON.parse(document.getElementById("timeline-data").textContent);
  var net = JSON.parse(document.getElementById("network-data").textContent);
  var actors = data.actors, events = data.events;
  var SVGNS = "http://www.w3.org/2000/svg";

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVGNS, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = String(text);
    return e;
  }
  function fold(s) {
    return String(s).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }
  function plural(n, word) { return n.toLocaleString("en") + " " + word + (n === 1 ? "" : "s"); }
  function slug(id) { return id.slice(id.indexOf(":") + 1); }

  // --- the address: deep links and embedding ---------------------------------------------------
  function hashParams() {
    var out = {};
    location.hash.slice(1).split("&").forEach(function (part) {
      if (!part) return;
      var k = part.indexOf("=");
      try {
        if (k < 0) out[decodeURIComponent(part)] = true;
        else out[decodeURIComponent(part.slice(0, k))] = decodeURIComponent(part.slice(k + 1));
      } catch (err) { /* a malformed escape: ignore that part */ }
    });
    return out;
  }
  var embedded = /(^|&)embed(=|&|$)/.test(location.search.slice(1)) || hashParams().embed === true;
  if (embedded) document.body.classList.add("embed");
  function setAddress(kind, id) {
    var hash = kind ? kind + "=" + encodeURIComponent(slug(id)) : "";
    if (embedded) hash += (hash ? "&" : "") + "embed";
    var url = location.href.split("#")[0] + (hash ? "#" + hash : "");
    if (url !== location.href) history.replaceState(null, "", url);
  }

  document.title = data.title;
  document.getElementById("title").textContent = data.title;
  if (data.description) {
    var description = document.getElementById("description");
    description.textContent = data.description;
    description.hidden = false;
  }
  if (data.notice) {
    var notice = document.getElementById("notice");
    notice.textContent = data.notice;
    notice.hidden = false;
  }

  // --- indexes ---------------------------------------------------------------------------------
  var byNode = {};          // network node id -> {kind: "actor"|"event"|"bin", index}
  var actorById = {}, eventById = {};
  actors.forEach(function (a, i) {
    actorById[slug(a.id)] = i;
    if (a.node) byNode[a.node] = {kind: "actor", index: i};
  });
  events.forEach(function (e, i) {
    eventById[slug(e.id)] = i;
    if (e.node === e.id) byNode[e.node] = {kind: "event", index: i};
  });
  data.bins.forEach(function (b, i) { byNode[b.id] = {kind: "bin", index: i}; });

  // --- details cards (tooltip and panel), built from DOM nodes only ----------------------------
  function value(v, approximate, unit) {
    if (v === null || v === undefined) return "";
    return (approximate ? "~" : "") + v + (unit ? " " + unit : "");
  }
  function claimItem(ci) {
    var c = data.claims[ci];
    var li = el("li");
    if (c.disputed) li.appendChild(el("span", "disputed", "⚠ disputed: "));
    li.appendChild(el("span", null, "“" + c.statement + "”"));
    var v = value(c.value, c.approximate, c.unit);
    li.appendChild(el("span", "meta",
      " — " + c.claimedBy + (v ? " claims " + v : "") + (c.date ? " (" + c.date + ")" : "")));
    if (c.verifications.length) {
      var ul = el("ul");
      c.verifications.forEach(function (ver) {
        var vi = el("li", ver.differs ? "differs" : null);
        var vv = value(ver.value, ver.approximate, c.unit);
        vi.textContent = ver.by + ": " + (vv ? vv + " — " : "") + ver.verdict +
          (ver.date ? " (" + ver.date + ")" : "") + (ver.differs ? " ≠ differs from the claim" : "");
        if (ver.note) vi.appendChild(el("span", "meta", " " + ver.note));
        ul.appendChild(vi);
      });
      li.appendChild(ul);
    }
    return li;
  }
  function section(card, label, items) {
    if (!items.length) return;
    card.appendChild(el("p", "label", label));
    var ul = el("ul");
    items.forEach(function (i) { ul.appendChild(i); });
    card.appendChild(ul);
  }
  function participantText(p) {
    return p[1] + ": " + actors[p[0]].name +
      (p[2] && p[1] !== "mentioned" ? " (also named in the text)" : "");
  }
  function when(e) {
    var text = e.unknown || e.open ? e.label :
      e.label + " · " + e.precision + " precision" + (e.approximate ? ", approximate" : "");
    if (e.asStated) text += " · stated as “" + e.asStated + "”";
    return text;
  }
  function eventCard(i) {
    var e = events[i], card = el("div", "card");
    card.appendChild(el("h3", null, (e.disputed ? "⚠ " : "") + e.title));
    card.appendChild(el("p", "meta", when(e)));
    card.appendChild(el("p", "meta", e.type + (e.status !== "occurred" ? " · " + e.status : "")));
    if (e.dateNote) card.appendChild(el("p", "meta", e.dateNote));
    card.appendChild(el("p", null, e.summary));
    mediaBlock(card, e.media);
    // a draft (from timeline extract) says what a person must still check
    section(card, "Draft: to check", (e.review || []).map(function (r) { return el("li", null, r); }));
    section(card, "Participants", e.participants.map(function (p) {
      return el("li", null, participantText(p));
    }));
    section(card, "Quotes", e.quotes.map(function (q) {
      return el("li", null, "“" + q.text + "”" + (q.speaker ? " — " + q.speaker : "") +
        (q.paraphrase ? " (paraphrase)" : ""));
    }));
    section(card, "Claims", e.claims.map(claimItem));
    section(card, "Sources", e.sources.map(sourceItem));
    return card;
  }
  // Local images come embedded (data: URIs); anything on the web is a link, never loaded.
  function mediaBlock(card, media) {
    (media || []).forEach(function (m) {
      var fig = el("figure", "media");
      if (m.src && /^data:image\//.test(m.src)) {
        var img = el("img");
        img.src = m.src;
        img.alt = m.alt || "";
        fig.appendChild(img);
      } else if (m.url && /^https?:\/\//.test(m.url)) {
        var a = el("a", null, (m.image ? "Image: " : "Media: ") + (m.alt || m.caption || m.url));
        a.href = m.url;
        a.rel = "noopener noreferrer";
        a.target = "_blank";
        fig.appendChild(a);
      } else {
        fig.appendChild(el("span", "meta", "Image file " + m.file + " (not in this build)"));
      }
      var caption = [m.caption, m.credit ? "Credit: " + m.credit : null].filter(Boolean);
      if (caption.length) fig.appendChild(el("figcaption", "meta", caption.join(" · ")));
      card.appendChild(fig);
    });
  }
  function sourceItem(si) {
    var s = data.sources[si], li = el("li");
    li.appendChild(el("span", null, s.title));
    var meta = [s.publisher, s.published].filter(Boolean).join(", ");
    if (meta) li.appendChild(el("span", "meta", " — " + meta));
    if (s.url && /^https?:\/\//.test(s.url)) {
      var a = el("a", null, s.url);
      a.href = s.url;
      a.rel = "noopener noreferrer";
      a.target = "_blank";
      li.appendChild(el("br"));
      li.appendChild(a);
    }
    return li;
  }
  function eventList(card, indexes) {
    section(card, "Events", indexes.slice(0, 12).map(function (ei) {
      var e = events[ei];
      return el("li", e.disputed ? "disputed" : null, e.label + " — " + e.title);
    }));
    if (indexes.length > 12) card.appendChild(el("p", "meta", "… and " + (indexes.length - 12) +
      " more in the timeline"));
  }
  function actorCard(i) {
    var a = actors[i], card = el("div", "card");
    card.appendChild(el("h3", null, a.name));
    card.appendChild(el("p", "meta", a.kind + " · " + plural(a.events.length, "event")));
    if (a.aliases.length) card.appendChild(el("p", "meta", "also: " + a.aliases.join("; ")));
    if (a.description) card.appendChild(el("p", null, a.description));
    mediaBlock(card, a.media);
    section(card, "Draft: to check", (a.review || []).map(function (r) { return el("li", null, r); }));
    section(card, "Relations", a.relations.map(function (r) {
      return el("li", null, r[0] + " " + r[1]);
    }));
    section(card, "Claims", a.claims.map(claimItem));
    eventList(card, a.events);
    return card;
  }
  function binCard(i) {
    var b = data.bins[i], card = el("div", "card");
    card.appendChild(el("h3", null, plural(b.events.length, "event") + " · " + b.type + " · " +
      b.period));
    eventList(card, b.events);
    return card;
  }
  function pairCard(edge) {
    var card = el("div", "card");
    var shown = edge.events.filter(function (i) { return shownEvent[i]; });
    card.appendChild(el("h3", null, byNodeName(edge.from) + " and " + byNodeName(edge.to)));
    card.appendChild(el("p", "meta", plural(shown.length, "shared event")));
    eventList(card, shown);
    return card;
  }
  function byNodeName(nodeId) {
    var n = byNode[nodeId];
    return n && n.kind === "actor" ? actors[n.index].name : nodeId;
  }
  function card(nodeId) {
    var n = byNode[nodeId];
    if (!n) return null;
    if (n.kind === "actor") return actorCard(n.index);
    if (n.kind === "event") return eventCard(n.index);
    return binCard(n.index);
  }

  // --- the network: two modes, laid out once each ----------------------------------------------
  var container = document.getElementById("network");
  var network = new vis.Network(container, {}, net.options);
  var nodes = new vis.DataSet(), edges = new vis.DataSet();
  var mode = null, positions = {};
  var shownEvent = events.map(function () { return true; });
  var shownActor = actors.map(function () { return true; });
  var api = window.timelineView = {
    ready: false, network: network, nodes: nodes, edges: edges, data: data, mode: mode,
    selectEvent: selectEvent, selectActor: selectActor, apply: apply, search: search,
    setMode: setMode, overlaps: overlaps, step: step, buildTable: buildTable,
  };

  function setMode(m) {
    if (m === mode) return;
    if (mode) positions[mode] = network.getPositions();
    mode = api.mode = m;
    api.ready = false;
    document.body.removeAttribute("data-ready");
    tip.hidden = true;
    var spec = net[m], known = positions[m];
    nodes = api.nodes = new vis.DataSet(spec.nodes.map(function (n) {
      var copy = Object.assign({}, n);
      if (known && known[n.id]) { copy.x = known[n.id].x; copy.y = known[n.id].y; }
      return copy;
    }));
    edges = api.edges = new vis.DataSet(spec.edges.map(function (e, i) {
      return Object.assign({id: m + i}, e);
    }));
    var n = spec.nodes.length;
    network.setOptions({
      physics: {enabled: !known, stabilization: {iterations: n <= 150 ? 300 : 60}},
      // Kamada-Kawai seeding ("improvedLayout") is quadratic: keep it for small graphs only.
      layout: {improvedLayout: n <= 150},
      interaction: {hideEdgesOnDrag: n > 300},
    });
    document.querySelectorAll('#mode input').forEach(function (r) { r.checked = r.value === m; });
    apply();
    if (n && !known) network.once("stabilizationIterationsDone", settled);
    network.setData({nodes: nodes, edges: edges});
    if (!n || known) settled();
  }
  function settled() {
    // Physics has laid the graph out: stop it so nothing keeps moving (or burning CPU).
    timings.stabilized = timings.stabilized || performance.now();
    network.setOptions({physics: {enabled: false}});
    if (!positions[mode] && mode === "actors" && nodes.length <= 300) { stretch(); spread(); }
    network.fit({animation: false});
    timings.settled = timings.settled || performance.now();
    api.ready = true;
    document.body.setAttribute("data-ready", "true");
    followAddress();
  }
  // Labels are part of a node's bounding box: push apart the nodes whose boxes overlap, so
  // no label covers another at any zoom (label size scales with the drawing).
  function boxes() {
    network.redraw();
    var ids = nodes.getIds().filter(function (id) { return !nodes.get(id).hidden; });
    var pos = network.getPositions(ids);
    return ids.map(function (id) {
      var b = network.getBoundingBox(id), p = pos[id];
      return {id: id, x: p.x, y: p.y, l: p.x - b.left, r: b.right - p.x, t: p.y - b.top,
        b: b.bottom - p.y};
    });
  }
  function overlapOf(a, c, pad) {
    var ox = Math.min(a.x + a.r, c.x + c.r) - Math.max(a.x - a.l, c.x - c.l) + pad;
    var oy = Math.min(a.y + a.b, c.y + c.b) - Math.max(a.y - a.t, c.y - c.t) + pad;
    return ox > 0 && oy > 0 ? [ox, oy] : null;
  }
  // Force layouts come out round; the canvas is wide (or, on a phone, tall): stretch the
  // layout to the canvas's shape so the labels get the room there is.
  function stretch() {
    var pos = network.getPositions(), ids = Object.keys(pos);
    if (ids.length < 3) return;
    var xs = ids.map(function (id) { return pos[id].x; }), ys = ids.map(function (id) {
      return pos[id].y;
    });
    var w = Math.max.apply(null, xs) - Math.min.apply(null, xs);
    var h = Math.max.apply(null, ys) - Math.min.apply(null, ys);
    var want = container.clientWidth / Math.max(container.clientHeight, 1);
    if (!(w > 0 && h > 0 && want > 0)) return;
    var fx = Math.max(1, want / (w / h)), fy = Math.max(1, (w / h) / want);
    ids.forEach(function (id) { network.moveNode(id, pos[id].x * fx, pos[id].y * fy); });
  }
  function spread() {
    var bs = boxes();
    for (var round = 0; round < 400; round++) {
      var moved = false;
      for (var i = 0; i < bs.length; i++) {
        for (var j = i + 1; j < bs.length; j++) {
          var a = bs[i], c = bs[j], o = overlapOf(a, c, 10);
          if (!o) continue;
          moved = true;
          if (o[0] < o[1]) {
            var dx = (c.x >= a.x ? 1 : -1) * (o[0] / 2 + 0.5);
            a.x -= dx; c.x += dx;
          } else {
            var dy = (c.y >= a.y ? 1 : -1) * (o[1] / 2 + 0.5);
            a.y -= dy; c.y += dy;
          }
        }
      }
      if (!moved) break;
    }
    bs.forEach(function (b) { network.moveNode(b.id, b.x, b.y); });
  }
  function overlaps() {
    var bs = boxes(), found = [];
    for (var i = 0; i < bs.length; i++) {
      for (var j = i + 1; j < bs.length; j++) {
        if (overlapOf(bs[i], bs[j], 0)) found.push([bs[i].id, bs[j].id]);
      }
    }
    return found;
  }

  var tip = document.getElementById("tooltip"), pointer = {x: 0, y: 0};
  container.addEventListener("mousemove", function (ev) { pointer = {x: ev.clientX, y: ev.clientY}; });
  function showTip(c) {
    if (!c) return;
    tip.replaceChildren(c);
    tip.hidden = false;
    var x = pointer.x + 14, y = pointer.y + 14;
    tip.style.left = Math.max(0, Math.min(x, window.innerWidth - tip.offsetWidth - 4)) + "px";
    tip.style.top = Math.max(0, Math.min(y, window.innerHeight - tip.offsetHeight - 4)) + "px";
  }
  network.on("hoverNode", function (p) {
    if (p.event && p.event.clientX !== undefined) pointer = {x: p.event.clientX, y: p.event.clientY};
    showTip(card(p.node));
  });
  network.on("hoverEdge", function (p) {
    var e = edges.get(p.edge);
    if (e && e.events) showTip(pairCard(e));
  });
  network.on("blurNode", function () { tip.hidden = true; });
  network.on("blurEdge", function () { tip.hidden = true; });
  network.on("dragStart", function () { tip.hidden = true; });
  // vis-network sends no blurNode when the pointer leaves the canvas straight from a node.
  container.addEventListener("mouseleave", function () { tip.hidden = true; });

  // --- the timeline list -----------------------------------------------------------------------
  timings.network = performance.now();
  var list = document.getElementById("events");
  if (events.length > 500) list.classList.add("many");
  var rows = events.map(function (e, i) {
    var li = el("li");
    li.setAttribute("data-id", e.id);
    li.tabIndex = 0;
    li.style.borderLeftColor = data.typeColours[e.type];
    li.appendChild(el("time", null, e.label));
    var badge = el("span", "badge", e.type);
    badge.style.borderLeftColor = data.typeColours[e.type];
    li.appendChild(badge);
    if (e.status !== "occurred") li.appendChild(el("span", "status", e.status));
    if (e.review && e.review.length) li.appendChild(el("span", "status draft", "draft"));
    if (e.disputed) li.appendChild(el("span", "disputed", "⚠ "));
    li.appendChild(el("span", "title", e.title));
    li.addEventListener("click", function () { selectEvent(i); });
    li.addEventListener("keydown", function (ev) { keys(ev, i, true); });
    return li;
  });
  var frag = document.createDocumentFragment();
  rows.forEach(function (r) { frag.appendChild(r); });
  list.appendChild(frag);

  function visibleFrom(i, step) {
    for (var j = i + step; j >= 0 && j < events.length; j += step) {
      if (shownEvent[j]) return j;
    }
    return undefined;
  }
  // Enter or Space selects; the arrow keys, Home and End move through the shown events.
  function keys(ev, i, focusRow) {
    var target;
    if (ev.key === "Enter" || ev.key === " ") {
      ev.preventDefault();
      if (i !== undefined) selectEvent(i);
      return;
    }
    var from = i === undefined ? -1 : i;
    if (ev.key === "ArrowDown" || ev.key === "ArrowRight") target = visibleFrom(from, 1);
    else if (ev.key === "ArrowUp" || ev.key === "ArrowLeft") {
      target = visibleFrom(i === undefined ? events.length : i, -1);
    } else if (ev.key === "Home") target = visibleFrom(-1, 1);
    else if (ev.key === "End") target = visibleFrom(events.length, -1);
    else return;
    ev.preventDefault();
    if (target === undefined) return;
    selectEvent(target);
    if (focusRow) rows[target].focus();
  }

  var details = document.getElementById("details");
  function showDetails(nodeOrCard) {
    var c = typeof nodeOrCard === "string" ? card(nodeOrCard) : nodeOrCard;
    if (c) details.replaceChildren(c);
  }
  function highlight(indexes, selected) {
    rows.forEach(function (r) {
      r.classList.remove("hl");
      r.classList.remove("selected");
      r.removeAttribute("aria-current");
    });
    indexes.forEach(function (i) { rows[i].classList.add("hl"); });
    if (selected !== undefined) {
      rows[selected].classList.add("selected");
      rows[selected].setAttribute("aria-current", "true");
    }
    axis.mark(indexes, selected);
    api.highlighted = indexes.slice();
    var first = selected !== undefined ? selected : indexes.filter(function (i) {
      return !rows[i].hidden;
    })[0];
    if (first !== undefined) rows[first].scrollIntoView({block: "nearest"});
  }
  function drawnNode(id) {
    var n = id && nodes.get(id);
    return n && !n.hidden ? id : null;
  }
  function selectEvent(i) {
    var e = events[i];
    highlight([i], i);
    showDetails(eventCard(i));
    var node = drawnNode(e.node);
    if (node) {
      network.selectNodes([node]);
      network.focus(node, {scale: 1.2, animation: {duration: 300, easingFunction: "easeInOutQuad"}});
    } else {
      // The actor network has no event nodes: select the event's participants instead.
      var who = e.participants.map(function (p) { return drawnNode(actors[p[0]].node); })
        .filter(Boolean);
      network.selectNodes(who);
      if (who.length) network.fit({nodes: who, animation: false, maxZoomLevel: 1.3});
    }
    api.selectedEvent = i;
    api.selectedActor = undefined;
    setAddress("event", e.id);
  }
  function selectActor(i) {
    var a = actors[i], node = drawnNode(a.node);
    highlight(a.events);
    showDetails(actorCard(i));
    if (node) {
      network.selectNodes([node]);
      network.focus(node, {scale: 1.2, animation: false});
    }
    api.selectedActor = i;
    api.selectedEvent = undefined;
    setAddress("actor", a.id);
  }
  function eventsOfNode(nodeId) {
    var n = byNode[nodeId];
    if (!n) return [];
    if (n.kind === "actor") return actors[n.index].events;
    if (n.kind === "event") return [n.index];
    return data.bins[n.index].events;
  }
  network.on("selectNode", function (p) {
    var id = p.nodes[0], n = byNode[id];
    highlight(eventsOfNode(id), n && n.kind === "event" ? n.index : undefined);
    showDetails(id);
    if (n && n.kind === "actor") setAddress("actor", actors[n.index].id);
    else if (n && n.kind === "event") setAddress("event", events[n.index].id);
  });
  network.on("selectEdge", function (p) {
    if (p.nodes.length) return;
    var e = edges.get(p.edges[0]);
    if (!e || !e.events) return;
    highlight(e.events.filter(function (i) { return shownEvent[i]; }));
    showDetails(pairCard(e));
  });
  network.on("deselectNode", function () { highlight([]); setAddress(null); });

  function followAddress() {
    var h = hashParams();
    if (typeof h.event === "string" && eventById[h.event] !== undefined) {
      selectEvent(eventById[h.event]);
      rows[eventById[h.event]].focus({preventScroll: true});
    } else if (typeof h.actor === "string" && actorById[h.actor] !== undefined) {
      selectActor(actorById[h.actor]);
    }
  }
  window.addEventListener("hashchange", function () {
    if (hashParams().embed === true) {
      embedded = true;
      document.body.classList.add("embed");
    }
    followAddress();
  });

  // --- the time axis ---------------------------------------------------------------------------
  var axis = timeAxis(document.getElementById("axis"));

  function timeAxis(box) {
    var DAY = 864e5, MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(" ");
    function dayOf(iso) {
      var d = new Date(0);
      d.setUTCFullYear(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10));
      return Math.round(d.getTime() / DAY);
    }
    function dateOf(day) { return new Date(day * DAY); }
    function isoOf(day) {
      var d = dateOf(day), y = d.getUTCFullYear();
      return String(y).padStart(4, "0") + "-" + String(d.getUTCMonth() + 1).padStart(2, "0") +
        "-" + String(d.getUTCDate()).padStart(2, "0");
    }
    var spans = events.map(function (e) { return [dayOf(e.earliest), dayOf(e.latest) + 1]; });
    var background = {};
    (data.focus ? data.focus.background : []).forEach(function (i) { background[i] = true; });
    var compact = events.length > 600;
    var bars = [], marks = {}, state = {brush: null};
    var svgEl = null, scale = null, brushRect = null, width = 0;

    // A piecewise scale: the focus window takes most of the width, and the years before or
    // after it (background spans) are compressed behind a break in the axis.
    function makeScale(w) {
      var lo = Infinity, hi = -Infinity;
      spans.forEach(function (s) { lo = Math.min(lo, s[0]); hi = Math.max(hi, s[1]); });
      var f0 = data.focus ? dayOf(data.focus.first) : lo;
      var f1 = data.focus ? dayOf(data.focus.last) + 1 : hi;
      f0 = Math.max(f0, lo); f1 = Math.min(f1, hi);
      if (!(f1 > f0)) { f0 = lo; f1 = hi; }
      var focusDays = f1 - f0, segs = [];
      function side(d0, d1) {
        var days = d1 - d0, cap = Math.max(focusDays * 0.3, 1);
        if (days > 0) segs.push({d0: d0, d1: d1, w: Math.min(days, cap), broken: days > cap});
      }
      side(lo, f0);
      segs.push({d0: f0, d1: f1, w: focusDays, broken: false});
      side(f1, hi);
      var gap = 16, left = 12, right = 12, gaps = 0;
      segs.forEach(function (s) { if (s.broken) gaps++; });
      var total = segs.reduce(function (t, s) { return t + s.w; }, 0);
      var usable = Math.max(w - left - right - gaps * gap, 50), at = left;
      segs.forEach(function (s, k) {
        if (s.broken && k > 0) at += gap;
        s.x0 = at;
        s.x1 = at + usable * s.w / total;
        at = s.x1;
        if (s.broken && k === 0) at += gap;
      });
      function seg(day) {
        for (var k = 0; k < segs.length; k++) if (day < segs[k].d1) return segs[k];
        return segs[segs.length - 1];
      }
      function x(day) {
        var s = seg(day), t = (day - s.d0) / (s.d1 - s.d0);
        return s.x0 + Math.max(0, Math.min(1, t)) * (s.x1 - s.x0);
      }
      function day(px) {
        for (var k = 0; k < segs.length; k++) {
          var s = segs[k];
          if (px <= s.x1 || k === segs.length - 1) {
            var t = Math.max(0, Math.min(1, (px - s.x0) / (s.x1 - s.x0)));
            return Math.floor(s.d0 + t * (s.d1 - s.d0) + 1e-6);
          }
        }
        return hi;
      }
      return {x: x, day: day, segs: segs, lo: lo, hi: hi};
    }

    function ticks(s) {
      var ppd = (s.x1 - s.x0) / (s.d1 - s.d0), out = [];
      var units = [[1, "day"], [7, "week"], [30.5, "month"], [91.3, "quarter"], [365.25, "year"],
        [1826, "5y"], [3652, "10y"], [36525, "100y"]];
      var unit = units.filter(function (u) { return u[0] * ppd >= 56; })[0] || units[units.length - 1];
      var d = dateOf(s.d0), y = d.getUTCFullYear(), m = d.getUTCMonth();
      if (unit[1] === "day" || unit[1] === "week") {
        for (var t = s.d0; t < s.d1; t++) {
          var dt = dateOf(t);
          if (unit[1] === "day" || dt.getUTCDay() === 1) {
            out.push([t, dt.getUTCDate() + " " + MONTHS[dt.getUTCMonth()] +
              (dt.getUTCDate() <= 7 && dt.getUTCMonth() === 0 ? " " + dt.getUTCFullYear() : "")]);
          }
        }
      } else if (unit[1] === "month" || unit[1] === "quarter") {
        var stepM = unit[1] === "month" ? 1 : 3;
        for (var mm = m + (s.d0 === dayOf(isoOf(s.d0).slice(0, 8) + "01") ? 0 : 1); ; mm += stepM) {
          var md = new Date(0);
          md.setUTCFullYear(y + Math.floor(mm / 12), ((mm % 12) + 12) % 12, 1);
          var mday = Math.round(md.getTime() / DAY);
          if (mday >= s.d1) break;
          if (mday >= s.d0 && (stepM === 1 || md.getUTCMonth() % 3 === 0)) {
            out.push([mday, MONTHS[md.getUTCMonth()] + (md.getUTCMonth() === 0 || !out.length ?
              " " + md.getUTCFullYear() : "")]);
          }
        }
      } else {
        var stepY = {year: 1, "5y": 5, "10y": 10, "100y": 100}[unit[1]];
        for (var yy = Math.ceil(y / stepY) * stepY; ; yy += stepY) {
          var yd = new Date(0);
          yd.setUTCFullYear(yy, 0, 1);
          var yday = Math.round(yd.getTime() / DAY);
          if (yday >= s.d1) break;
          if (yday >= s.d0) out.push([yday, String(yy)]);
        }
      }
      return out;
    }

    function labelWidth(e) { return Math.min(e.title.length * 6.3, 280) + 8; }

    function draw() {
      width = Math.max(box.clientWidth, 300);
      scale = makeScale(width);
      var rowH = 18, barH = 12, top = 30;
      var lanes = [], maxLanes = 60, place = [];
      if (compact) columns();
      else spans.forEach(function (s, i) {
        var e = events[i], x0 = scale.x(s[0]), x1 = scale.x(s[1]);
        var minW = e.approximate || e.asStated || e.open || e.unknown ? 14 : 7;
        if (x1 - x0 < minW) { var mid = (x0 + x1) / 2; x0 = mid - minW / 2; x1 = mid + minW / 2; }
        // The label goes after the bar, else before it, else (a long span) inside it.
        var lw = compact ? 0 : labelWidth(e), where = "right";
        if (x1 + lw > width - 4) where = x0 - lw >= 2 ? "left" : "inside";
        var start = where === "left" ? x0 - lw : x0;
        var end = where === "right" ? x1 + lw : where === "left" ? x1 : Math.max(x1, x0 + lw);
        var lane = -1;
        for (var k = 0; k < lanes.length; k++) if (lanes[k] < start - 3) { lane = k; break; }
        if (lane < 0 && lanes.length < maxLanes) lane = lanes.length;
        if (lane < 0) {
          lane = lanes.indexOf(Math.min.apply(null, lanes));
          lw = 0;
        }
        lanes[lane] = Math.max(lanes[lane] || -Infinity, end);
        place.push({x0: x0, x1: x1, lane: lane, lw: lw, where: where});
      });
      var height = compact ? top + HIST + 6 : top + Math.max(lanes.length, 1) * rowH + 6;
      svgEl = svg("svg", {width: width, height: height, class: "axis-svg", "aria-hidden": "true"});
      var defs = svg("defs");
      var fades = {};
      data.types.forEach(function (t, k) {
        var g = svg("linearGradient", {id: "fade-" + k});
        [[0, 0.12], [0.3, 1], [0.7, 1], [1, 0.12]].forEach(function (st) {
          g.appendChild(svg("stop", {offset: st[0], "stop-color": data.typeColours[t],
            "stop-opacity": st[1]}));
        });
        defs.appendChild(g);
        fades[t] = "url(#fade-" + k + ")";
      });
      svgEl.appendChild(defs);
      svgEl.appendChild(svg("rect", {class: "axis-bg", x: 0, y: 0, width: width, height: height}));
      // the scale, its ticks, and a break mark where years are compressed
      scale.segs.forEach(function (s, k) {
        if (s.broken) svgEl.appendChild(svg("rect", {class: "compressed", x: s.x0, y: top - 4,
          width: s.x1 - s.x0, height: height - top + 4}));
        svgEl.appendChild(svg("line", {class: "axis-line", x1: s.x0, x2: s.x1, y1: 22, y2: 22}));
        ticks(s).forEach(function (t) {
          var tx = scale.x(t[0]);
          svgEl.appendChild(svg("line", {class: "tick", x1: tx, x2: tx, y1: 18, y2: height}));
          svgEl.appendChild(svg("text", {class: "tick-label", x: tx + 2, y: 14}, t[1]));
        });
        if (s.broken) {
          var bx = k === 0 ? s.x1 + 8 : s.x0 - 8;
          svgEl.appendChild(svg("path", {class: "break",
            d: "M" + (bx - 5) + " 28 L" + (bx - 1) + " 16 M" + (bx + 1) + " 28 L" + (bx + 5) + " 16"}));
        }
      });
      brushRect = svg("rect", {class: "brush", x: 0, y: top - 6, width: 0, height: height - top + 6});
      svgEl.appendChild(brushRect);
      bars = place.map(function (p, i) {
        var e = events[i], y = top + p.lane * rowH;
        var g = svg("g", {class: "ev" + (background[i] ? " background" : "") +
          (e.precision !== "day" ? " coarse" : "") +
          (e.status !== "occurred" ? " status-" + e.status : "") + (e.disputed ? " disputed" : ""),
          "data-i": i});
        var uncertain = e.approximate || Boolean(e.asStated || e.open || e.unknown);
        g.appendChild(svg("rect", {class: "bar", x: p.x0, y: y, width: p.x1 - p.x0, height: barH,
          rx: compact ? 1 : 3, fill: uncertain ? fades[e.type] : data.typeColours[e.type],
          stroke: data.typeColours[e.type]}));
        if (p.lw) {
          var title = e.title.length > 44 ? e.title.slice(0, 42) + "…" : e.title;
          g.appendChild(svg("text", {class: "ev-label " + p.where,
            x: p.where === "left" ? p.x0 - 4 : p.where === "right" ? p.x1 + 4 : p.x0 + 6,
            y: y + barH - 2, "text-anchor": p.where === "left" ? "end" : "start"},
          (e.status !== "occurred" ? e.status + ": " : "") + title));
        }
        g.appendChild(svg("title", {}, e.label + " — " + e.title));
        return g;
      });
      var layer = svg("g", {class: "bars"});
      bars.forEach(function (g) { layer.appendChild(g); });
      svgEl.appendChild(layer);
      if (compact) {
        hist = svg("g", {class: "hist"});
        selLine = svg("line", {class: "sel-line", x1: 0, x2: 0, y1: top - 6, y2: height});
        svgEl.appendChild(hist);
        svgEl.appendChild(selLine);
      }
      box.replaceChildren(svgEl);
      paint();
    }

    // Many events: a histogram of 3-pixel columns stacked by type, counting the events shown
    // (against a fixed scale, so playing through time shows the counts grow).
    var HIST = 110, COL = 3, cols = [], colMax = 1, hist = null, selLine = null;
    function columns() {
      cols = [];
      spans.forEach(function (s, i) {
        var c = Math.floor(scale.x((s[0] + s[1]) / 2) / COL);
        (cols[c] = cols[c] || []).push(i);
      });
      colMax = 1;
      cols.forEach(function (c) { colMax = Math.max(colMax, c.length); });
    }
    function paintColumns() {
      // one path per type: a few long attributes, not thousands of elements
      var f = document.createDocumentFragment(), bottom = 30 + HIST, paths = {};
      var base = [];
      data.types.forEach(function (t) {
        paths[t] = [];
      });
      cols.forEach(function (members, c) {
        if (!members) return;
        var counts = {};
        members.forEach(function (i) {
          if (shownEvent[i]) counts[events[i].type] = (counts[events[i].type] || 0) + 1;
        });
        base[c] = bottom;
        data.types.forEach(function (t) {
          if (!counts[t]) return;
          var h = counts[t] / colMax * HIST;
          base[c] -= h;
          paths[t].push("M" + c * COL + " " + base[c].toFixed(1) + "h" + (COL - 0.5) + "v" +
            h.toFixed(1) + "h-" + (COL - 0.5) + "z");
        });
      });
      data.types.forEach(function (t) {
        if (paths[t].length) {
          f.appendChild(svg("path", {class: "col", d: paths[t].join(""), fill: data.typeColours[t]}));
        }
      });
      // transparent columns to click on
      cols.forEach(function (members, c) {
        if (members) f.appendChild(svg("rect", {class: "col hit", x: c * COL, y: 30, width: COL,
          height: HIST, "data-c": c}));
      });
      hist.replaceChildren(f);
      var sel = marks.selected;
      if (sel !== undefined) {
        var sx = scale.x((spans[sel][0] + spans[sel][1]) / 2);
        selLine.setAttribute("x1", sx);
        selLine.setAttribute("x2", sx);
      }
      selLine.setAttribute("visibility", sel === undefined ? "hidden" : "visible");
    }

    function paint() {
      if (compact) paintColumns();
      bars.forEach(function (g, i) {
        g.classList.toggle("off", !shownEvent[i]);
        g.classList.toggle("hl", Boolean(marks.hl && marks.hl[i]));
        g.classList.toggle("selected", marks.selected === i);
      });
      var lo = from.value ? dayOf(from.value) : null, hi = to.value ? dayOf(to.value) + 1 : null;
      if (lo === null && hi === null) {
        brushRect.setAttribute("width", 0);
      } else {
        var x0 = lo === null ? scale.segs[0].x0 : scale.x(lo);
        var x1 = hi === null ? scale.segs[scale.segs.length - 1].x1 : scale.x(hi);
        brushRect.setAttribute("x", x0);
        brushRect.setAttribute("width", Math.max(x1 - x0, 1));
      }
    }

    // Brushing: drag across the axis to choose a window; a click on empty space clears it.
    var drag = null;
    function localX(ev) { return ev.clientX - svgEl.getBoundingClientRect().left; }
    box.addEventListener("pointerdown", function (ev) {
      if (!svgEl || ev.button !== 0) return;
      var bar = ev.target.closest && ev.target.closest("g.ev, rect.hit");
      if (bar) return;
      drag = {x: localX(ev), moved: false};
      box.setPointerCapture(ev.pointerId);
      ev.preventDefault();
    });
    box.addEventListener("pointermove", function (ev) {
      if (!drag) return;
      var x = localX(ev);
      if (Math.abs(x - drag.x) > 3) drag.moved = true;
      brushRect.setAttribute("x", Math.min(x, drag.x));
      brushRect.setAttribute("width", Math.abs(x - drag.x));
    });
    box.addEventListener("pointerup", function (ev) {
      if (!drag) return;
      var x = localX(ev), d = drag;
      drag = null;
      stopPlay();
      if (!d.moved) { from.value = to.value = ""; apply(); return; }
      var a = scale.day(Math.min(x, d.x)), b = scale.day(Math.max(x, d.x) - 0.01);
      from.value = isoOf(a);
      to.value = isoOf(Math.max(a, b));
      apply();
    });
    box.addEventListener("click", function (ev) {
      var bar = ev.target.closest && ev.target.closest("g.ev");
      if (bar) selectEvent(+bar.getAttribute("data-i"));
      var col = ev.target.closest && ev.target.closest("rect.hit");
      if (col) {
        var first = cols[+col.getAttribute("data-c")].filter(function (i) { return shownEvent[i]; })[0];
        if (first !== undefined) selectEvent(first);
      }
    });
    box.addEventListener("keydown", function (ev) {
      keys(ev, api.selectedEvent, false);
    });
    var resizing = null;
    window.addEventListener("resize", function () {
      clearTimeout(resizing);
      resizing = setTimeout(function () { if (box.clientWidth !== width) draw(); }, 150);
    });

    return {
      draw: draw,
      paint: function () { if (svgEl) paint(); },
      mark: function (indexes, selected) {
        marks = {hl: {}, selected: selected};
        indexes.forEach(function (i) { marks.hl[i] = true; });
        if (svgEl) paint();
        if (selected !== undefined && bars[selected]) {
          var r = bars[selected].getBBox ? bars[selected].getBBox() : null;
          if (r && (r.y < box.scrollTop || r.y + r.height > box.scrollTop + box.clientHeight)) {
            box.scrollTop = Math.max(0, r.y - 30);
          }
        }
      },
      dayOf: dayOf, isoOf: isoOf, state: state,
      x: function (iso) { return scale.x(dayOf(iso)); },
      bar: function (i) { return bars[i]; },
    };
  }

  // --- filters and search ----------------------------------------------------------------------
  function glyph(shape, colour) {
    var s = svg("svg", {width: 14, height: 14, viewBox: "0 0 14 14", class: "glyph",
      "aria-hidden": "true"});
    var attrs = {fill: colour, stroke: "#333", "stroke-width": 1};
    var shapes = {
      dot: ["circle", {cx: 7, cy: 7, r: 5.5}],
      square: ["rect", {x: 1.5, y: 1.5, width: 11, height: 11}],
      triangle: ["polygon", {points: "7,1 13,12.5 1,12.5"}],
      triangleDown: ["polygon", {points: "1,1.5 13,1.5 7,13"}],
      hexagon: ["polygon", {points: "7,1 12.5,4 12.5,10 7,13 1.5,10 1.5,4"}],
      star: ["polygon", {points: "7,0.5 8.8,5 13.5,5.2 9.8,8.2 11,13 7,10.3 3,13 4.2,8.2 0.5,5.2 5.2,5"}],
      diamond: ["polygon", {points: "7,0.5 13.5,7 7,13.5 0.5,7"}],
      line: ["rect", {x: 0, y: 5, width: 14, height: 4, stroke: "none"}],
    };
    var sh = shapes[shape] || shapes.dot;
    s.appendChild(svg(sh[0], Object.assign({}, attrs, sh[1])));
    return s;
  }
  function checkbox(field, value, label, mark) {
    var wrap = el("label"), box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.value = value;
    box.addEventListener("change", function () { stopPlay(); apply(); });
    wrap.appendChild(box);
    if (mark) wrap.appendChild(mark);
    wrap.appendChild(document.createTextNode(label));
    field.appendChild(wrap);
    return box;
  }
  var kindField = document.getElementById("kinds"), typeField = document.getElementById("types");
  var kindBoxes = data.kinds.map(function (k) {
    var st = data.kindStyles[k];
    return checkbox(kindField, k, k, glyph(st.shape, st.colour));
  });
  var typeBoxes = data.types.map(function (t) {
    return checkbox(typeField, t, t, glyph("dot", data.typeColours[t]));
  });
  var sourceBoxes = data.sources.map(function (s, i) {
    return checkbox(document.getElementById("sources"), String(i),
      s.title + (s.publisher ? " (" + s.publisher + ")" : ""));
  });
  var from = document.getElementById("date-from"), to = document.getElementById("date-to");
  if (events.length) {
    from.min = to.min = events[0].earliest;
    from.max = to.max = events.reduce(function (m, e) { return e.latest > m ? e.latest : m; }, "");
  }
  [from, to].forEach(function (input) {
    input.addEventListener("change", function () { stopPlay(); apply(); });
    input.addEventListener("input", function () { stopPlay(); apply(); });
  });
  document.getElementById("reset").addEventListener("click", function () {
    kindBoxes.concat(typeBoxes, sourceBoxes).forEach(function (b) { b.checked = true; });
    from.value = to.value = "";
    stopPlay();
    apply();
  });

  function apply() {
    var kinds = {}, types = {}, srcs = {};
    kindBoxes.forEach(function (b) { kinds[b.value] = b.checked; });
    typeBoxes.forEach(function (b) { types[b.value] = b.checked; });
    sourceBoxes.forEach(function (b) { srcs[b.value] = b.checked; });
    var lo = from.value, hi = to.value, dated = Boolean(lo || hi);
    // ISO dates compare correctly as strings; a partial date is kept if any of its days is inside.
    shownEvent = events.map(function (e) {
      return types[e.type] && (!lo || e.latest >= lo) && (!hi || e.earliest <= hi) &&
        (!e.sources.length || e.sources.some(function (s) { return srcs[s]; }));
    });
    shownActor = actors.map(function (a) {
      if (!kinds[a.kind]) return false;
      if (!a.events.length) return !dated;
      return a.events.some(function (i) { return shownEvent[i]; });
    });
    var hidden = {};
    actors.forEach(function (a, i) { if (a.node) hidden[a.node] = !shownActor[i]; });
    events.forEach(function (e, i) {
      if (e.node === e.id) hidden[e.node] = !shownEvent[i];
    });
    data.bins.forEach(function (b) {
      hidden[b.id] = !b.events.some(function (i) { return shownEvent[i]; });
    });
    var nodeUpdates = [];
    nodes.forEach(function (n) {
      if (Boolean(n.hidden) !== hidden[n.id]) nodeUpdates.push({id: n.id, hidden: hidden[n.id]});
    });
    nodes.update(nodeUpdates);
    var edgeUpdates = [];
    edges.forEach(function (e) {
      var h = Boolean(hidden[e.from] || hidden[e.to]), update = {id: e.id};
      if (e.events) {
        // A shared-events edge counts only the events shown: it grows as time plays.
        var n = e.events.filter(function (i) { return shownEvent[i]; }).length;
        h = h || n === 0;
        if (n && n !== e.value) update.value = n;
      }
      if (Boolean(e.hidden) !== h) update.hidden = h;
      if (Object.keys(update).length > 1) edgeUpdates.push(update);
    });
    edges.update(edgeUpdates);
    rows.forEach(function (r, i) { r.hidden = !shownEvent[i]; });
    if (chronology.built) chronology.items.forEach(function (c, i) { c.hidden = !shownEvent[i]; });
    if (table.built) table.filter();
    if (axis) axis.paint();
    var ne = shownEvent.filter(Boolean).length, na = shownActor.filter(Boolean).length;
    api.shownEvents = ne;
    api.shownActors = na;
    document.getElementById("status").textContent = "Showing " + ne.toLocaleString("en") + " of " +
      plural(events.length, "event") + " and " + na.toLocaleString("en") + " of " +
      plural(actors.length, "actor") + ".";
    var off = kindBoxes.concat(typeBoxes, sourceBoxes).filter(function (b) {
      return !b.checked;
    }).length;
    var parts = [];
    if (off) parts.push(off + " unticked");
    if (lo) parts.push("from " + lo);
    if (hi) parts.push("to " + hi);
    document.getElementById("filter-summary").textContent = parts.length ?
      "(" + parts.join(", ") + ")" : "(none)";
  }

  var searchBox = document.getElementById("search");
  var searchStatus = document.getElementById("search-status");
  function search(query) {
    var q = fold(query);
    if (q.length < 2) {
      searchStatus.textContent = "";
      api.matches = [];
      return [];
    }
    var found = [];
    actors.forEach(function (a, i) {
      var names = [a.name].concat(a.aliases);
      if (names.some(function (n) { return fold(n).indexOf(q) >= 0; })) found.push(i);
    });
    api.matches = found.map(function (i) { return actors[i].id; });
    var inNetwork = found.map(function (i) { return drawnNode(actors[i].node); })
      .filter(Boolean);
    network.selectNodes(inNetwork);
    var evs = [];
    found.forEach(function (i) { evs = evs.concat(actors[i].events); });
    highlight(evs.filter(function (v, k) { return evs.indexOf(v) === k; }).sort(function (a, b) {
      return a - b;
    }));
    var names = found.slice(0, 5).map(function (i) { return actors[i].name; }).join("; ");
    searchStatus.textContent = found.length ? plural(found.length, "actor") + ": " + names +
      (found.length > 5 ? "; …" : "") + (inNetwork.length < found.length ?
        " (" + (found.length - inNetwork.length) + " not in the network as shown)" : "")
      : "no actor matches";
    if (found.length === 1) showDetails(actorCard(found[0]));
    if (inNetwork.length) network.fit({nodes: inNetwork, animation: false, maxZoomLevel: 1.3});
    return api.matches;
  }
  searchBox.addEventListener("input", function () { search(searchBox.value); });

  document.querySelectorAll("#mode input").forEach(function (r) {
    r.addEventListener("change", function () { if (r.checked) setMode(r.value); });
  });

  // --- play: step through time, the network shows what had happened by then --------------------
  var steps = (function () {
    var days = {};
    events.forEach(function (e) { days[e.earliest] = true; });
    var all = Object.keys(days).sort();
    if (all.length <= 80) return all;
    var out = [];
    for (var k = 0; k < 80; k++) out.push(all[Math.round(k * (all.length - 1) / 79)]);
    return out;
  }());
  var playAt = -1, timer = null;
  var playButton = document.getElementById("play"), playStatus = document.getElementById("play-status");
  function step(k) {
    if (!steps.length) return;
    playAt = Math.max(0, Math.min(k, steps.length - 1));
    from.value = "";
    to.value = steps[playAt];
    apply();
    playStatus.textContent = "By " + steps[playAt] + ": " + plural(api.shownEvents, "event");
    return playAt;
  }
  function stopPlay() {
    if (timer) clearInterval(timer);
    timer = null;
    playButton.textContent = "▶ Play";
    playButton.setAttribute("aria-pressed", "false");
  }
  playButton.addEventListener("click", function () {
    if (timer) { stopPlay(); return; }
    if (playAt >= steps.length - 1) playAt = -1;
    step(playAt + 1);
    playButton.textContent = "❚❚ Pause";
    playButton.setAttribute("aria-pressed", "true");
    timer = setInterval(function () {
      if (playAt >= steps.length - 1) { stopPlay(); return; }
      step(playAt + 1);
    }, 900);
  });
  document.getElementById("step-forward").addEventListener("click", function () {
    stopPlay();
    step(playAt + 1);
  });
  document.getElementById("step-back").addEventListener("click", function () {
    stopPlay();
    step(playAt < 0 ? steps.length - 1 : playAt - 1);
  });

  // --- the table: the same data as the canvas, sortable ----------------------------------------
  var table = {built: false};
  function sortable(tableEl, columns, rowsOf) {
    var head = el("thead"), tr = el("tr"), body = el("tbody"), rowEls = rowsOf();
    var sorted = {col: 0, dir: 1};
    columns.forEach(function (c, k) {
      var th = el("th");
      th.scope = "col";
      var b = el("button", null, c.name);
      b.type = "button";
      b.addEventListener("click", function () {
        sorted = {col: k, dir: sorted.col === k ? -sorted.dir : 1};
        order();
      });
      th.appendChild(b);
      tr.appendChild(th);
    });
    head.appendChild(tr);
    tableEl.appendChild(head);
    tableEl.appendChild(body);
    function order() {
      var c = columns[sorted.col];
      var idx = rowEls.map(function (r, i) { return i; });
      idx.sort(function (a, b) {
        var x = c.key(a), y = c.key(b);
        return (x < y ? -1 : x > y ? 1 : a - b) * sorted.dir;
      });
      tr.querySelectorAll("th").forEach(function (th, k) {
        if (k === sorted.col) th.setAttribute("aria-sort", sorted.dir > 0 ? "ascending" : "descending");
        else th.removeAttribute("aria-sort");
      });
      var f = document.createDocumentFragment();
      idx.forEach(function (i) { f.appendChild(rowEls[i]); });
      body.appendChild(f);
    }
    order();
    return rowEls;
  }
  function cellButton(text, onClick) {
    var b = el("button", "link", text);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }
  function buildTable() {
    if (table.built) return;
    table.built = true;
    table.events = sortable(document.getElementById("event-table"), [
      {name: "Date", key: function (i) { return events[i].earliest + events[i].latest; }},
      {name: "Event", key: function (i) { return fold(events[i].title); }},
      {name: "Type", key: function (i) { return events[i].type; }},
      {name: "Status", key: function (i) { return events[i].status; }},
      {name: "Participants", key: function (i) { return events[i].participants.length; }},
      {name: "Sources", key: function (i) { return events[i].sources.length; }},
    ], function () {
      return events.map(function (e, i) {
        var r = el("tr");
        r.setAttribute("data-id", e.id);
        r.appendChild(el("td", null, e.label));
        var t = el("td");
        t.appendChild(cellButton((e.disputed ? "⚠ " : "") + e.title, function () { selectEvent(i); }));
        r.appendChild(t);
        r.appendChild(el("td", null, e.type));
        r.appendChild(el("td", null, e.status));
        r.appendChild(el("td", null, e.participants.map(participantText).join("; ")));
        r.appendChild(el("td", null, e.sources.map(function (s) {
          return data.sources[s].title;
        }).join("; ")));
        return r;
      });
    });
    table.actors = sortable(document.getElementById("actor-table"), [
      {name: "Actor", key: function (i) { return fold(actors[i].name); }},
      {name: "Kind", key: function (i) { return actors[i].kind; }},
      {name: "Events", key: function (i) { return actors[i].events.length; }},
    ], function () {
      return actors.map(function (a, i) {
        var r = el("tr");
        r.setAttribute("data-id", a.id);
        var t = el("td");
        t.appendChild(cellButton(a.name, function () { selectActor(i); }));
        r.appendChild(t);
        r.appendChild(el("td", null, a.kind));
        r.appendChild(el("td", null, a.events.length));
        return r;
      });
    });
    table.filter = function () {
      table.events.forEach(function (r, i) { r.hidden = !shownEvent[i]; });
      table.actors.forEach(function (r, i) { r.hidden = !shownActor[i]; });
    };
    table.filter();
  }
  var tables = document.getElementById("tables");
  tables.addEventListener("toggle", function () { if (tables.open) buildTable(); });

  // --- print: the chronology with its sources --------------------------------------------------
  var chronology = {built: false, items: []};
  function buildChronology() {
    if (chronology.built) return;
    chronology.built = true;
    var box = document.getElementById("chronology"), f = document.createDocumentFragment();
    f.appendChild(el("h2", null, "Chronology"));
    var ol = el("ol");
    chronology.items = events.map(function (e, i) {
      var li = el("li");
      li.appendChild(el("h3", null, e.label + " — " + (e.disputed ? "⚠ " : "") + e.title));
      li.appendChild(el("p", "meta", when(e) + " · " + e.type +
        (e.status !== "occurred" ? " · " + e.status : "")));
      li.appendChild(el("p", null, e.summary));
      if (e.participants.length) {
        li.appendChild(el("p", "meta", "Participants: " +
          e.participants.map(participantText).join("; ")));
      }
      var src = el("ul", "sources");
      e.sources.forEach(function (si) {
        var s = data.sources[si];
        src.appendChild(el("li", null, [s.title, s.publisher, s.published].filter(Boolean)
          .join(", ") + (s.url ? " — " + s.url : "")));
      });
      li.appendChild(src);
      li.hidden = !shownEvent[i];
      ol.appendChild(li);
      return li;
    });
    f.appendChild(ol);
    box.appendChild(f);
  }
  window.addEventListener("beforeprint", buildChronology);
  if (window.matchMedia) {
    var printing = window.matchMedia("print");
    if (printing.addEventListener) {
      printing.addEventListener("change", function (m) { if (m.matches) buildChronology(); });
    }
  }
  api.buildChronology = buildChronology;

  // --- legend ----------------------------------------------------------------------------------
  var legend = document.getElementById("legend");
  function legendItem(mark, text, cls) {
    var s = el("span", cls);
    if (mark) s.appendChild(mark);
    s.appendChild(document.createTextNode(text));
    legend.appendChild(s);
  }
  data.kinds.forEach(function (k) {
    legendItem(glyph(data.kindStyles[k].shape, data.kindStyles[k].colour), k);
  });
  legendItem(glyph("diamond", "#cccccc"), "event (in “actors and events”; colour by type)");
  legendItem(glyph("line", "#457b9d"), "shared events: width by count, colour by commonest type");
  legendItem(null, "⚠ red border: a verification disagrees with a claim", "disputed");
  legendItem(null, "dashed: follows, part of, relations, mentions; planned or ongoing events");
  legendItem(null, "time axis: faded ends = approximate, relative, open or unknown date; pale bar = month or " +
    "year precision; hatched band = compressed years before or after the focus");

  api.axis = axis;
  api.timings = timings;
  timings.list = performance.now();
  axis.draw();
  timings.axis = performance.now();
  if (events.length <= 2000) buildChronology();
  timings.chronology = performance.now();
  setMode("actors");
  timings.setMode = performance.now();
}());
