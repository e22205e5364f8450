// An SVG chart of a replay: demand in shard-equivalents (grey area), each policy's open shards over
// time (step lines), and a strip per policy marking the minutes it throttled. Plain SVG 1.1, no
// scripts or external fonts, readable in a browser or an image viewer.
import type { PolicyKey, ReplayResult } from "./replay";

const W = 1280;
const H = 700;
const M = { left: 78, right: 270, top: 64, bottom: 170 };
const PLOT_W = W - M.left - M.right;
const PLOT_H = H - M.top - M.bottom;

export const POLICY_STYLE: Record<PolicyKey, { label: string; color: string; dash?: string; width: number }> = {
    autoscaler: { label: "our autoscaler (planning)", color: "#1f6fd1", width: 2.4 },
    reactive: { label: "our reactive autoscaler", color: "#00897b", width: 1.6 },
    step: { label: "+1/-1 step (AAS sample)", color: "#e8870e", width: 1.6 },
    reference: { label: "reference (+50 % at 80 %)", color: "#c62828", width: 1.6 },
    staticPeak: { label: "static at peak", color: "#7b3fa0", dash: "7 4", width: 1.6 },
};
const LIMIT_COLOR = "#1b5e20";
const ORDER: PolicyKey[] = ["staticPeak", "reference", "step", "reactive", "autoscaler"];

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const f1 = (x: number) => (Math.round(x * 10) / 10).toString();

/** A "nice" step for about `count` ticks over [0, max]. */
function niceStep(max: number, count: number): number {
    const raw = max / count;
    const mag = 10 ** Math.floor(Math.log10(raw));
    for (const k of [1, 2, 2.5, 5, 10]) if (k * mag >= raw) return k * mag;
    return 10 * mag;
}

const DAY_NAMES = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const two = (n: number) => String(n).padStart(2, "0");

