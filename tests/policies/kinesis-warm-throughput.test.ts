// kinesis-stream-warm-throughput: warm throughput only where AWS accepts it.
import { assertNoViolations, assertViolations, compliantStack, violation, violationsOf, violationsWithoutSchemaDefaults } from "../support/policy-harness";

const RULE = "kinesis-stream-warm-throughput";
const onDemand = (warm?: number) => ({ stream: { streamModeDetails: { streamMode: "ON_DEMAND" }, shardCount: undefined, warmThroughputMibPs: warm } });

describe("policy kinesis-stream-warm-throughput", () => {
    it("passes streams without warm throughput, and an on-demand one in an account declaring the commitment", async () => {
        assertNoViolations(await violationsOf(compliantStack().b.resources));
        assertNoViolations(await violationsOf(compliantStack(onDemand(200)).b.resources, { [RULE]: { accountHasMinimumThroughputCommitment: true } }));
    });

    it("reports warm throughput on a provisioned stream", async () => {
        const s = compliantStack({ stream: { warmThroughputMibPs: 100 } });
        assertViolations(
            (await violationsOf(s.b.resources, { [RULE]: { accountHasMinimumThroughputCommitment: true } })).filter((v) => v.policyName === RULE),
            [violation(RULE, s.stream.urn, "warmThroughputMibPs 100 is set on a PROVISIONED stream; AWS supports warm throughput only on ON_DEMAND streams: remove it.")],
        );
    });

    it("reports warm throughput without the declared commitment, defaulting in code to none", async () => {
        const s = compliantStack(onDemand(200));
        const message =
            "warmThroughputMibPs 200 needs the account's minimum throughput billing commitment, which this environment does not declare (accountHasMinimumThroughputCommitment); remove it or declare the commitment.";
        assertViolations(
            (await violationsOf(s.b.resources)).filter((v) => v.policyName === RULE),
            [violation(RULE, s.stream.urn, message)],
        );
        assertViolations(
            (await violationsWithoutSchemaDefaults(s.b.resources)).filter((v) => v.policyName === RULE),
            [violation(RULE, s.stream.urn, message)],
        );
    });
});
