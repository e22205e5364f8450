// kinesis-stream-iterator-age-alarm (a stack policy): each stream needs an iterator-age alarm on its
// StreamName, with an action, and a threshold within a share of the retention. Alarms are linked to
// streams by property dependencies (preview: names may be unknown) or by the name's value (stack export).
import * as assert from "node:assert/strict";
import type { StackResource } from "../../tools/lib/resources";
import {
    assertHasViolation,
    assertNoViolations,
    assertViolations,
    compliantStack,
    StackBuilder,
    UNKNOWN,
    unknownDiagnostic,
    violationsOf,
    violationsWithoutSchemaDefaults,
    STACK_URN,
} from "../support/policy-harness";

const POLICY = "kinesis-stream-iterator-age-alarm";
const noAlarm = (stream: string) => `stream ${stream} has no GetRecords.IteratorAgeMilliseconds alarm on its StreamName.`;
const badAlarm = (stream: string, maxMs: number, share: number, hours: number) =>
    `stream ${stream}: its iterator-age alarm needs an alarm action and a threshold of at most ${maxMs} ms (${share} of ${hours} h retention).`;

/** One violation of this policy on `stream`, mandatory. */
const expectOne = (stream: StackResource, message: string) => [{ policyName: POLICY, enforcementLevel: "mandatory" as const, urn: stream.urn, message }];
/** cloudwatch-alarm-actions' finding on an alarm without actions (its URN sorts before the stream's). */
const noAction = (alarm: StackResource) => ({
    policyName: "cloudwatch-alarm-actions",
    enforcementLevel: "mandatory" as const,
    urn: alarm.urn,
    message: "alarmActions is empty; notify the alerts topic (or invoke the function that acts on it).",
});

/** Removes the engine's property dependencies, as in a state where only values link resources. */
function withoutPropertyDependencies(r: StackResource): void {
    r.propertyDependencies = {};
    r.dependencies = [];
}

