// The autoscaler's own record of its UpdateShardCount calls, kept on the stream itself as one tag:
// zero extra infrastructure, survives invocations and redeployments, visible in the console, and
// readable with the stream permissions the function already has (ListTagsForStream, AddTagsToStream).
//
// Tag value: space-separated entries `<direction><time>`, direction `+` (scale out) or `-` (scale in),
// time in ISO 8601 basic format to the second, e.g. `+20251103T093000Z -20251103T231500Z`.
// Only the characters AWS allows in tag values; 10 entries take 179 of the 256 characters. The tag
// key is HISTORY_TAG_KEY (contracts/tags.ts): infra leaves its changes alone.
import { HISTORY_SAFETY_MARGIN_MS, UPDATE_SHARD_COUNT } from "./limits";

export interface ScalingCall {
    /** Epoch milliseconds of the call. */
    at: number;
    direction: "out" | "in";
}

/** Calls that still count against the rolling 24 h limit at `now` (with the safety margin), oldest first. */
export function callsInWindow(history: readonly ScalingCall[], now: number): ScalingCall[] {
    const since = now - UPDATE_SHARD_COUNT.windowMs - HISTORY_SAFETY_MARGIN_MS;
    return history.filter((c) => c.at > since && c.at <= now).sort((a, b) => a.at - b.at);
}

/** When the oldest counted call stops counting (epoch ms), or undefined with no call counted. */
export function nextCallFreedAt(history: readonly ScalingCall[], now: number): number | undefined {
    const counted = callsInWindow(history, now);
    const oldest = counted[0];
    return oldest === undefined ? undefined : oldest.at + UPDATE_SHARD_COUNT.windowMs + HISTORY_SAFETY_MARGIN_MS;
}

/** The most recent call, if any. */
export function lastCall(history: readonly ScalingCall[]): ScalingCall | undefined {
    let last: ScalingCall | undefined;
    for (const c of history) if (last === undefined || c.at > last.at) last = c;
    return last;
}

const basic = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/[-:]/g, "").replace(".000", "");

/** The tag value for the calls still counted at `now` (older ones are dropped; at most the newest 10 kept). */
export function encodeHistory(history: readonly ScalingCall[], now: number): string {
    return callsInWindow(history, now)
        .slice(-UPDATE_SHARD_COUNT.callsPer24h)
        .map((c) => `${c.direction === "out" ? "+" : "-"}${basic(c.at)}`)
        .join(" ");
}

const ENTRY = /^([+-])(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** Reads a tag value; entries that do not parse are returned apart (the caller logs them), never guessed. */
export function decodeHistory(value: string | undefined): { calls: ScalingCall[]; unreadable: string[] } {
    const calls: ScalingCall[] = [];
    const unreadable: string[] = [];
    for (const token of (value ?? "").split(/\s+/).filter((t) => t.length > 0)) {
        const m = ENTRY.exec(token);
        const at = m ? Date.UTC(Number(m[2]), Number(m[3]) - 1, Number(m[4]), Number(m[5]), Number(m[6]), Number(m[7])) : NaN;
        if (!m || Number.isNaN(at) || basic(at) !== token.slice(1)) unreadable.push(token);
        else calls.push({ at, direction: m[1] === "+" ? "out" : "in" });
    }
    return { calls: calls.sort((a, b) => a.at - b.at), unreadable };
}
