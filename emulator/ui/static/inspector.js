// front-emulator inspector: live updates over server-sent events, and the undo countdown.
//
// The server renders every state; this module only learns *that* something changed (GET
// /_emulator/ui/events) and then re-fetches the current page, swapping in each [data-live] region that
// differs. Forms, focus and open <details> outside or inside those regions are left as the user left them.

const PREFIX = "/_emulator/ui";
const body = document.body;
const indicator = document.getElementById("live-indicator");

function setIndicator(state, text) {
  if (!indicator) return;
  if (indicator.dataset.state === state) return;
  indicator.dataset.state = state;
  indicator.querySelector(".label").textContent = text;
}

// Does a change concern this page? Pages declare their scope as data-live-* attributes on <body>.
function relevant(change) {
  const scope = body.dataset;
  if (scope.liveKinds && !scope.liveKinds.split(" ").includes(change.kind)) return false;
  for (const [key, field] of [
    ["liveConversation", "conversation_id"],
    ["liveChannel", "channel_id"],
    ["liveMessage", "message_id"],
  ]) {
    if (scope[key] && change[field] && change[field] !== scope[key]) return false;
  }
  return true;
}

function swapRegion(region, fresh) {
  if (fresh.innerHTML === region.innerHTML) return;
  const active = document.activeElement;
  const focusedId = active && region.contains(active) ? active.id : null;
  const toggled = new Map();
  for (const details of region.querySelectorAll("details[id]")) toggled.set(details.id, details.open);
  region.replaceChildren(...fresh.childNodes);
  for (const details of region.querySelectorAll("details[id]")) {
    if (toggled.has(details.id)) details.open = toggled.get(details.id);
  }
  if (focusedId) {
    const again = document.getElementById(focusedId);
    // The focused control is gone (e.g. a Cancel button once the message left): keep focus nearby.
    if (again) again.focus();
    else document.getElementById("main")?.focus({ preventScroll: true });
  }
}

function swap(doc) {
  const regions = document.querySelectorAll("[data-live]");
  let missing = regions.length === 0;
  for (const region of regions) {
    const fresh = doc.getElementById(region.id);
    if (fresh) swapRegion(region, fresh);
    else missing = true;
  }
  if (missing) {
    // The page changed shape (e.g. its conversation is gone after a reset): take the new main whole.
    const main = document.getElementById("main");
    const freshMain = doc.getElementById("main");
    if (main && freshMain) main.replaceChildren(...freshMain.childNodes);
  }
  if (doc.body.dataset.liveSequence) body.dataset.liveSequence = doc.body.dataset.liveSequence;
  tick();
}

let fetching = false;
let again = false;

async function refresh() {
  if (fetching) {
    again = true; // one more fetch once this one is done, however many changes arrive meanwhile
    return;
  }
  fetching = true;
  try {
    do {
      again = false;
      const response = await fetch(location.href, { headers: { Accept: "text/html" }, cache: "no-store" });
      const text = await response.text();
      swap(new DOMParser().parseFromString(text, "text/html"));
    } while (again);
  } catch (error) {
    setIndicator("reconnecting", "Reconnecting…");
  } finally {
    fetching = false;
  }
}

// Streams end every few seconds on purpose (see live.py) and EventSource reconnects at once; only a
// reconnection that takes a while is worth showing (and announcing through role=status).
let reconnecting = null;

function connect() {
  const since = encodeURIComponent(body.dataset.liveSequence || "");
  const source = new EventSource(`${PREFIX}/events?since=${since}`);
  const live = () => {
    clearTimeout(reconnecting);
    reconnecting = null;
    setIndicator("live", "Live");
  };
  source.addEventListener("ready", live);
  source.addEventListener("ping", live);
  source.addEventListener("change", (event) => {
    live();
    const data = JSON.parse(event.data);
    if (data.overflow || data.changes.some(relevant)) refresh();
  });
  source.addEventListener("error", () => {
    if (reconnecting === null) {
      reconnecting = setTimeout(() => setIndicator("reconnecting", "Reconnecting…"), 2000);
    }
    // EventSource retries by itself unless the server answered with an error; then start afresh.
    if (source.readyState === EventSource.CLOSED) {
      source.close();
      setTimeout(connect, 2000);
    }
  });
}

// Undo countdown: the server renders the seconds left; count down from when the element appeared.
const deadlines = new WeakMap();

function tick() {
  const now = performance.now();
  for (const element of document.querySelectorAll("[data-countdown]")) {
    if (!deadlines.has(element)) {
      deadlines.set(element, now + parseFloat(element.dataset.countdown) * 1000);
    }
    const left = Math.max(0, Math.ceil((deadlines.get(element) - now) / 1000));
    const text = left > 0 ? `${left} s` : "a moment";
    if (element.textContent !== text) element.textContent = text;
  }
}

setInterval(tick, 250);
tick();
if ("EventSource" in window) {
  setIndicator("reconnecting", "Connecting…");
  connect();
}