describe("policy kinesis-stream-iterator-age-alarm", () => {
    it("passes a stream whose alarm is on its StreamName, has an action and a threshold within half the retention", async () => {
        const s = compliantStack();
        assert.deepEqual(s.alarm?.propertyDependencies.dimensions, [s.stream.urn]);
        assertNoViolations(await violationsOf(s.b.resources));
    });

    describe("reports", () => {
        it("a stream with no alarm at all", async () => {
            const s = compliantStack({ noAlarm: true });
            assertViolations(await violationsOf(s.b.resources), expectOne(s.stream, noAlarm("orders")));
        });

        it("an alarm with an empty alarmActions list", async () => {
            const s = compliantStack({ alarm: { alarmActions: [] } });
            assertViolations(await violationsOf(s.b.resources), [noAction(s.alarm!), ...expectOne(s.stream, badAlarm("orders", 302_400_000, 0.5, 168))]);
        });

        it("an alarm without alarmActions (okActions alone do not page anyone)", async () => {
            const s = compliantStack({ alarm: { alarmActions: undefined } });
            assertViolations(await violationsOf(s.b.resources), [noAction(s.alarm!), ...expectOne(s.stream, badAlarm("orders", 302_400_000, 0.5, 168))]);
        });

        it("a threshold 1 ms above half of 168 h", async () => {
            const s = compliantStack({ alarm: { threshold: 302_400_001 } });
            assertViolations(await violationsOf(s.b.resources), expectOne(s.stream, badAlarm("orders", 302_400_000, 0.5, 168)));
        });

        it("a threshold above half of a 24 h retention (the share follows the stream's retention)", async () => {
            const s = compliantStack({ stream: { retentionPeriod: 24 }, alarm: { threshold: 43_200_001 } });
            const found = await violationsOf(s.b.resources, { "kinesis-stream-retention": { minRetentionHours: 24 } });
            assertViolations(found, expectOne(s.stream, badAlarm("orders", 43_200_000, 0.5, 24)));
        });

        it("an alarm without a threshold", async () => {
            const s = compliantStack({ alarm: { threshold: undefined } });
            assertViolations(await violationsOf(s.b.resources), expectOne(s.stream, badAlarm("orders", 302_400_000, 0.5, 168)));
        });

        it("an alarm on another metric of the stream", async () => {
            const s = compliantStack({ alarm: { metricName: "IncomingRecords" } });
            assertViolations(await violationsOf(s.b.resources), expectOne(s.stream, noAlarm("orders")));
        });

        it("an iterator-age alarm in another namespace", async () => {
            const s = compliantStack({ alarm: { namespace: "Custom/Kinesis" } });
            assertViolations(await violationsOf(s.b.resources), expectOne(s.stream, noAlarm("orders")));
        });

        it("a stream whose only iterator-age alarm watches another stream (by dependencies and by value)", async () => {
            const b = new StackBuilder();
            const key = b.key("key");
            const topic = b.topic("alerts", key);
            const orders = b.stream("orders", key);
            const payments = b.stream("payments", key);
            b.iteratorAgeAlarm("payments-iterator-age", payments, topic);
            assertViolations(await violationsOf(b.resources), expectOne(orders, noAlarm("orders")));
        });

        it("a stream whose name is a prefix of the watched stream's name", async () => {
            const b = new StackBuilder();
            const key = b.key("key");
            const topic = b.topic("alerts", key);
            const orders = b.stream("orders", key, { name: "orders-events" });
            const eu = b.stream("orders-eu", key, { name: "orders-events-eu" });
            for (const r of [b.iteratorAgeAlarm("eu-iterator-age", eu, topic)]) withoutPropertyDependencies(r);
            assertViolations(await violationsOf(b.resources), expectOne(orders, noAlarm("orders")));
        });

        it("each stream once, under its own URN, when several streams fail", async () => {
            const b = new StackBuilder();
            const key = b.key("key");
            const topic = b.topic("alerts", key);
            const a = b.stream("a", key);
            const c = b.stream("c", key);
            const cAlarm = b.iteratorAgeAlarm("c-iterator-age", c, topic, { alarmActions: [] });
            assertViolations(await violationsOf(b.resources), [noAction(cAlarm), ...expectOne(a, noAlarm("a")), ...expectOne(c, badAlarm("c", 302_400_000, 0.5, 168))]);
        });
    });

    describe("links alarms to streams", () => {
        it("by property dependencies when the stream name is unknown (preview of a new stack)", async () => {
            const s = compliantStack({ stream: { name: UNKNOWN }, alarm: { dimensions: { StreamName: UNKNOWN }, alarmActions: [UNKNOWN], okActions: [UNKNOWN] } });
            assertNoViolations(await violationsOf(s.b.resources));
        });

        it("by property dependencies, and still checks actions and threshold, when the name is unknown", async () => {
            const s = compliantStack({ stream: { name: UNKNOWN }, alarm: { dimensions: { StreamName: UNKNOWN }, alarmActions: [] } });
            assertViolations(await violationsOf(s.b.resources), [noAction(s.alarm!), ...expectOne(s.stream, badAlarm("orders", 302_400_000, 0.5, 168))]);
        });

        it("by property dependencies for several streams whose names are all unknown", async () => {
            const b = new StackBuilder();
            const key = b.key("key");
            const topic = b.topic("alerts", key);
            for (const n of ["a", "b", "c"]) {
                const st = b.stream(n, key, { name: UNKNOWN });
                b.iteratorAgeAlarm(`${n}-iterator-age`, st, topic, { dimensions: { StreamName: UNKNOWN } });
            }
            assertNoViolations(await violationsOf(b.resources));
        });

        it("by the StreamName value when there are no property dependencies (stack export)", async () => {
            const s = compliantStack();
            withoutPropertyDependencies(s.alarm!);
            assertNoViolations(await violationsOf(s.b.resources));
        });

        it("by value, and reports the alarm's missing action", async () => {
            const s = compliantStack({ alarm: { alarmActions: [] } });
            withoutPropertyDependencies(s.alarm!);
            assertViolations(await violationsOf(s.b.resources), [noAction(s.alarm!), ...expectOne(s.stream, badAlarm("orders", 302_400_000, 0.5, 168))]);
        });

        it("counts one good alarm among bad ones", async () => {
            const s = compliantStack({ alarm: { alarmActions: [] } });
            s.b.iteratorAgeAlarm("orders-iterator-age-page", s.stream, s.topic, { threshold: 600_000 });
            s.b.iteratorAgeAlarm("orders-iterator-age-late", s.stream, s.topic, { threshold: 400_000_000 });
            // Only the silent alarm itself is reported (cloudwatch-alarm-actions), not the stream.
            assertViolations(await violationsOf(s.b.resources), [noAction(s.alarm!)]);
        });
    });

    describe("in preview, when a link cannot be decided", () => {
        it("reports the unknown as advisory rather than a missing alarm or a pass", async () => {
            // The alarm's StreamName is unknown and nothing links it to the stream: it may or may not watch it.
            const s = compliantStack({ alarm: { dimensions: { StreamName: UNKNOWN } } });
            withoutPropertyDependencies(s.alarm!);
            assertViolations(await violationsOf(s.b.resources), [
                { policyName: POLICY, enforcementLevel: "advisory", urn: STACK_URN, message: unknownDiagnostic(POLICY, "string", "dimensions.StreamName") },
            ]);
        });

        it("reports an unknown stream name as advisory when only a value could link the alarm", async () => {
            const s = compliantStack({ stream: { name: UNKNOWN }, alarm: { dimensions: { StreamName: "orders-events" } } });
            withoutPropertyDependencies(s.alarm!);
            assertViolations(await violationsOf(s.b.resources), [
                { policyName: POLICY, enforcementLevel: "advisory", urn: STACK_URN, message: unknownDiagnostic(POLICY, "string", "name") },
            ]);
        });

        it("ignores an undecided alarm when another alarm is linked", async () => {
            const s = compliantStack();
            const stray = s.b.iteratorAgeAlarm("stray-iterator-age", s.stream, s.topic, { dimensions: { StreamName: UNKNOWN } });
            withoutPropertyDependencies(stray);
            assertNoViolations(await violationsOf(s.b.resources));
        });

        it("reports an unknown threshold of the linked alarm as advisory", async () => {
            const s = compliantStack({ alarm: { threshold: UNKNOWN } });
            assertViolations(await violationsOf(s.b.resources), [
                { policyName: POLICY, enforcementLevel: "advisory", urn: STACK_URN, message: unknownDiagnostic(POLICY, "string", "threshold") },
            ]);
        });
    });

    describe("maxThresholdShareOfRetention", () => {
        it("0.25 (prod) reports a threshold 1 ms above a quarter of 168 h and passes exactly a quarter", async () => {
            const config = { [POLICY]: { maxThresholdShareOfRetention: 0.25 } };
            const over = compliantStack({ alarm: { threshold: 151_200_001 } });
            assertViolations(await violationsOf(over.b.resources, config), expectOne(over.stream, badAlarm("orders", 151_200_000, 0.25, 168)));
            assertNoViolations(await violationsOf(compliantStack({ alarm: { threshold: 151_200_000 } }).b.resources, config));
        });

        it("1 allows a threshold of the whole retention", async () => {
            const config = { [POLICY]: { maxThresholdShareOfRetention: 1 } };
            assertNoViolations(await violationsOf(compliantStack({ alarm: { threshold: 604_800_000 } }).b.resources, config));
        });

        it("defaults to 0.5 when the config does not set it", async () => {
            const edge = compliantStack({ alarm: { threshold: 302_400_000 } });
            assertNoViolations(await violationsOf(edge.b.resources, { [POLICY]: "mandatory" }));
            const over = compliantStack({ alarm: { threshold: 302_400_001 } });
            assertHasViolation(await violationsOf(over.b.resources, { [POLICY]: "advisory" }), POLICY, badAlarm("orders", 302_400_000, 0.5, 168), {
                urn: over.stream.urn,
                enforcementLevel: "advisory",
            });
        });

        it("falls back to 0.5 in code when getConfig() is empty (no schema defaults applied)", async () => {
            const over = compliantStack({ alarm: { threshold: 302_400_001 } });
            assertViolations(await violationsWithoutSchemaDefaults(over.b.resources), expectOne(over.stream, badAlarm("orders", 302_400_000, 0.5, 168)));
            assertNoViolations(await violationsWithoutSchemaDefaults(compliantStack({ alarm: { threshold: 302_400_000 } }).b.resources));
        });
    });
});
