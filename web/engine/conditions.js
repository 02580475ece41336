// Whether an entered stop may trigger: time windows (7.4) and requirements (7.5).

const formatters = new Map();

function formatter(timeZone) {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The whole local second of the day at an instant (ms), in an IANA time zone. */
export function localSecondOfDay(tMs, timeZone) {
  const parts = formatter(timeZone).formatToParts(new Date(Math.floor(tMs / 1000) * 1000));
  const get = (type) => Number(parts.find((p) => p.type === type).value);
  return get("hour") * 3600 + get("minute") * 60 + get("second");
}

function seconds(hhmm) {
  const [h, m] = hhmm.split(":");
  return Number(h) * 3600 + Number(m) * 60;
}

/** Whether a local second of the day lies in [start, end); a window may pass midnight. */
export function inWindow(window, second) {
  const start = seconds(window.start);
  const end = seconds(window.end);
  if (start < end) return start <= second && second < end;
  if (start > end) return second >= start || second < end;
  return false;
}

/** True without windows, else whether any window holds the local time of tMs. */
export function windowsOpen(windows, tMs, timeZone) {
  if (!windows || windows.length === 0) return true;
  const second = localSecondOfDay(tMs, timeZone);
  return windows.some((w) => inWindow(w, second));
}

/** Evaluate `requires` against the stops' memory; unknown stops were never played. */
export function requirementsMet(requires, memory) {
  if (!requires) return true;
  const results = requires.conditions.map((cond) => {
    const state = memory.get(cond.stop) ?? { triggered: false, played: false };
    const wanted = cond.state ?? "played";
    if (wanted === "played") return state.played;
    if (wanted === "triggered") return state.triggered;
    return !state.played;
  });
  return (requires.mode ?? "all") === "all" ? results.every(Boolean) : results.some(Boolean);
}
