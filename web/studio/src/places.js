// Finding a place on the trail map: typed coordinates or a pasted map link, and a search by
// name through the server's geocoder when it has one. A place found is shown with a pin and
// offers to add a stop there, or to move the selected stop there.
import { call } from "./api.js";
import { ElementIcon, L } from "./basemap.js";
import { parsePlace } from "./coordinates.js";
import { clear, fill, h } from "./dom.js";
import { Problems } from "./formcheck.js";
import { language, t } from "./i18n.js";
import { canEdit, orgPath, state } from "./state.js";
import { readable } from "./ui.js";

// A marker rather than a vector circle: it is placed by its own element, whatever the state
// of the map's vector layer while the view jumps.
const PIN_ICON = { iconSize: [18, 18], iconAnchor: [9, 9], className: "place-pin", build: () => h("div", { "aria-hidden": "true" }) };
// Closest zoom a jump goes to when the text gives none: a street, a few buildings.
const JUMP_ZOOM = 18;

/** A place's coordinates as a mediator reads them: latitude, longitude, six decimals (10 cm). */
export function formatPlace(lat, lon) {
  return `${lat.toFixed(6)}, ${lon.toFixed(6)}`;
}

/** The words for a parsePlace() error. */
export function placeProblem(error) {
  return t(`place_${error}`);
}

/** A labelled input with its button beside it and a hint under both; its problems go under it. */
function inlineField(problems, name, label, input, button, hint) {
  input.setAttribute("aria-describedby", `${input.id}-hint`);
  const wrapper = h("div", { class: "field" }, h("label", { for: input.id }, label), h("div", { class: "place-row" }, input, button), h("p", { class: "hint", id: `${input.id}-hint` }, hint));
  return problems.watch(name, wrapper, input, label);
}

/** The "Find a place" box, shown over the map. ``actions`` gives what a found place offers:
 * ``selected()`` (the selected stop's name, or null), ``addHere([lat, lon])``, ``moveHere([lat, lon])``. */
export class PlaceFinder {
  constructor(map, actions) {
    this.map = map;
    this.actions = actions;
    this.pin = null;
    // Leaflet drops a new view asked for while a zoom animation runs (after fitting the trail,
    // a click on +): a jump then waits for the animation's end.
    this.zooming = false;
    map.on("zoomanim", () => (this.zooming = true));
    map.on("zoomend", () => (this.zooming = false));
    this.node = h("section", { class: "find-place", id: "find-place", "aria-labelledby": "find-place-title" }, h("h2", { class: "visually-hidden", id: "find-place-title" }, t("findPlace")));
    this.node.append(this.coordinatesForm());
    if (state.config.place_search) this.node.append(this.searchForm());
    this.results = h("ul", { class: "place-results", id: "place-results", "aria-live": "polite" });
    this.found = h("div", { class: "place-found", id: "place-found", "aria-live": "polite" });
    this.node.append(this.results, this.found);
  }

  coordinatesForm() {
    const input = h("input", { id: "goto-place", name: "goto-place", autocomplete: "off", spellcheck: "false" });
    const problems = new Problems();
    const button = h("button", { type: "submit", id: "goto-button" }, t("goTo"));
    const form = h("form", { class: "place-form", id: "goto-form", novalidate: true }, inlineField(problems, "place", t("goToPlace"), input, button, t("goToHint")));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      problems.reset();
      const place = parsePlace(input.value);
      if (place.error) {
        // Nothing moves: the text stays for correcting, the message says what to change.
        problems.add("place", placeProblem(place.error));
        input.focus();
        return;
      }
      clear(this.results);
      this.show(place.lat, place.lon, { zoom: place.zoom });
    });
    return form;
  }

  searchForm() {
    const input = h("input", { id: "place-search", name: "place-search", type: "search", autocomplete: "off", maxlength: 200 });
    const problems = new Problems();
    const button = h("button", { type: "submit", id: "place-search-button" }, t("search"));
    const form = h("form", { class: "place-form", id: "place-search-form", role: "search", novalidate: true }, inlineField(problems, "q", t("searchPlace"), input, button, t("searchPlaceHint")));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      problems.reset();
      const q = input.value.trim();
      if (!q) {
        problems.add("q", t("searchEmpty"));
        return;
      }
      button.disabled = true;
      clear(this.results).append(h("li", { class: "hint" }, t("searching")));
      try {
        const { data } = await call("GET", orgPath(`/places?q=${encodeURIComponent(q)}&lang=${language()}`));
        this.list(data.places);
      } catch (err) {
        clear(this.results);
        problems.add("q", readable(err));
      } finally {
        button.disabled = false;
      }
    });
    return form;
  }

  list(places) {
    clear(this.results);
    if (!places.length) {
      this.results.append(h("li", { class: "hint" }, t("noPlacesFound")));
      return;
    }
    for (const place of places) {
      const go = () => this.show(place.lat, place.lon, { bbox: place.bbox, name: place.name });
      this.results.append(h("li", {}, h("button", { type: "button", class: "link place-result", onclick: go }, place.name)));
    }
  }

  /** Jump to a place, pin it and offer what may be done there. */
  show(lat, lon, { zoom, bbox, name } = {}) {
    this.pin?.remove();
    this.pin = L.marker([lat, lon], { icon: new ElementIcon(PIN_ICON), interactive: false, keyboard: false }).addTo(this.map);
    const jump = () => {
      if (bbox) this.map.fitBounds([[bbox[1], bbox[0]], [bbox[3], bbox[2]]], { maxZoom: JUMP_ZOOM });
      else this.map.setView([lat, lon], zoom ?? Math.max(this.map.getZoom(), JUMP_ZOOM));
    };
    if (this.zooming) this.map.once("zoomend", jump);
    else jump();
    this.last = { at: [lat, lon], name };
    this.drawFound();
  }

  /** Say where the map is and offer to add a stop there, or to move the selected one there. */
  drawFound() {
    if (!this.last) return;
    const { at, name } = this.last;
    // The place chosen in a list of results is marked there; the line under says where it is.
    const selected = this.actions.selected();
    // A new stop is offered even with a stop selected: placing several stops by their
    // coordinates, one after another, must not need a way to unselect the last one.
    const offer = !canEdit()
      ? []
      : [
          h("button", { type: "button", id: "add-stop-here", onclick: () => this.actions.addHere(at) }, t("addStopHere")),
          selected ? h("button", { type: "button", id: "move-stop-here", class: "quiet", onclick: () => this.actions.moveHere(at) }, t("moveStopHere", { name: selected })) : null,
        ];
    fill(this.found, h("p", { id: "place-shown" }, t("placeShown", { place: formatPlace(at[0], at[1]) })), ...offer);
    for (const button of this.results.querySelectorAll("button")) button.setAttribute("aria-current", String(button.textContent === name));
  }

  /** Forget the offer (after it was taken, or when the selection changed). */
  done() {
    this.last = null;
    clear(this.found);
    this.pin?.remove();
    this.pin = null;
  }
}
