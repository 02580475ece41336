// Simulation: a walk drawn on the map or read from GPX, run through the visitor player's own
// trigger engine, played back with the walker moving and the timeline lanes of the simulator.
import { TriggerEngine, eventJson, haversineM, trailFromVector } from "@baladeur/engine";
import { get } from "./api.js";
import { L } from "./basemap.js";
import { clear, h } from "./dom.js";
import { t } from "./i18n.js";
import { WalkListener } from "./renderwalk.js";
import { audioUrl } from "./media.js";
import { AmbienceBeds } from "./simbeds.js";
import { orgPath } from "./state.js";
import { pick } from "./ui.js";

const WALK_M_S = 1.3;
const NS = "http://www.w3.org/2000/svg";

/** Fixes every second along a path of [lat, lon] at walking pace. */
export function fixesAlong(points, speed = WALK_M_S) {
  const fixes = [];
  let t0 = 0;
  for (let i = 0; i < points.length - 1; i++) {
    const [a, b] = [points[i], points[i + 1]];
    const d = haversineM(a[0], a[1], b[0], b[1]);
    const steps = Math.max(1, Math.ceil(d / speed));
    for (let s = 0; s < steps; s++) {
      const f = s / steps;
      fixes.push({ t: t0 + (s * d) / speed / steps, lat: a[0] + (b[0] - a[0]) * f, lon: a[1] + (b[1] - a[1]) * f, accuracy_m: 5 });
    }
    t0 += d / speed;
  }
  const last = points[points.length - 1];
  fixes.push({ t: t0, lat: last[0], lon: last[1], accuracy_m: 5 });
  return fixes;
}

/**
 * The walk in a GPX file, as [lat, lon] points, and which part of the file it came from:
 * the track; its route when the track has fewer than two points; else its waypoints in
 * file order (the order `baladeur simulate` follows too). Times are not read: the studio
 * walks every path at a steady pace.
 */
export function gpxWalk(text) {
  const doc = new DOMParser().parseFromString(text, "application/xml");
  const read = (tag) => [...doc.querySelectorAll(tag)].map((p) => [Number(p.getAttribute("lat")), Number(p.getAttribute("lon"))]).filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b));
  const [track, route, waypoints] = [read("trkpt"), read("rtept"), read("wpt")];
  if (track.length >= 2) return { points: track, from: "track", track: track.length };
  if (route.length >= 2) return { points: route, from: "route", track: track.length };
  if (waypoints.length >= 2) return { points: waypoints, from: "waypoints", track: track.length };
  return { points: [], from: "none", track: track.length };
}

/** What to tell the author about where a GPX walk came from, or "" for an ordinary track. */
export function gpxNote(walk) {
  if (walk.from === "route" && walk.track > 0) return t("gpxRouteUsed", { track: walk.track, points: walk.points.length });
  if (walk.from === "waypoints") return t("gpxWaypointsUsed", { points: walk.points.length });
  return "";
}

/** Lanes: per stop, when it played [start, end] and when the walker was inside. */
export function lanesOf(events, keys, endT) {
  const lanes = Object.fromEntries(keys.map((k) => [k, { plays: [], inside: [], skips: [], waits: [] }]));
  const open = {};
  const queued = {};
  const inside = {};
  for (const e of events) {
    const lane = lanes[e.stop];
    if (!lane) continue;
    if (e.type === "enter") inside[e.stop] = e.t;
    if (e.type === "exit" && inside[e.stop] !== undefined) {
      lane.inside.push([inside[e.stop], e.t]);
      delete inside[e.stop];
    }
    if (e.type === "queue") queued[e.stop] = e.t;
    if ((e.type === "play" || e.type === "skip") && queued[e.stop] !== undefined) {
      lane.waits.push([queued[e.stop], e.t]);
      delete queued[e.stop];
    }
    if (e.type === "play") open[e.stop] = e.t;
    if (e.type === "end" && open[e.stop] !== undefined) {
      lane.plays.push([open[e.stop], e.t]);
      delete open[e.stop];
    }
    if (e.type === "skip") lane.skips.push([e.t, e.reason]);
  }
  for (const [k, t0] of Object.entries(inside)) lanes[k].inside.push([t0, endT]);
  for (const [k, t0] of Object.entries(open)) lanes[k].plays.push([t0, endT]);
  return lanes;
}

export class Simulator {
  constructor(section, map, stops, trail, ambience = () => [], ready = Promise.resolve()) {
    this.ready = ready;
    this.section = section;
    this.map = map;
    this.stops = stops;
    this.ambience = ambience;
    this.trail = trail;
    this.drawing = false;
    this.path = null;
    this.points = null;
    this.render();
  }

