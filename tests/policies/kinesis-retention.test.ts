// kinesis-stream-retention: the minimum from config (default 168 h), the 8,760 h ceiling, unknowns.
import {
    assertNoViolations,
    assertViolations,
    compliantStack,
    UNKNOWN,
    unknownDiagnostic,
    violationsOf,
    violationsWithoutSchemaDefaults,
    STACK_URN,
} from "../support/policy-harness";

const RETENTION = "kinesis-stream-retention";
const ITERATOR_AGE = "kinesis-stream-iterator-age-alarm";

/** A compliant stack whose stream keeps records `hours` (absent when undefined), alarm well inside it. */
const withRetention = (hours: number | undefined | string) => compliantStack({ stream: { retentionPeriod: hours } });

describe("policy kinesis-stream-retention", () => {
    describe("with no config (default minRetentionHours 168)", () => {
        for (const hours of [168, 720, 8760]) {
            it(`passes ${hours} h`, async () => {
                assertNoViolations(await violationsOf(withRetention(hours).b.resources));
            });
        }

        it("reports 167 h, one hour short", async () => {
            const s = withRetention(167);
            assertViolations(await violationsOf(s.b.resources), [
                { policyName: RETENTION, enforcementLevel: "mandatory", urn: s.stream.urn, message: "retentionPeriod is 167 h; at least 168 h is required." },
            ]);
        });

        it("reports an absent retentionPeriod as the Kinesis default of 24 h", async () => {
            const s = withRetention(undefined);
            assertViolations(await violationsOf(s.b.resources), [
                { policyName: RETENTION, enforcementLevel: "mandatory", urn: s.stream.urn, message: "retentionPeriod is 24 h; at least 168 h is required." },
            ]);
        });

        it("reports 8761 h, above what Kinesis allows", async () => {
            const s = withRetention(8761);
            assertViolations(await violationsOf(s.b.resources), [
                { policyName: RETENTION, enforcementLevel: "mandatory", urn: s.stream.urn, message: "retentionPeriod is 8761 h; Kinesis allows at most 8760 h." },
            ]);
        });

        it("falls back to 168 h in code when getConfig() is empty (no schema defaults applied)", async () => {
            assertNoViolations(await violationsWithoutSchemaDefaults(withRetention(168).b.resources));
            const s = withRetention(167);
            assertViolations(await violationsWithoutSchemaDefaults(s.b.resources), [
                { policyName: RETENTION, enforcementLevel: "mandatory", urn: s.stream.urn, message: "retentionPeriod is 167 h; at least 168 h is required." },
            ]);
        });

        it("uses the default minimum when the config sets only a level", async () => {
            const s = withRetention(100);
            assertViolations(await violationsOf(s.b.resources, { [RETENTION]: { enforcementLevel: "advisory" } }), [
                { policyName: RETENTION, enforcementLevel: "advisory", urn: s.stream.urn, message: "retentionPeriod is 100 h; at least 168 h is required." },
            ]);
        });
    });

    describe("with minRetentionHours from config", () => {
        it("minRetentionHours 24 (dev) passes 24 h and an absent retentionPeriod", async () => {
            const config = { [RETENTION]: { minRetentionHours: 24 } };
            assertNoViolations(await violationsOf(withRetention(24).b.resources, config));
            assertNoViolations(await violationsOf(withRetention(undefined).b.resources, config));
        });

        it("minRetentionHours 720 reports a week", async () => {
            const s = withRetention(168);
            assertViolations(await violationsOf(s.b.resources, { [RETENTION]: { minRetentionHours: 720 } }), [
                { policyName: RETENTION, enforcementLevel: "mandatory", urn: s.stream.urn, message: "retentionPeriod is 168 h; at least 720 h is required." },
            ]);
        });

        it("still reports above 8760 h whatever the minimum", async () => {
            const s = withRetention(9000);
            assertViolations(await violationsOf(s.b.resources, { [RETENTION]: { minRetentionHours: 24 } }), [
                { policyName: RETENTION, enforcementLevel: "mandatory", urn: s.stream.urn, message: "retentionPeriod is 9000 h; Kinesis allows at most 8760 h." },
            ]);
        });
    });

    it("cannot check a retentionPeriod unknown in preview: both rules that read it report so, as advisory", async () => {
        const s = withRetention(UNKNOWN);
        assertViolations(await violationsOf(s.b.resources), [
            { policyName: RETENTION, enforcementLevel: "advisory", urn: s.stream.urn, message: unknownDiagnostic(RETENTION, "string", "retentionPeriod") },
            // A stack policy's diagnostic carries no URN: the tools name the root stack.
            { policyName: ITERATOR_AGE, enforcementLevel: "advisory", urn: STACK_URN, message: unknownDiagnostic(ITERATOR_AGE, "string", "retentionPeriod") },
        ]);
    });
});
