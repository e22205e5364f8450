// The remediations (kms-key-rotation, s3-public-access-block-flags, dynamodb-table-pitr,
// dynamodb-table-deletion-protection) through @pulumi/policy's own Remediate handler
// (makeRemediateRpcFun), in-process as the engine calls it before Analyze.
import { strict as assert } from "node:assert";
import { pack } from "../../policies/policies";
import { type PolicyPackConfig, remediateResources, runPolicies } from "../../tools/lib/policy-engine";
import { assertNoViolations, assertViolations, compliantPipeline, set, UNKNOWN, unknownDiagnostic, violation } from "../support/policy-harness";

const REMEDIATE_ALL: PolicyPackConfig = {
    "kms-key-rotation": "remediate",
    "s3-public-access-block-flags": "remediate",
    "dynamodb-table-pitr": "remediate",
    "dynamodb-table-deletion-protection": "remediate",
};

describe("remediation (Remediate before Analyze, as the engine runs it)", () => {
    it("leaves a compliant stack untouched: no remediation, same inputs", async () => {
        const p = compliantPipeline();
        const before = structuredClone(p.b.resources);
        const { resources, remediations } = await remediateResources(pack, p.b.resources, REMEDIATE_ALL);
        assert.deepEqual(remediations, []);
        assert.deepEqual(resources, before);
    });

    it("kms-key-rotation turns rotation on and keeps every other input", async () => {
        const p = compliantPipeline();
        set(p.key, { enableKeyRotation: false });
        const { resources, remediations } = await remediateResources(pack, p.b.resources, REMEDIATE_ALL);
        const fixed = { ...p.key.inputs, enableKeyRotation: true };
        assert.deepEqual(remediations, [{ policyName: "kms-key-rotation", urn: p.key.urn, properties: fixed }]);
        assert.deepEqual(resources.find((r) => r.urn === p.key.urn)?.inputs, fixed);
        assertNoViolations(await runPolicies(pack, p.b.resources, REMEDIATE_ALL, { remediate: true }));
    });

    it("without the remediation pass (a stack export: what is deployed), a remediate policy reports its violation as mandatory", async () => {
        const p = compliantPipeline();
        set(p.key, { enableKeyRotation: false });
        assertViolations(await runPolicies(pack, p.b.resources, REMEDIATE_ALL), [
            violation("kms-key-rotation", p.key.urn, "enableKeyRotation is not true; turn on automatic key rotation."),
        ]);
    });

    it("only at level remediate: mandatory and advisory policies never rewrite inputs", async () => {
        const p = compliantPipeline();
        set(p.key, { enableKeyRotation: false });
        for (const level of ["mandatory", "advisory"] as const) {
            const { remediations } = await remediateResources(pack, p.b.resources, { "kms-key-rotation": level });
            assert.deepEqual(remediations, [], level);
        }
    });

    it("does not touch a key that cannot rotate (asymmetric)", async () => {
        const p = compliantPipeline();
        set(p.key, { customerMasterKeySpec: "RSA_2048", keyUsage: "SIGN_VERIFY", enableKeyRotation: false });
        assert.deepEqual((await remediateResources(pack, p.b.resources, REMEDIATE_ALL)).remediations, []);
    });

    it("s3-public-access-block-flags sets all four flags", async () => {
        const p = compliantPipeline();
        const block = p.archive.bucketSides.block;
        set(block, { blockPublicAcls: false, restrictPublicBuckets: undefined });
        const { remediations } = await remediateResources(pack, p.b.resources, REMEDIATE_ALL);
        assert.deepEqual(remediations, [
            {
                policyName: "s3-public-access-block-flags",
                urn: block.urn,
                properties: { bucket: block.inputs.bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            },
        ]);
        // The stack rule that joins the block to its bucket sees the remediated block too.
        assertNoViolations(await runPolicies(pack, p.b.resources, REMEDIATE_ALL, { remediate: true }));
    });

    it("dynamodb-table-pitr and -deletion-protection both fix one table, the second seeing the first's result", async () => {
        const p = compliantPipeline();
        set(p.table, { pointInTimeRecovery: { enabled: false, recoveryPeriodInDays: 14 }, deletionProtectionEnabled: undefined });
        const { resources, remediations } = await remediateResources(pack, p.b.resources, REMEDIATE_ALL);
        const afterPitr = { ...p.table.inputs, pointInTimeRecovery: { enabled: true, recoveryPeriodInDays: 14 } };
        const afterBoth = { ...afterPitr, deletionProtectionEnabled: true };
        assert.deepEqual(remediations, [
            { policyName: "dynamodb-table-pitr", urn: p.table.urn, properties: afterPitr },
            { policyName: "dynamodb-table-deletion-protection", urn: p.table.urn, properties: afterBoth },
        ]);
        assert.deepEqual(resources.find((r) => r.urn === p.table.urn)?.inputs, afterBoth);
    });

    it("in preview, fixes its own property while others are unknown, and leaves the unknowns to the engine", async () => {
        const p = compliantPipeline();
        set(p.key, { enableKeyRotation: false, policy: UNKNOWN });
        const { remediations } = await remediateResources(pack, p.b.resources, REMEDIATE_ALL);
        assert.deepEqual(remediations, [{ policyName: "kms-key-rotation", urn: p.key.urn, properties: { ...p.key.inputs, enableKeyRotation: true } }]);
        assertViolations(await runPolicies(pack, p.b.resources, REMEDIATE_ALL, { remediate: true }), [
            violation("kms-key-policy-no-wildcard-principal", p.key.urn, unknownDiagnostic("kms-key-policy-no-wildcard-principal", "string", "policy"), "advisory"),
        ]);
    });

    it("in preview, a flag that is itself unknown is set (the fix does not depend on it)", async () => {
        const p = compliantPipeline();
        set(p.table, { deletionProtectionEnabled: UNKNOWN });
        const { remediations } = await remediateResources(pack, p.b.resources, REMEDIATE_ALL);
        assert.deepEqual(remediations, [
            { policyName: "dynamodb-table-deletion-protection", urn: p.table.urn, properties: { ...p.table.inputs, deletionProtectionEnabled: true } },
        ]);
    });
});
