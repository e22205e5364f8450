// Enforcement levels as `--policy-pack-config` sets them: "all", per policy (string or object),
// "disabled", "remediate", and each environment's file in policies/config/.
import * as path from "node:path";
import type { EnforcementLevel } from "../../tools/lib/analyzer-protocol";
import { pack } from "../../policies/policies";
import { type PolicyPackConfig, readPolicyConfig, runPolicies } from "../../tools/lib/policy-engine";
import type { StackResource } from "../../tools/lib/resources";
import { assertNoViolations, assertViolationsLike, type ExpectedViolation, expectViolation, StackBuilder, violationsOf } from "../support/policy-harness";

/** A stack that breaks each of the six policies exactly once. */
function brokenStack() {
    const b = new StackBuilder();
    const key = b.key("key", { enableKeyRotation: false });
    const topic = b.topic("alerts", key, { kmsMasterKeyId: "alias/aws/sns" });
    // 24 h retention, AWS-managed key, no alarm.
    const legacy = b.stream("legacy", key, { retentionPeriod: 24, kmsKeyId: "alias/aws/kinesis" });
    // Unencrypted, otherwise fine.
    const clicks = b.stream("clicks", key, { encryptionType: "NONE", kmsKeyId: undefined });
    b.iteratorAgeAlarm("clicks-iterator-age", clicks, topic);
    return { b, key, topic, legacy, clicks };
}

/**
 * The six violations of `brokenStack`, in the engine's order, each at `levels[policy]` (default
 * mandatory). The messages are each rule's own tests' business: here, what they name is enough.
 */
function expected(s: ReturnType<typeof brokenStack>, levels: Record<string, EnforcementLevel> = {}): ExpectedViolation[] {
    const v = (policyName: string, r: StackResource, mentions: string) => expectViolation(policyName, r.urn, mentions, levels[policyName] ?? "mandatory");
    return [
        v("kinesis-stream-encrypted", s.clicks, 'encryptionType is "NONE"'),
        v("kinesis-stream-customer-key", s.legacy, "alias/aws/kinesis"),
        v("kinesis-stream-iterator-age-alarm", s.legacy, "stream legacy has no GetRecords.IteratorAgeMilliseconds alarm"),
        v("kinesis-stream-retention", s.legacy, "retentionPeriod is 24 h"),
        v("kms-key-rotation", s.key, "enableKeyRotation"),
        v("sns-topic-encrypted", s.topic, "alias/aws/sns"),
    ];
}

const without = (list: ExpectedViolation[], ...policies: string[]) => list.filter((v) => !policies.includes(v.policyName));
const envConfig = (env: string): PolicyPackConfig => readPolicyConfig(path.join(__dirname, "..", "..", "policies", "config", `${env}.json`));

describe("policy enforcement levels from config", () => {
    it("with no config, every policy runs at its own level: all six are mandatory", async () => {
        const s = brokenStack();
        assertViolationsLike(await violationsOf(s.b.resources), expected(s));
    });

    it('"all": "advisory" makes every violation advisory', async () => {
        const s = brokenStack();
        const all = Object.fromEntries(expected(s).map((v) => [v.policyName, "advisory" as const]));
        assertViolationsLike(await violationsOf(s.b.resources, { all: "advisory" }), expected(s, all));
    });

    it('a per-policy level overrides "all", as a string or as enforcementLevel in an object', async () => {
        const s = brokenStack();
        const config: PolicyPackConfig = {
            all: "mandatory",
            "kinesis-stream-retention": "advisory",
            "sns-topic-encrypted": { enforcementLevel: "advisory" },
        };
        assertViolationsLike(await violationsOf(s.b.resources, config), expected(s, { "kinesis-stream-retention": "advisory", "sns-topic-encrypted": "advisory" }));
    });

    it('"disabled" turns a resource policy and a stack policy off', async () => {
        const s = brokenStack();
        const config: PolicyPackConfig = { "kms-key-rotation": "disabled", "kinesis-stream-iterator-age-alarm": { enforcementLevel: "disabled" } };
        assertViolationsLike(await violationsOf(s.b.resources, config), without(expected(s), "kms-key-rotation", "kinesis-stream-iterator-age-alarm"));
    });

    it('"all": "disabled" with one policy re-enabled reports only that policy', async () => {
        const s = brokenStack();
        const found = await violationsOf(s.b.resources, { all: "disabled", "kinesis-stream-encrypted": "mandatory" });
        assertViolationsLike(
            found,
            expected(s).filter((v) => v.policyName === "kinesis-stream-encrypted"),
        );
    });

    it('"all": "disabled" reports nothing', async () => {
        assertNoViolations(await violationsOf(brokenStack().b.resources, { all: "disabled" }));
    });

    it('"remediate" on a policy without remediation, or a stack policy, is reported as mandatory (what @pulumi/policy does)', async () => {
        const s = brokenStack();
        assertViolationsLike(await violationsOf(s.b.resources, { "kinesis-stream-retention": "remediate", "kinesis-stream-iterator-age-alarm": "remediate" }), expected(s));
    });

    it('"remediate" on a policy that remediates: analyzed as is (a stack export) it reports mandatory; through Remediate first, nothing', async () => {
        const s = brokenStack();
        const config: PolicyPackConfig = { "kms-key-rotation": "remediate" };
        assertViolationsLike(await violationsOf(s.b.resources, config), expected(s));
        assertViolationsLike(await runPolicies(pack, s.b.resources, config, { remediate: true }), without(expected(s), "kms-key-rotation"));
    });

    describe("policies/config/<env>.json", () => {
        it("dev: customer key and iterator-age advisory, retention mandatory from 24 h", async () => {
            const s = brokenStack();
            assertViolationsLike(
                await violationsOf(s.b.resources, envConfig("dev")),
                without(expected(s, { "kinesis-stream-customer-key": "advisory", "kinesis-stream-iterator-age-alarm": "advisory" }), "kinesis-stream-retention"),
            );
        });

        it("staging: everything mandatory, retention from 168 h, iterator-age threshold within half the retention", async () => {
            const s = brokenStack();
            const share = new StackBuilder();
            const key = share.key("key");
            const stream = share.stream("orders", key);
            share.iteratorAgeAlarm("orders-iterator-age", stream, share.topic("alerts", key), { threshold: 302_400_000 });
            assertViolationsLike(await violationsOf(s.b.resources, envConfig("staging")), expected(s));
            assertNoViolations(await violationsOf(share.resources, envConfig("staging")));
        });

        it("prod: everything mandatory, retention from 168 h, iterator-age threshold within a quarter of the retention", async () => {
            const s = brokenStack();
            const share = new StackBuilder();
            const key = share.key("key");
            const stream = share.stream("orders", key);
            share.iteratorAgeAlarm("orders-iterator-age", stream, share.topic("alerts", key), { threshold: 151_200_001 });
            assertViolationsLike(await violationsOf(s.b.resources, envConfig("prod")), expected(s));
            assertViolationsLike(await violationsOf(share.resources, envConfig("prod")), [
                expectViolation("kinesis-stream-iterator-age-alarm", stream.urn, ["stream orders", "at most 151200000 ms", "0.25 of 168 h"]),
            ]);
        });
    });
});
