// The run's report: counts per stage, end-to-end latency (producer send → result stored), throughput,
// and the reconciliation: every record produced must be accounted for by both readers of the
// stream — the consumer (stored in the table, quarantined as poison with its reason, in the
// on-failure store with its reason, or dropped by the mapping's filter) and the archive (under the
// events or the error prefix). A record a reader cannot account for is lost.
import type { QuarantinedRecord } from "../../contracts/quarantine";
import type { ArchivedRecord, ReplayedFailure, StoredEvent } from "./readback";
import { formatStages } from "./report-stages";
import { expectedAlerts, type Ledger, type LedgerEntry } from "./traffic";

export interface ReconcileInput {
    ledger: Ledger;
    stored: readonly StoredEvent[];
    archive: readonly ArchivedRecord[];
    failures: readonly ReplayedFailure[];
    /** The consumer's quarantine objects (contracts/quarantine.ts). */
    quarantine: readonly Pick<QuarantinedRecord, "shardId" | "sequenceNumber" | "subSequenceNumber" | "reasonCode">[];
    /** Why the consumer failed a Kinesis record (`<shardId>:<sequenceNumber>` → its log's reason). */
    reasons: ReadonlyMap<string, string>;
    /** Kinesis records the mapping's filter dropped (`<shardId>:<sequenceNumber>`). */
    filtered: ReadonlySet<string>;
    /** event_id → epoch ms its item was written. */
    storedAt: ReadonlyMap<string, number>;
    alerts: number;
    fraud: { amountThreshold: number; ordersPerMinute: number };
    /** Epoch ms. */
    startedAt: number;
    producingEndedAt: number;
    endedAt: number;
    interrupted: boolean;
    /** Stage counters (invocations, retries, objects...) shown as they are. */
    stages: Record<string, Record<string, number>>;
}