  render() {
    const gpx = h("input", { type: "file", accept: ".gpx,application/gpx+xml", id: "gpx-file", class: "visually-hidden" });
    gpx.addEventListener("change", async () => {
      const file = gpx.files[0];
      if (!file) return;
      const walk = gpxWalk(await file.text());
      if (walk.points.length < 2) return this.say(t("gpxEmpty"));
      this.setPath(walk.points, gpxNote(walk));
    });
    this.speed = h("select", { id: "sim-speed" }, [1, 5, 10, 30].map((n) => h("option", { value: n, selected: n === 10 }, `×${n}`)));
    this.playButton = h("button", { type: "button", class: "primary", id: "sim-play", disabled: true, onclick: () => this.play() }, `▶ ${t("simPlay")}`);
    this.status = h("p", { class: "hint", id: "sim-status", "aria-live": "polite" }, t("simLead"));
    this.warning = h("p", { class: "alert warning", id: "sim-warning", role: "status", hidden: true });
    this.now = h("p", { class: "now-playing", id: "sim-now", "aria-live": "polite" });
    // "Now playing" lasts as long as a story (0.4 s for 4 s at ×10, or not a frame when a story
    // starts and ends within one step): the stories heard stay listed until the next playback.
    this.heard = h("p", { class: "hint", id: "sim-heard" });
    this.lanes = h("div", { class: "lanes", id: "sim-lanes" });
    this.listener = new WalkListener(this.trail);
    this.beds = new AmbienceBeds();
    clear(this.section).append(
      h(
        "div",
        { class: "section-head" },
        h("h2", { id: "sim-title" }, t("simulate")),
        h(
          "div",
          { class: "row tight" },
          h("button", { type: "button", class: "quiet", id: "sim-draw", onclick: () => this.startDrawing() }, t("simDraw")),
          h("label", { class: "button quiet", for: "gpx-file" }, t("simGpx")),
          gpx,
          h("label", { for: "sim-speed", class: "inline" }, t("simSpeed")),
          this.speed,
          this.playButton,
        ),
      ),
      this.status,
      this.warning,
      this.now,
      this.heard,
      this.beds.node,
      this.lanes,
      this.listener.node,
    );
  }

  say(text) {
    this.status.textContent = text;
  }

  startDrawing() {
    this.drawing = true;
    this.map.pm.enableDraw("Line", { snappable: false, templineStyle: { color: "#5b3b8c" }, pathOptions: { color: "#5b3b8c" } });
    this.say(t("simDrawHint"));
  }

  onDrawn(event) {
    this.drawing = false;
    const points = event.layer.getLatLngs().map((p) => [p.lat, p.lng]);
    event.layer.remove();
    if (points.length >= 2) this.setPath(points);
  }

  /** Use a path ([lat, lon] points) and run the engine on it at once; ``note`` says what
   * was taken from a file instead of its track. */
  async setPath(points, note = "") {
    this.warning.textContent = note;
    this.warning.hidden = !note;
    this.path?.remove();
    this.points = points;
    this.path = L.polyline(points, { color: "#5b3b8c", weight: 4, dashArray: "6 6" }).addTo(this.map);
    this.map.fitBounds(this.path.getBounds().pad(0.15));
    await this.run();
  }

  async durations() {
    const out = {};
    const lang = this.trail.languages[0];
    for (const stop of this.stops()) {
      if (!stop.story_id) continue;
      try {
        const story = await get(orgPath(`/stories/${stop.story_id}`));
        const version = story.versions.find((v) => v.language === lang) ?? story.versions[0];
        if (version?.audio_asset_id) {
          const asset = await get(orgPath(`/assets/${version.audio_asset_id}`));
          out[stop.key] = { duration_s: asset.duration_s, asset: version.audio_asset_id };
        }
      } catch {
        // A story we cannot read plays as silent in the simulation.
      }
    }
    return out;
  }

  async run() {
    await this.ready;
    const stops = this.stops();
    const layers = this.ambience();
    this.layers = new Map(layers.map((a) => [a.key, a]));
    this.media = await this.durations();
    this.heard.textContent = "";
    const trail = trailFromVector({
      mode: this.trail.mode,
      timezone: this.trail.timezone,
      ducking_db: this.trail.settings?.ducking_db ?? -12,
      stops: stops.map((s) => ({ key: s.key, zone: s.zone, rules: s.rules, duration_s: this.media[s.key]?.duration_s ?? null })),
      ambience: layers.map((a) => ({ key: a.key, zone: a.zone, min_distance_m: a.min_distance_m, max_distance_m: a.max_distance_m, min_gain_db: a.min_gain_db, max_gain_db: a.max_gain_db })),
    });
    this.fixes = fixesAlong(this.points);
    const engine = new TriggerEngine(trail);
    const start = Date.UTC(2026, 5, 1, 10, 0, 0) / 1000;
    const events = [];
    for (const fix of this.fixes) events.push(...engine.feed({ ...fix, t: start + fix.t }));
    events.push(...engine.finish(null));
    this.events = events.map(eventJson).map((e) => ({ ...e, t: e.t - start }));
    this.endT = this.fixes[this.fixes.length - 1].t;
    // Stories that start: an ambience's play is a sound bed, not a story.
    const plays = this.events.filter((e) => e.type === "play" && !this.layers.has(e.stop)).length;
    this.section.dataset.plays = String(plays);
    this.say(t("simResult", { minutes: Math.max(1, Math.round(this.endT / 60)), plays }));
    this.drawLanes([...stops.map((s) => s.key), ...layers.map((a) => a.key)]);
    this.playButton.disabled = false;
    this.listener.setWalk(this.fixes);
  }

