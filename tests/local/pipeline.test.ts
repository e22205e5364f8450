// The local pipeline end to end, in-process (what `npm start` runs after the preview): a few thousand
// records of the generator's traffic with malformed ones, through the real producer, the local
// event source mapping and the real consumer, the local Firehose; the reconciliation must be exact.
import * as assert from "node:assert/strict";
import { QUARANTINE_REASON_CODES } from "../../contracts/quarantine";
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
    const generator = new TrafficGenerator({
        seed: SEED,
        malformedShare: MALFORMED_SHARE,
        fraud: { amountThreshold: settings.consumer.fraudAmountThreshold, ordersPerMinute: settings.consumer.fraudOrdersPerMinute },
    });
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

    it("quarantines every malformed record at once with its reason code, and retries none of them", () => {
        assert.equal(report.quarantined, malformed.length);
        assert.equal(report.failed, 0);
        assert.equal(
            Object.values(report.quarantinedByReason).reduce((a, b) => a + b, 0),
            malformed.length,
        );
        for (const code of Object.keys(report.quarantinedByReason)) assert.ok((QUARANTINE_REASON_CODES as readonly string[]).includes(code), code);
        assert.equal(report.failureMessages, 0, "poison never reaches the on-failure destination");
        assert.deepEqual(report.expectedPoison, { sent: malformed.length, quarantined: malformed.length, failed: 0, stored: 0 });
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
