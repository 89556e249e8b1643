/* The timeline view: a vis-network graph and a timeline list, linked, with search and filters.
 * Curated text is only ever set with textContent (see el()); nothing from the data is parsed as
 * HTML, and the vis-network `title` tooltips (an HTML sink) are not used: our own tooltip is built
 * from DOM nodes. window.timelineView exposes the state for tests and for the curious. */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("timeline-data").textContent);
  var net = JSON.parse(document.getElementById("network-data").textContent);
  var actors = data.actors, events = data.events;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function fold(s) {
    return String(s).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }
  function plural(n, word) { return n.toLocaleString("en") + " " + word + (n === 1 ? "" : "s"); }

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
  actors.forEach(function (a, i) { if (a.node) byNode[a.node] = {kind: "actor", index: i}; });
  events.forEach(function (e, i) {
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
  function eventCard(i) {
    var e = events[i], card = el("div", "card");
    card.appendChild(el("h3", null, (e.disputed ? "⚠ " : "") + e.title));
    var when = e.label + " · " + e.precision + " precision" + (e.approximate ? ", approximate" : "");
    if (e.asStated) when += " · stated as “" + e.asStated + "”";
    card.appendChild(el("p", "meta", when));
    card.appendChild(el("p", "meta", e.type + (e.status !== "occurred" ? " · " + e.status : "")));
    if (e.dateNote) card.appendChild(el("p", "meta", e.dateNote));
    card.appendChild(el("p", null, e.summary));
    mediaBlock(card, e.media);
    section(card, "Participants", e.participants.map(function (p) {
      return el("li", null, p[1] + ": " + actors[p[0]].name);
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
  function actorCard(i) {
    var a = actors[i], card = el("div", "card");
    card.appendChild(el("h3", null, a.name));
    card.appendChild(el("p", "meta", a.kind + " · " + plural(a.events.length, "event")));
    if (a.aliases.length) card.appendChild(el("p", "meta", "also: " + a.aliases.join("; ")));
    if (a.description) card.appendChild(el("p", null, a.description));
    mediaBlock(card, a.media);
    section(card, "Relations", a.relations.map(function (r) {
      return el("li", null, r[0] + " " + r[1]);
    }));
    section(card, "Claims", a.claims.map(claimItem));
    section(card, "Events", a.events.slice(0, 12).map(function (ei) {
      return el("li", null, events[ei].label + " — " + events[ei].title);
    }));
    if (a.events.length > 12) card.appendChild(el("p", "meta", "… and " + (a.events.length - 12) +
      " more in the timeline"));
    return card;
  }
  function binCard(i) {
    var b = data.bins[i], card = el("div", "card");
    card.appendChild(el("h3", null, plural(b.events.length, "event") + " · " + b.type + " · " +
      b.period));
    section(card, "Events", b.events.slice(0, 12).map(function (ei) {
      var e = events[ei];
      return el("li", e.disputed ? "disputed" : null, e.label + " — " + e.title);
    }));
    if (b.events.length > 12) card.appendChild(el("p", "meta", "… and " + (b.events.length - 12) +
      " more in the timeline"));
    return card;
  }
  function card(nodeId) {
    var n = byNode[nodeId];
    if (!n) return null;
    if (n.kind === "actor") return actorCard(n.index);
    if (n.kind === "event") return eventCard(n.index);
    return binCard(n.index);
  }

  // --- the network -----------------------------------------------------------------------------
  var nodes = new vis.DataSet(net.nodes);
  var edges = new vis.DataSet(net.edges.map(function (e, i) { e.id = "e" + i; return e; }));
  var container = document.getElementById("network");
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, net.options);
  var api = window.timelineView = {
    ready: false, network: network, nodes: nodes, edges: edges, data: data,
    selectEvent: selectEvent, apply: apply, search: search,
  };
  function settled() {
    // Physics has laid the graph out: stop it so nothing keeps moving (or burning CPU).
    network.setOptions({physics: {enabled: false}});
    api.ready = true;
    document.body.setAttribute("data-ready", "true");
  }
  if (net.nodes.length) network.once("stabilizationIterationsDone", settled);
  else settled();

  var tip = document.getElementById("tooltip");
  network.on("hoverNode", function (p) {
    var c = card(p.node);
    if (!c) return;
    tip.replaceChildren(c);
    tip.hidden = false;
    var r = container.getBoundingClientRect();
    var x = r.left + p.pointer.DOM.x + 14, y = r.top + p.pointer.DOM.y + 14;
    tip.style.left = Math.max(0, Math.min(x, window.innerWidth - tip.offsetWidth - 4)) + "px";
    tip.style.top = Math.max(0, Math.min(y, window.innerHeight - tip.offsetHeight - 4)) + "px";
  });
  network.on("blurNode", function () { tip.hidden = true; });
  network.on("dragStart", function () { tip.hidden = true; });
  // vis-network sends no blurNode when the pointer leaves the canvas straight from a node.
  container.addEventListener("mouseleave", function () { tip.hidden = true; });

  // --- the timeline ----------------------------------------------------------------------------
  var list = document.getElementById("events");
  var rows = events.map(function (e, i) {
    var li = el("li");
    li.setAttribute("data-id", e.id);
    li.style.borderLeftColor = data.typeColours[e.type];
    li.appendChild(el("time", null, e.label));
    var badge = el("span", "badge", e.type);
    badge.style.background = data.typeColours[e.type];
    li.appendChild(badge);
    if (e.disputed) li.appendChild(el("span", "disputed", "⚠ "));
    li.appendChild(el("span", "title", e.title));
    li.addEventListener("click", function () { selectEvent(i); });
    return li;
  });
  var frag = document.createDocumentFragment();
  rows.forEach(function (r) { frag.appendChild(r); });
  list.appendChild(frag);

  var details = document.getElementById("details");
  function showDetails(nodeOrCard) {
    var c = typeof nodeOrCard === "string" ? card(nodeOrCard) : nodeOrCard;
    if (c) details.replaceChildren(c);
  }
  function highlight(indexes, selected) {
    rows.forEach(function (r) { r.classList.remove("hl"); r.classList.remove("selected"); });
    indexes.forEach(function (i) { rows[i].classList.add("hl"); });
    if (selected !== undefined) rows[selected].classList.add("selected");
    api.highlighted = indexes.slice();
    var first = selected !== undefined ? selected : indexes.filter(function (i) {
      return !rows[i].hidden;
    })[0];
    if (first !== undefined) rows[first].scrollIntoView({block: "nearest"});
  }
  function selectEvent(i) {
    var node = events[i].node;
    highlight([i], i);
    showDetails(eventCard(i));
    if (node && nodes.get(node) && !nodes.get(node).hidden) {
      network.selectNodes([node]);
      network.focus(node, {scale: 1.2, animation: {duration: 300, easingFunction: "easeInOutQuad"}});
    }
    api.selectedEvent = i;
  }
  function eventsOfNode(nodeId) {
    var n = byNode[nodeId];
    if (!n) return [];
    if (n.kind === "actor") return actors[n.index].events;
    if (n.kind === "event") return [n.index];
    return data.bins[n.index].events;
  }
  network.on("selectNode", function (p) {
    var id = p.nodes[0];
    highlight(eventsOfNode(id));
    showDetails(id);
  });
  network.on("deselectNode", function () { highlight([]); });

  // --- filters and search ----------------------------------------------------------------------
  function checkbox(field, value, colour) {
    var label = el("label"), box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.value = value;
    box.addEventListener("change", apply);
    label.appendChild(box);
    if (colour) {
      var sw = el("span", "swatch");
      sw.style.background = colour;
      label.appendChild(sw);
    }
    label.appendChild(document.createTextNode(value));
    field.appendChild(label);
    return box;
  }
  var catOf = {};
  actors.forEach(function (a) { catOf[a.kind] = a.category; });
  var kindField = document.getElementById("kinds"), typeField = document.getElementById("types");
  var kindBoxes = data.kinds.map(function (k) {
    return checkbox(kindField, k, data.categoryColours[catOf[k]]);
  });
  var typeBoxes = data.types.map(function (t) { return checkbox(typeField, t, data.typeColours[t]); });
  var from = document.getElementById("date-from"), to = document.getElementById("date-to");
  if (events.length) {
    from.min = to.min = events[0].earliest;
    from.max = to.max = events.reduce(function (m, e) { return e.latest > m ? e.latest : m; }, "");
  }
  [from, to].forEach(function (input) {
    input.addEventListener("change", apply);
    input.addEventListener("input", apply);
  });
  document.getElementById("reset").addEventListener("click", function () {
    kindBoxes.concat(typeBoxes).forEach(function (b) { b.checked = true; });
    from.value = to.value = "";
    apply();
  });

  function apply() {
    var kinds = {}, types = {};
    kindBoxes.forEach(function (b) { kinds[b.value] = b.checked; });
    typeBoxes.forEach(function (b) { types[b.value] = b.checked; });
    var lo = from.value, hi = to.value, dated = Boolean(lo || hi);
    // ISO dates compare correctly as strings; a partial date is kept if any of its days is inside.
    var shownEvent = events.map(function (e) {
      return types[e.type] && (!lo || e.latest >= lo) && (!hi || e.earliest <= hi);
    });
    var shownActor = actors.map(function (a) {
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
      var h = Boolean(hidden[e.from] || hidden[e.to]);
      if (Boolean(e.hidden) !== h) edgeUpdates.push({id: e.id, hidden: h});
    });
    edges.update(edgeUpdates);
    rows.forEach(function (r, i) { r.hidden = !shownEvent[i]; });
    var ne = shownEvent.filter(Boolean).length, na = shownActor.filter(Boolean).length;
    api.shownEvents = ne;
    api.shownActors = na;
    document.getElementById("status").textContent = "Showing " + ne.toLocaleString("en") + " of " +
      plural(events.length, "event") + " and " + na.toLocaleString("en") + " of " +
      plural(actors.length, "actor") + ".";
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
    var inNetwork = found.filter(function (i) {
      var n = actors[i].node;
      return n && !nodes.get(n).hidden;
    }).map(function (i) { return actors[i].node; });
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

  // --- legend ----------------------------------------------------------------------------------
  var legend = document.getElementById("legend");
  [["person", "● person"], ["group", "⬢ group"], ["organization", "■ organisation"],
    ["place", "▲ place"], ["object", "★ object"]].forEach(function (c) {
    var s = el("span", null, c[1]);
    s.style.color = data.categoryColours[c[0]];
    legend.appendChild(s);
  });
  legend.appendChild(el("span", null, "◆ event (colour by type)"));
  legend.appendChild(el("span", "disputed", "⚠ red border: a verification disagrees with a claim"));
  legend.appendChild(el("span", null, "dashed: follows, part of, relations, mentions"));

  apply();
}());
