// kinesis-stream-mode (capacity modes an environment allows) and kinesis-stream-enhanced-monitoring
// (shard-level metrics on).
import {
    ALL_SHARD_METRICS,
    assertNoViolations,
    assertViolations,
    compliantStack,
    UNKNOWN,
    unknownDiagnostic,
    violation,
    violationsOf,
    violationsWithoutSchemaDefaults,
} from "../support/policy-harness";
import * as assert from "node:assert/strict";
import { SHARD_LEVEL_METRICS as PROGRAM_METRICS } from "../../infra/config";
import { SHARD_LEVEL_METRICS } from "../../policies/rules/kinesis";

const MODE = "kinesis-stream-mode";
const METRICS = "kinesis-stream-enhanced-monitoring";

describe("policy kinesis-stream-mode", () => {
    it("allows both modes by default", async () => {
        assertNoViolations(await violationsOf(compliantStack().b.resources));
        assertNoViolations(await violationsOf(compliantStack({ stream: { streamModeDetails: { streamMode: "ON_DEMAND" }, shardCount: undefined } }).b.resources));
        assertNoViolations(
            await violationsWithoutSchemaDefaults(compliantStack({ stream: { streamModeDetails: { streamMode: "ON_DEMAND" }, shardCount: undefined } }).b.resources),
        );
    });

    it("reports an on-demand stream where only PROVISIONED is allowed (staging, prod)", async () => {
        const s = compliantStack({ stream: { streamModeDetails: { streamMode: "ON_DEMAND" }, shardCount: undefined } });
        assertViolations(await violationsOf(s.b.resources, { [MODE]: { allowedModes: ["PROVISIONED"] } }), [
            violation(MODE, s.stream.urn, "stream mode is ON_DEMAND; this environment allows PROVISIONED."),
        ]);
    });

    it("reports a provisioned stream where only ON_DEMAND is allowed, absent streamModeDetails counting as PROVISIONED", async () => {
        for (const streamModeDetails of [{ streamMode: "PROVISIONED" }, undefined]) {
            const s = compliantStack({ stream: { streamModeDetails } });
            assertViolations(await violationsOf(s.b.resources, { [MODE]: { allowedModes: ["ON_DEMAND"] } }), [
                violation(MODE, s.stream.urn, "stream mode is PROVISIONED; this environment allows ON_DEMAND."),
            ]);
        }
    });

    it("cannot check a mode unknown in preview: advisory", async () => {
        const s = compliantStack({ stream: { streamModeDetails: UNKNOWN } });
        assertViolations(await violationsOf(s.b.resources, { [MODE]: { allowedModes: ["PROVISIONED"] } }), [
            violation(MODE, s.stream.urn, unknownDiagnostic(MODE, "string", "streamModeDetails"), "advisory"),
        ]);
    });
});

describe("policy kinesis-stream-enhanced-monitoring", () => {
    it("knows the same seven metrics as the program (the pack keeps a copy: it is published without infra/)", () => {
        assert.deepEqual([...SHARD_LEVEL_METRICS], [...PROGRAM_METRICS]);
    });

    it("passes the seven shard-level metrics, and ALL", async () => {
        assertNoViolations(await violationsOf(compliantStack({ stream: { shardLevelMetrics: [...ALL_SHARD_METRICS].reverse() } }).b.resources));
        assertNoViolations(await violationsOf(compliantStack({ stream: { shardLevelMetrics: ["ALL"] } }).b.resources));
    });

    it("requires all seven by default, also when no schema default is applied", async () => {
        for (const run of [violationsOf, violationsWithoutSchemaDefaults]) {
            const s = compliantStack({ stream: { shardLevelMetrics: ["IncomingBytes", "IncomingRecords"] } });
            assertViolations(await run(s.b.resources), [
                violation(
                    METRICS,
                    s.stream.urn,
                    "shardLevelMetrics lacks OutgoingBytes, OutgoingRecords, WriteProvisionedThroughputExceeded, ReadProvisionedThroughputExceeded, IteratorAgeMilliseconds; enable them (or ALL).",
                ),
            ]);
        }
    });

    it("reports absent and empty shardLevelMetrics", async () => {
        for (const shardLevelMetrics of [undefined, []]) {
            const s = compliantStack({ stream: { shardLevelMetrics } });
            assertViolations(await violationsOf(s.b.resources), [
                violation(METRICS, s.stream.urn, `shardLevelMetrics lacks ${ALL_SHARD_METRICS.join(", ")}; enable them (or ALL).`),
            ]);
        }
    });

    it("requires only requiredMetrics from config", async () => {
        const config = { [METRICS]: { requiredMetrics: ["IteratorAgeMilliseconds"] } };
        assertNoViolations(await violationsOf(compliantStack({ stream: { shardLevelMetrics: ["IteratorAgeMilliseconds"] } }).b.resources, config));
        const s = compliantStack({ stream: { shardLevelMetrics: ["IncomingBytes"] } });
        assertViolations(await violationsOf(s.b.resources, config), [violation(METRICS, s.stream.urn, "shardLevelMetrics lacks IteratorAgeMilliseconds; enable them (or ALL).")]);
    });

    it("cannot check metrics unknown in preview: advisory", async () => {
        const s = compliantStack({ stream: { shardLevelMetrics: UNKNOWN } });
        assertViolations(await violationsOf(s.b.resources), [violation(METRICS, s.stream.urn, unknownDiagnostic(METRICS, "string", "shardLevelMetrics"), "advisory")]);
    });
});
