// lambda-function-explicit-limits: timeout and memory are set, not Lambda's defaults.
import { assertNoViolations, assertViolations, compliantPipeline, set, violation, violationsOf } from "../support/policy-harness";

const POLICY = "lambda-function-explicit-limits";

describe("policy lambda-function-explicit-limits", () => {
    it("passes functions with a timeout and a memory size (even the defaults' values, set on purpose)", async () => {
        const p = compliantPipeline();
        assertNoViolations(await violationsOf(p.b.resources));
        set(p.producers.fn, { timeout: 3, memorySize: 128 });
        assertNoViolations(await violationsOf(p.b.resources));
    });

    const broken: [string, Record<string, unknown>, string][] = [
        ["no timeout", { timeout: undefined }, "timeout"],
        ["no memorySize", { memorySize: undefined }, "memorySize"],
        ["neither", { timeout: undefined, memorySize: undefined }, "timeout and memorySize"],
    ];
    for (const [what, patch, missing] of broken) {
        it(`reports ${what}`, async () => {
            const p = compliantPipeline();
            set(p.consumer.fn, patch);
            assertViolations(await violationsOf(p.b.resources), [
                violation(POLICY, p.consumer.fn.urn, `${missing} not set (Lambda's defaults: 3 s, 128 MB); size the function for a full batch.`),
            ]);
        });
    }
});
