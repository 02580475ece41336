// The studio's place reader (src/coordinates.js): every form a mediator may paste, and what
// it refuses. Run by tests/test_studio_coordinates.py (node --test).
import assert from "node:assert/strict";
import { test } from "node:test";
import { parsePlace } from "../src/coordinates.js";

const near = (got, lat, lon, zoom) => {
  assert.ok(!got.error, `unexpected error ${got.error}`);
  assert.ok(Math.abs(got.lat - lat) < 1e-5, `lat ${got.lat} != ${lat}`);
  assert.ok(Math.abs(got.lon - lon) < 1e-5, `lon ${got.lon} != ${lon}`);
  if (zoom !== undefined) assert.equal(got.zoom, zoom);
};

test("decimal degrees with a dot, a comma, a semicolon or a space between", () => {
  near(parsePlace("50.4115, 4.3912"), 50.4115, 4.3912);
  near(parsePlace("50.4115 4.3912"), 50.4115, 4.3912);
  near(parsePlace(" 50.4115;4.3912 "), 50.4115, 4.3912);
  near(parsePlace("-33.8568, 151.2153"), -33.8568, 151.2153);
  near(parsePlace("50.4115,-4.3912"), 50.4115, -4.3912);
});

test("decimal degrees with comma decimals, as French and Belgian writing has them", () => {
  near(parsePlace("50,4115; 4,3912"), 50.4115, 4.3912);
  near(parsePlace("50,4115 4,3912"), 50.4115, 4.3912);
  near(parsePlace("50,4115, 4,3912"), 50.4115, 4.3912);
});

test("degrees, minutes and seconds, with the hemisphere after or before", () => {
  near(parsePlace(`50°24'41.4"N 4°23'28.3"E`), 50 + 24 / 60 + 41.4 / 3600, 4 + 23 / 60 + 28.3 / 3600);
  near(parsePlace("50°24′41.4″N, 4°23′28.3″E"), 50 + 24 / 60 + 41.4 / 3600, 4 + 23 / 60 + 28.3 / 3600);
  near(parsePlace(`33°51'24.5"S 151°12'55.1"E`), -(33 + 51 / 60 + 24.5 / 3600), 151 + 12 / 60 + 55.1 / 3600);
  near(parsePlace(`50°24'41"N 4°23'28"W`), 50 + 24 / 60 + 41 / 3600, -(4 + 23 / 60 + 28 / 3600));
  near(parsePlace(`50°24'41"N 4°23'28"O`), 50 + 24 / 60 + 41 / 3600, -(4 + 23 / 60 + 28 / 3600));
  near(parsePlace("N 50° 24.690' E 004° 23.472'"), 50 + 24.69 / 60, 4 + 23.472 / 60);
  near(parsePlace("N50 24.690 E4 23.472"), 50 + 24.69 / 60, 4 + 23.472 / 60);
  near(parsePlace("50.4115° N, 4.3912° E"), 50.4115, 4.3912);
  // The longitude first, said by its letter.
  near(parsePlace(`4°23'28.3"E 50°24'41.4"N`), 50 + 24 / 60 + 41.4 / 3600, 4 + 23 / 60 + 28.3 / 3600);
  // Without letters: latitude first.
  near(parsePlace(`50°24'41.4" 4°23'28.3"`), 50 + 24 / 60 + 41.4 / 3600, 4 + 23 / 60 + 28.3 / 3600);
});