export interface Report {
    produced: number;
    producedByType: Record<string, number>;
    /** Records the stream accepted. */
    sent: number;
    /** Events in the results table. */
    stored: number;
    storedByType: Record<string, number>;
    archived: number;
    archivedUnderErrorPrefix: number;
    /** Archived under a prefix that does not match their event_type and date. */
    misplaced: number;
    /** Quarantined by the consumer as poison (an object under quarantine/ with its reason) and not stored. */
    quarantined: number;
    /** Quarantined records by reason code. */
    quarantinedByReason: Record<string, number>;
    /** The records written malformed on purpose (the expected poison) that the stream accepted, and where they ended. */
    expectedPoison: { sent: number; quarantined: number; failed: number; stored: number };
    /** In the on-failure store (with a reason), neither stored nor quarantined, or refused by the producer. */
    failed: number;
    failedByReason: Record<string, number>;
    filtered: number;
    /** Records a reader could not account for. */
    lost: number;
    lostFromConsumer: number;
    lostFromArchive: number;
    /** Up to 10 ids of lost records. */
    lostSample: string[];
    alerts: number;
    alertsExpected: number;
    p50Ms: number | null;
    p95Ms: number | null;
    p99Ms: number | null;
    maxMs: number | null;
    /** Events stored per second, first send to last write. */
    storedPerSecond: number;
    /** Records sent per second while producing. */
    producedPerSecond: number;
    /** Seconds of traffic (first send to the last outcome). */
    producingSeconds: number;
    durationSeconds: number;
    failureMessages: number;
    interrupted: boolean;
    stages: Record<string, Record<string, number>>;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number | null {
    if (sorted.length === 0) return null;
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** What a reason says, without what differs per record (ids, positions, the input quoted), to group by. */
export function reasonKind(reason: string): string {
    const head = reason.split(": ").slice(0, 2).join(": ");
    return head
        .replace(/(Unexpected token).*$/, "$1")
        .replace(/malformed-\d+|evt-\d+/g, "<id>")
        .replace(/(position|column|line) \d+/g, "$1 N")
        .replace(/'[^']{0,40}'|"[^"]{0,40}"(\.\.\.)?/g, "…")
        .slice(0, 120);
}

const count = (into: Record<string, number>, key: string) => {
    into[key] = (into[key] ?? 0) + 1;
};

export function reconcile(input: ReconcileInput): Report {
    const entries = [...input.ledger.entries.values()];
    const storedIds = new Set(input.stored.map((s) => s.event_id));
    const archivedIds = new Set(input.archive.map((a) => a.id).filter((id): id is string => id !== undefined));

    // The records of each failure message, as ids, with the reason of their Kinesis record.
    const failedReason = new Map<string, string>();
    for (const f of input.failures) {
        const cond = f.message.requestContext.condition;
        const fallback = f.message.responseContext.functionError ? `${cond}: the function failed (${f.message.responseContext.functionError})` : cond;
        for (const r of f.records) {
            const key = `${r.shardId}:${r.sequenceNumber}`;
            const reason = input.reasons.get(key) ?? fallback;
            for (const id of input.ledger.idsAt(r.shardId, r.sequenceNumber)) if (!failedReason.has(id)) failedReason.set(id, reason);
        }
    }
    const quarantinedCode = new Map<string, string>();
    for (const q of input.quarantine) {
        for (const id of input.ledger.idsAtSub(q.shardId, q.sequenceNumber, q.subSequenceNumber)) quarantinedCode.set(id, q.reasonCode);
    }
    const filteredIds = new Set<string>();
    for (const key of input.filtered) {
        const colon = key.indexOf(":");
        for (const id of input.ledger.idsAt(key.slice(0, colon), key.slice(colon + 1))) filteredIds.add(id);
    }

    const producedByType: Record<string, number> = {};
    const storedByType: Record<string, number> = {};
    const failedByReason: Record<string, number> = {};
    const quarantinedByReason: Record<string, number> = {};
    const expectedPoison = { sent: 0, quarantined: 0, failed: 0, stored: 0 };
    const lost: LedgerEntry[] = [];
    let sent = 0;
    let stored = 0;
    let failed = 0;
    let quarantined = 0;
    let filtered = 0;
    let archived = 0;
    let lostFromConsumer = 0;
    let lostFromArchive = 0;
    const latencies: number[] = [];
    for (const e of entries) {
        count(producedByType, e.kind);
        if (!e.outcome?.ok) {
            failed++;
            count(failedByReason, `producer: ${reasonKind(e.outcome?.reason ?? "no outcome from the producer")}`);
            continue;
        }
        sent++;
        const poison = e.kind === "malformed";
        if (poison) expectedPoison.sent++;
        let consumerOk = true;
        if (storedIds.has(e.id)) {
            stored++;
            if (poison) expectedPoison.stored++;
            count(storedByType, e.kind);
            const at = input.storedAt.get(e.id);
            if (at !== undefined) latencies.push(at - e.sentAt);
        } else if (quarantinedCode.has(e.id)) {
            quarantined++;
            if (poison) expectedPoison.quarantined++;
            count(quarantinedByReason, quarantinedCode.get(e.id)!);
        } else if (failedReason.has(e.id)) {
            failed++;
            if (poison) expectedPoison.failed++;
            count(failedByReason, reasonKind(failedReason.get(e.id)!));
        } else if (filteredIds.has(e.id)) {
            filtered++;
        } else {
            consumerOk = false;
            lostFromConsumer++;
        }
        const archiveOk = archivedIds.has(e.id);
        if (archiveOk) archived++;
        else lostFromArchive++;
        if (!consumerOk || !archiveOk) lost.push(e);
    }
    latencies.sort((a, b) => a - b);
    const lastStored = Math.max(input.startedAt, ...input.storedAt.values());
    const durationSeconds = (input.endedAt - input.startedAt) / 1000;
    const producingSeconds = Math.max(0.001, (input.producingEndedAt - input.startedAt) / 1000);
    return {
        produced: entries.length,
        producedByType,
        sent,
        stored,
        storedByType,
        archived,
        archivedUnderErrorPrefix: input.archive.filter((a) => a.error).length,
        misplaced: input.archive.filter((a) => !a.error && !a.partitionMatches).length,
        quarantined,
        quarantinedByReason,
        expectedPoison,
        failed,
        failedByReason,
        filtered,
        lost: lost.length,
        lostFromConsumer,
        lostFromArchive,
        lostSample: lost.slice(0, 10).map((e) => e.id),
        alerts: input.alerts,
        // By what the consumer stored, not the producer's outcomes: a put that failed after a lost
        // response (maybeWritten) may still have reached the stream, and its order the fraud rule.
        alertsExpected: expectedAlerts(entries, input.fraud, (e) => storedIds.has(e.id)),
        p50Ms: percentile(latencies, 50),
        p95Ms: percentile(latencies, 95),
        p99Ms: percentile(latencies, 99),
        maxMs: latencies.length > 0 ? latencies[latencies.length - 1]! : null,
        storedPerSecond: stored > 0 ? Math.round((stored / Math.max(0.001, (lastStored - input.startedAt) / 1000)) * 10) / 10 : 0,
        producedPerSecond: Math.round((entries.length / producingSeconds) * 10) / 10,
        producingSeconds: Math.round(producingSeconds * 10) / 10,
        durationSeconds: Math.round(durationSeconds * 10) / 10,
        failureMessages: input.failures.length,
        interrupted: input.interrupted,
        stages: input.stages,
    };
}

const ms = (v: number | null) => (v === null ? "n/a" : `${v} ms`);
const byCount = (r: Record<string, number>) =>
    Object.entries(r)
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .map(([k, v]) => `${k} ${v}`)
        .join(", ");

/** The report as text: every figure says what it counts, and the consumer's figures add up to what was produced. */
export function formatReport(r: Report): string {
    const out: string[] = [];
    const ok = r.lost === 0;
    const refused = r.produced - r.sent;
    const p = r.expectedPoison;
    out.push(`Report after ${r.durationSeconds} s${r.interrupted ? " (interrupted with Ctrl-C; what was sent was drained first)" : ""}`);
    out.push(`  produced    ${r.produced} records in ${r.producingSeconds} s (${r.producedPerSecond}/s): ${byCount(r.producedByType)}`);
    out.push(`  sent        ${r.sent} accepted by the stream${refused > 0 ? ` (${refused} refused by the producer: counted as failed)` : ""}`);
    out.push(`  Where the consumer put each produced record (each counted once):`);
    out.push(`  stored      ${r.stored} events in the results table: ${byCount(r.storedByType) || "none"}`);
    out.push(
        `  quarantined ${r.quarantined} poison records under quarantine/ with their reason${r.quarantined > 0 ? ` (${byCount(r.quarantinedByReason)})` : ""}; ` +
            `expected poison: ${p.sent} records malformed on purpose, ${p.quarantined} quarantined${p.failed > 0 ? `, ${p.failed} failed` : ""}${p.stored > 0 ? `, ${p.stored} stored (!)` : ""}`,
    );
    out.push(
        `  failed      ${r.failed} records in the on-failure store with their reason (from ${r.failureMessages} on-failure message(s), one per discarded batch), or refused by the producer${r.failed > 0 ? ":" : ""}`,
    );
    for (const [reason, n] of Object.entries(r.failedByReason).sort((a, b) => b[1] - a[1])) out.push(`              ${String(n).padStart(5)}  ${reason}`);
    if (r.filtered > 0) out.push(`  filtered    ${r.filtered} dropped by the mapping's filter criteria`);
    out.push(`  lost        ${r.lostFromConsumer} the consumer cannot account for`);
    const parts = [`${r.stored} stored`, `${r.quarantined} quarantined`, `${r.failed} failed`, ...(r.filtered > 0 ? [`${r.filtered} filtered`] : []), `${r.lostFromConsumer} lost`];
    out.push(`              = ${parts.join(" + ")} = ${r.stored + r.quarantined + r.failed + r.filtered + r.lostFromConsumer} of ${r.produced} produced`);
    out.push(
        `  archived    ${r.archived} of the ${r.sent} accepted records in S3 by Firehose (${r.archivedUnderErrorPrefix} under the error prefix${r.misplaced > 0 ? `, ${r.misplaced} under a wrong partition` : ""}); ${r.lostFromArchive} missing`,
    );
    out.push(`  alerts      ${r.alerts} fraud alerts published (${r.alertsExpected} suspect orders in the traffic)`);
    out.push(`  latency     of the ${r.stored} stored events, producer send → result stored: p50 ${ms(r.p50Ms)}, p95 ${ms(r.p95Ms)}, p99 ${ms(r.p99Ms)}, max ${ms(r.maxMs)}`);
    out.push(`  throughput  ${r.storedPerSecond} events stored per second, first send to last write`);
    out.push(...formatStages(r));
    out.push(
        ok
            ? `Reconciliation: OK. Every one of the ${r.produced} records is accounted for by the consumer (${r.stored} stored + ${r.quarantined} quarantined + ${r.failed} failed${r.filtered > 0 ? ` + ${r.filtered} filtered` : ""}) and by the archive (${r.archived}${refused > 0 ? ` + ${refused} never accepted by the stream` : ""}); lost 0.`
            : `Reconciliation: FAILED. ${r.lost} record(s) unaccounted for (${r.lostFromConsumer} by the consumer, ${r.lostFromArchive} by the archive), e.g. ${r.lostSample.join(", ")}.`,
    );
    return out.join("\n");
}