  drawLanes(keys) {
    const lanes = lanesOf(this.events, keys, this.endT);
    const width = 1000;
    const rowH = 30;
    const left = 110;
    const svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", `0 0 ${width} ${rowH * keys.length + 24}`);
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", t("lanesLabel"));
    const x = (time) => left + ((width - left - 40) * time) / Math.max(1, this.endT);
    const add = (name, attrs, text) => {
      const node = document.createElementNS(NS, name);
      for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
      if (text) node.textContent = text;
      svg.append(node);
      return node;
    };
    keys.forEach((key, i) => {
      const y = i * rowH;
      add("text", { x: 4, y: y + 17, class: "lane-label" }, key);
      add("rect", { x: left, y: y + 4, width: width - left - 40, height: rowH - 8, class: "lane-bg" });
      for (const [a, b] of lanes[key].inside) add("rect", { x: x(a), y: y + 4, width: Math.max(2, x(b) - x(a)), height: rowH - 8, class: "lane-inside" });
      for (const [a, b] of lanes[key].waits) add("rect", { x: x(a), y: y + 8, width: Math.max(2, x(b) - x(a)), height: rowH - 16, class: "lane-wait" });
      for (const [a, b] of lanes[key].plays) add("rect", { x: x(a), y: y + 8, width: Math.max(2, x(b) - x(a)), height: rowH - 16, class: "lane-play", "data-stop": key });
      for (const [a] of lanes[key].skips) add("line", { x1: x(a), x2: x(a), y1: y + 4, y2: y + rowH - 4, class: "lane-skip" });
    });
    const axisY = rowH * keys.length + 16;
    for (let m = 0; m <= this.endT / 60; m += Math.max(1, Math.ceil(this.endT / 60 / 8))) add("text", { x: x(m * 60), y: axisY, class: "axis" }, `${m} min`);
    this.playhead = add("line", { x1: left, x2: left, y1: 0, y2: rowH * keys.length, class: "playhead" });
    this.xOf = x;
    clear(this.lanes).append(svg, h("p", { class: "legend" }, h("span", { class: "key inside" }), t("legendInside"), h("span", { class: "key play" }), t("legendPlay"), h("span", { class: "key wait" }), t("legendWait"), h("span", { class: "key skip" }), t("legendSkip")));
  }

  /** Play the walk back: the walker moves, the playhead runs, narrations play at ×1. */
  play() {
    if (this.timer) return this.stopPlayback();
    const speed = Number(this.speed.value);
    // Above the stop labels, so the walker stays visible inside a zone.
    if (!this.map.getPane("walker")) this.map.createPane("walker").style.zIndex = 700;
    const walker = (this.walker ??= L.circleMarker(this.points[0], { pane: "walker", radius: 9, color: "#fff", weight: 3, fillColor: "#5b3b8c", fillOpacity: 1 }).addTo(this.map));
    const audio = (this.audio ??= new Audio());
    this.beds.open();
    const begun = performance.now();
    let next = 0;
    this.playButton.textContent = `■ ${t("simStop")}`;
    const heard = [];
    this.heard.textContent = "";
    this.timer = setInterval(() => {
      const now = ((performance.now() - begun) / 1000) * speed;
      const fix = this.fixes.find((f) => f.t >= now) ?? this.fixes[this.fixes.length - 1];
      walker.setLatLng([fix.lat, fix.lon]);
      this.playhead.setAttribute("x1", this.xOf(now));
      this.playhead.setAttribute("x2", this.xOf(now));
      while (next < this.events.length && this.events[next].t <= now) {
        const e = this.events[next++];
        const layer = this.layers.get(e.stop);
        if (layer) {
          // Ambience plays at every speed: a bed has no end of its own to miss.
          if (e.type === "play") this.beds.play(layer, pick(layer.title, this.trail.languages[0]) || layer.key);
          if (e.type === "gain") this.beds.gain(e.stop, e.db);
          if (e.type === "end") this.beds.end(e.stop);
          continue;
        }
        if (e.type === "play") {
          this.now.textContent = `♪ ${t("nowPlaying", { stop: e.stop })}`;
          heard.push(e.stop);
          this.heard.textContent = t("simHeard", { stops: heard.join(", ") });
          const media = this.media[e.stop];
          if (speed === 1 && media) audioUrl(media.asset).then((url) => { audio.src = url; audio.play().catch(() => {}); }).catch(() => {});
        }
        if (e.type === "end") {
          this.now.textContent = "";
          audio.pause();
        }
      }
      if (now >= this.endT) this.stopPlayback();
    }, 100);
  }

  stopPlayback() {
    clearInterval(this.timer);
    this.timer = null;
    this.audio?.pause();
    this.beds.close();
    this.playButton.textContent = `▶ ${t("simPlay")}`;
  }
}