test("links from OpenStreetMap, Google Maps, Apple Maps and Bing", () => {
  near(parsePlace("https://www.openstreetmap.org/#map=17/50.41150/4.39120"), 50.4115, 4.3912, 17);
  near(parsePlace("https://www.openstreetmap.org/?mlat=50.4115&mlon=4.3912#map=18/50.41/4.39"), 50.4115, 4.3912, 18);
  near(parsePlace("openstreetmap.org/?mlat=50.4115&mlon=4.3912"), 50.4115, 4.3912);
  near(parsePlace("https://www.google.com/maps/@50.4115,4.3912,17z"), 50.4115, 4.3912, 17);
  near(parsePlace("https://www.google.com/maps/place/Moulin/@50.41,4.39,15z/data=!3m1!4b1!4m6!3m5!1s0x0:0x0!8m2!3d50.4115!4d4.3912"), 50.4115, 4.3912, 15);
  near(parsePlace("https://maps.google.com/?q=50.4115,4.3912"), 50.4115, 4.3912);
  near(parsePlace("https://www.google.com/maps/search/?api=1&query=50.4115%2C4.3912"), 50.4115, 4.3912);
  near(parsePlace("https://maps.apple.com/?ll=50.4115,4.3912&z=16"), 50.4115, 4.3912, 16);
  near(parsePlace("https://maps.apple.com/?q=50.4115,4.3912"), 50.4115, 4.3912);
  near(parsePlace("https://www.bing.com/maps?cp=50.4115~4.3912&lvl=16"), 50.4115, 4.3912, 16);
});

test("geo: URIs (RFC 5870)", () => {
  near(parsePlace("geo:50.4115,4.3912"), 50.4115, 4.3912);
  near(parsePlace("geo:50.4115,4.3912;u=10"), 50.4115, 4.3912);
  near(parsePlace("GEO:50.4115,4.3912,120;crs=wgs84;u=35"), 50.4115, 4.3912);
  near(parsePlace("geo:50.4115,4.3912?z=17"), 50.4115, 4.3912);
  assert.deepEqual(parsePlace("geo:1,2;crs=epsg:3857"), { error: "unreadable" });
});

test("out of range, unreadable, empty, and links with no coordinates are refused by name", () => {
  assert.deepEqual(parsePlace("91, 4.39"), { error: "latRange" });
  assert.deepEqual(parsePlace("-91 4.39"), { error: "latRange" });
  assert.deepEqual(parsePlace("50.41, 181"), { error: "lonRange" });
  assert.deepEqual(parsePlace("geo:50.41,181"), { error: "lonRange" });
  assert.deepEqual(parsePlace(`91°00'00"N 4°00'00"E`), { error: "latRange" });
  assert.deepEqual(parsePlace("https://www.openstreetmap.org/#map=17/91/4.39"), { error: "latRange" });
  assert.deepEqual(parsePlace(""), { error: "empty" });
  assert.deepEqual(parsePlace("   "), { error: "empty" });
  assert.deepEqual(parsePlace("le vieux moulin"), { error: "unreadable" });
  assert.deepEqual(parsePlace("50.41"), { error: "unreadable" });
  assert.deepEqual(parsePlace("50.41, 4.39, 12"), { error: "unreadable" });
  assert.deepEqual(parsePlace(`50°61'00"N 4°00'00"E`), { error: "unreadable" });
  assert.deepEqual(parsePlace(`50°N 51°N`), { error: "unreadable" });
  assert.deepEqual(parsePlace("https://www.openstreetmap.org/"), { error: "noCoordinates" });
  assert.deepEqual(parsePlace("https://www.google.com/maps/place/Moulin+de+Marchienne"), { error: "noCoordinates" });
  assert.deepEqual(parsePlace("https://maps.apple.com/?q=Charleroi"), { error: "noCoordinates" });
  assert.deepEqual(parsePlace("geo:"), { error: "noCoordinates" });
});

test("a zone moves whole to a new centre", async () => {
  const { movedZone } = await import("../src/coordinates.js");
  const circle = { type: "circle", center: [4.39, 50.41], radius_m: 30 };
  assert.deepEqual(movedZone(circle, [50.41, 4.39], [50.5, 4.5]), { type: "circle", center: [4.5, 50.5], radius_m: 30 });
  const square = { type: "polygon", coordinates: [[[4, 50], [4.002, 50], [4.002, 50.002], [4, 50.002], [4, 50]]] };
  const moved = movedZone(square, [50.001, 4.001], [51.001, 5.001]);
  assert.deepEqual(moved.coordinates[0][0], [5, 51]);
  assert.deepEqual(moved.coordinates[0][2], [5.002, 51.002]);
  assert.equal(moved.coordinates[0].length, 5);
});
