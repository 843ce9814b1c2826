// How values are shown: times in UTC ISO form, relative ages, counts with separators.

const maxDateMs = 8_640_000_000_000_000n;

/** An event timestamp (digit string, ms since the epoch) as ISO time, or the digits when no date holds it. */
export function eventTime(timestamp) {
  const ms = BigInt(timestamp);
  return ms <= maxDateMs ? new Date(Number(ms)).toISOString() : `${timestamp} ms`;
}

/** An ISO date-time string of the API as "2026-12-01 10:05:00 UTC". */
export function isoTime(text) {
  if (!text) return "—";
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? text : `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** "12 s ago", "3 min ago", "5 h ago", "2 d ago". */
export function ago(text, now = Date.now()) {
  if (!text) return "never";
  const seconds = Math.max(0, Math.round((now - new Date(text).getTime()) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86400)} d ago`;
}

export function count(n) {
  return typeof n === "number" ? n.toLocaleString("en-US") : "—";
}

/** An ACL rule in one line: user · item · action → allow|deny. */
export function ruleText(rule) {
  return `user ${rule.user} · item ${rule.item} · action ${rule.action} → ${rule.allow ? "allow" : "deny"}`;
}