export function replayChartSvg(r: ReplayResult, title: string): string {
    const n = r.trace.minutes;
    const t0 = r.trace.start;
    const x = (minute: number) => M.left + (minute / n) * PLOT_W;
    let yMax = 1;
    for (const v of r.demand) yMax = Math.max(yMax, v);
    for (const k of ORDER) for (const v of r.policies[k].shards) yMax = Math.max(yMax, v);
    for (const v of r.limit.shards) yMax = Math.max(yMax, v);
    const yStep = niceStep(yMax * 1.05, 6);
    const yTop = Math.ceil((yMax * 1.05) / yStep) * yStep;
    const y = (v: number) => M.top + PLOT_H - (v / yTop) * PLOT_H;
    const out: string[] = [];
    out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="13">`);
    out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
    out.push(`<text x="${M.left}" y="26" font-size="18" font-weight="bold">${esc(title)}</text>`);
    out.push(
        `<text x="${M.left}" y="46" fill="#555">${esc(
            `${n.toLocaleString("en")} minutes from ${new Date(t0).toISOString().slice(0, 16).replace("T", " ")} UTC; start ${r.startShards} shards; resharding takes ${r.reshardingDelayMinutes} min; metrics ${r.metricsLagMinutes} min late; at most 10 calls per 24 h`,
        )}</text>`,
    );

    // Grid and y axis.
    for (let v = 0; v <= yTop + 1e-9; v += yStep) {
        out.push(`<line x1="${M.left}" x2="${M.left + PLOT_W}" y1="${f1(y(v))}" y2="${f1(y(v))}" stroke="#e4e4e4"/>`);
        out.push(`<text x="${M.left - 8}" y="${f1(y(v) + 4)}" text-anchor="end">${Number(v.toFixed(2))}</text>`);
    }
    out.push(`<text transform="translate(22 ${M.top + PLOT_H / 2}) rotate(-90)" text-anchor="middle">shards (1 shard = 1 MiB/s or 1,000 records/s written)</text>`);

    // X axis: day ticks for long traces, hour ticks for short ones.
    const minutesPerTick = n > 2 * 1_440 ? 1_440 : n > 12 * 60 ? 180 : n > 3 * 60 ? 60 : n > 60 ? 15 : 5;
    const firstTick = (minutesPerTick - (Math.floor(t0 / 60_000) % minutesPerTick)) % minutesPerTick;
    for (let m = firstTick; m <= n; m += minutesPerTick) {
        const d = new Date(t0 + m * 60_000);
        const label =
            minutesPerTick >= 1_440 ? `${DAY_NAMES[d.getUTCDay()]} ${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}` : `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`;
        out.push(`<line x1="${f1(x(m))}" x2="${f1(x(m))}" y1="${M.top}" y2="${M.top + PLOT_H}" stroke="#eeeeee"/>`);
        out.push(`<line x1="${f1(x(m))}" x2="${f1(x(m))}" y1="${M.top + PLOT_H}" y2="${M.top + PLOT_H + 5}" stroke="#333"/>`);
        out.push(`<text x="${f1(x(m))}" y="${M.top + PLOT_H + 19}" text-anchor="middle">${label}</text>`);
    }
    out.push(`<text x="${M.left + PLOT_W / 2}" y="${M.top + PLOT_H + 38}" text-anchor="middle">time (UTC)</text>`);

    // Demand: the busiest minute per pixel column, so short spikes stay visible.
    const perPx = Math.max(1, Math.ceil(n / PLOT_W));
    const pts: string[] = [`${f1(x(0))},${f1(y(0))}`];
    for (let m = 0; m < n; m += perPx) {
        let peak = 0;
        for (let i = m; i < Math.min(n, m + perPx); i++) peak = Math.max(peak, r.demand[i] as number);
        pts.push(`${f1(x(m))},${f1(y(peak))}`, `${f1(x(Math.min(n, m + perPx)))},${f1(y(peak))}`);
    }
    pts.push(`${f1(x(n))},${f1(y(0))}`);
    out.push(`<polygon points="${pts.join(" ")}" fill="#bdbdbd" fill-opacity="0.75" stroke="none"/>`);

    // Each policy's shard count: a step line through its change points.
    for (const k of ORDER) {
        const s = r.policies[k].shards;
        const st = POLICY_STYLE[k];
        let d = `M${f1(x(0))} ${f1(y(s[0] as number))}`;
        for (let m = 1; m < n; m++) if (s[m] !== s[m - 1]) d += ` H${f1(x(m))} V${f1(y(s[m] as number))}`;
        d += ` H${f1(x(n))}`;
        out.push(`<path d="${d}" fill="none" stroke="${st.color}" stroke-width="${st.width}"${st.dash ? ` stroke-dasharray="${st.dash}"` : ""} stroke-linejoin="round"/>`);
    }
    // The limit's schedule: thin, dark, dotted, under the policies' lines.
    {
        const s = r.limit.shards;
        let d = `M${f1(x(0))} ${f1(y(s[0] as number))}`;
        for (let m = 1; m < n; m++) if (s[m] !== s[m - 1]) d += ` H${f1(x(m))} V${f1(y(s[m] as number))}`;
        d += ` H${f1(x(n))}`;
        out.push(`<path d="${d}" fill="none" stroke="${LIMIT_COLOR}" stroke-width="1.3" stroke-dasharray="2 2"/>`);
    }
    // The demand's outline again on top, so a spike under a policy's line stays visible.
    out.push(`<polyline points="${pts.slice(1, -1).join(" ")}" fill="none" stroke="#555" stroke-width="0.9" stroke-opacity="0.9"/>`);
    out.push(`<rect x="${M.left}" y="${M.top}" width="${PLOT_W}" height="${PLOT_H}" fill="none" stroke="#333"/>`);

    // Throttled minutes: one strip per policy under the axis.
    const stripTop = M.top + PLOT_H + 52;
    out.push(`<text x="${M.left}" y="${stripTop - 6}" fill="#333">throttled minutes (write or read demand above capacity)</text>`);
    const strips: PolicyKey[] = ["autoscaler", "reactive", "step", "reference", "staticPeak"];
    strips.forEach((k, i) => {
        const top = stripTop + i * 14;
        const run = r.policies[k];
        out.push(`<rect x="${M.left}" y="${top}" width="${PLOT_W}" height="10" fill="#f6f6f6"/>`);
        out.push(`<text x="${M.left - 8}" y="${top + 9}" text-anchor="end" font-size="11">${k}</text>`);
        let m = 0;
        while (m < n) {
            if ((run.shards[m] as number) >= Math.max(1, Math.ceil((r.demand[m] as number) - 1e-9))) {
                m++;
                continue;
            }
            const from = m;
            while (m < n && (run.shards[m] as number) < Math.max(1, Math.ceil((r.demand[m] as number) - 1e-9))) m++;
            out.push(`<rect x="${f1(x(from))}" y="${top}" width="${f1(Math.max(1.2, x(m) - x(from)))}" height="10" fill="${POLICY_STYLE[k].color}"/>`);
        }
    });

    // Legend.
    const lx = M.left + PLOT_W + 22;
    let ly = M.top + 8;
    out.push(`<text x="${lx}" y="${ly}" font-weight="bold">legend</text>`);
    ly += 22;
    out.push(`<rect x="${lx}" y="${ly - 10}" width="26" height="12" fill="#bdbdbd" stroke="#555" stroke-width="0.9"/>`);
    out.push(`<text x="${lx + 34}" y="${ly}">demand (shard-equivalents)</text>`);
    out.push(`<text x="${lx + 34}" y="${ly + 16}" fill="#555" font-size="11">oracle: ${f1(r.oracle.shardHours)} shard-h</text>`);
    ly += 42;
    out.push(`<line x1="${lx}" x2="${lx + 26}" y1="${ly - 4}" y2="${ly - 4}" stroke="${LIMIT_COLOR}" stroke-width="1.9" stroke-dasharray="2 2"/>`);
    out.push(`<text x="${lx + 34}" y="${ly}">limit (perfect foresight, API limits)</text>`);
    out.push(
        `<text x="${lx + 34}" y="${ly + 16}" fill="#555" font-size="11">${f1(r.limit.shardHours)} shard-h (${(r.limit.shardHours / r.oracle.shardHours).toFixed(2)}x oracle)</text>`,
    );
    ly += 36;
    for (const k of [...ORDER].reverse()) {
        const st = POLICY_STYLE[k];
        const run = r.policies[k];
        out.push(
            `<line x1="${lx}" x2="${lx + 26}" y1="${ly - 4}" y2="${ly - 4}" stroke="${st.color}" stroke-width="${st.width + 0.6}"${st.dash ? ` stroke-dasharray="${st.dash}"` : ""}/>`,
        );
        out.push(`<text x="${lx + 34}" y="${ly}">${esc(st.label)}</text>`);
        out.push(
            `<text x="${lx + 34}" y="${ly + 16}" fill="#555" font-size="11">${f1(run.shardHours)} shard-h (${(run.shardHours / r.oracle.shardHours).toFixed(2)}x oracle, ${(run.shardHours / r.limit.shardHours).toFixed(2)}x limit)</text>`,
        );
        out.push(`<text x="${lx + 34}" y="${ly + 30}" fill="#555" font-size="11">${run.throttledMinutes} throttled min, ${run.calls.length} calls</text>`);
        ly += 46;
    }
    out.push(`<text x="${lx}" y="${ly}" fill="#555" font-size="11">on-demand: no shards;</text>`);
    out.push(`<text x="${lx}" y="${ly + 14}" fill="#555" font-size="11">cost $${r.policies.onDemand.costUsd.toFixed(2)} vs oracle $${r.oracle.costUsd.toFixed(2)}</text>`);
    out.push("</svg>");
    return `${out.join("\n")}\n`;
}
