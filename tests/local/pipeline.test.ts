// The local pipeline end to end, in-process (what `npm start` runs after the preview): a few thousand
// records of the generator's traffic with malformed ones, through the real producer, the local
// event source mapping and the real consumer, the local Firehose; the reconciliation must be exact.
import * as assert from "node:assert/strict";
import { runPipeline } from "../../tools/local/pipeline";
import type { Report } from "../../tools/local/report";
import { loadLocalSettings } from "../../tools/local/settings";
import { TrafficGenerator } from "../../tools/local/traffic";

const RECORDS = 2_500;
const SEED = 7;
const MALFORMED_SHARE = 0.02;

describe("local pipeline (end to end)", function () {
    this.timeout(90_000);
    let report: Report;
    const settings = loadLocalSettings("dev");
    // The same generator, same seed: what the run must have produced, type by type.
    const generator = new TrafficGenerator({ seed: SEED, malformedShare: MALFORMED_SHARE, fraud: { amountThreshold: settings.consumer.fraudAmountThreshold, ordersPerMinute: settings.consumer.fraudOrdersPerMinute } });
    const planned = Array.from({ length: RECORDS }, () => generator.next());
    const byType: Record<string, number> = {};
    for (const p of planned) byType[p.kind === "event" ? p.type : "malformed"] = (byType[p.kind === "event" ? p.type : "malformed"] ?? 0) + 1;
    const malformed = planned.filter((p) => p.kind === "malformed");

    before(async () => {
        report = await runPipeline({ settings, rate: 2_500, records: RECORDS, malformedShare: MALFORMED_SHARE, seed: SEED, pollIntervalMs: 100 });
    });

    it("produces the generator's traffic, malformed records included", () => {
        assert.ok(malformed.length >= 20, `the seed gives malformed records (${malformed.length})`);
        assert.equal(report.produced, RECORDS);
        assert.equal(report.sent, RECORDS);
        assert.deepEqual(report.producedByType, byType);
    });

    it("stores every valid event in the table, type by type", () => {
        const { malformed: _m, ...valid } = byType;
        assert.deepEqual(report.storedByType, valid);
        assert.equal(report.stored, RECORDS - malformed.length);
    });

    it("has every malformed record in the on-failure store, with the consumer's reason", () => {
        assert.equal(report.failed, malformed.length);
        assert.equal(Object.values(report.failedByReason).reduce((a, b) => a + b, 0), malformed.length);
        for (const reason of Object.keys(report.failedByReason)) assert.match(reason, /^(data is not JSON|data is not UTF-8 text|not a valid event)\b/);
        assert.ok(report.failureMessages >= 1 && report.failureMessages <= malformed.length);
        assert.deepEqual(report.expectedPoison, { sent: malformed.length, quarantined: report.quarantined, failed: report.failed, stored: 0 });
        assert.ok(report.stages.mapping!.retries! >= 1 && report.stages.mapping!.partialFailures! >= 1);
    });

    it("archives every record: valid events under their partition, every malformed one (the transform fails it) under the error prefix", () => {
        assert.equal(report.archived, RECORDS);
        assert.equal(report.archivedUnderErrorPrefix, malformed.length);
        assert.ok(new Set(malformed.map((m) => m.malformation)).size >= 6, "every kind of malformation is in the run");
        assert.equal(report.misplaced, 0);
    });

    it("loses nothing, alerts once per suspect order, and measures latency", () => {
        assert.equal(report.lost, 0, `lost: ${report.lostSample.join(", ")}`);
        assert.equal(report.lostFromConsumer, 0);
        assert.equal(report.lostFromArchive, 0);
        assert.ok(report.alertsExpected > 0);
        assert.equal(report.alerts, report.alertsExpected);
        assert.ok(report.p50Ms !== null && report.p99Ms !== null && report.p50Ms <= report.p99Ms);
        assert.ok(report.storedPerSecond > 0);
    });
});
