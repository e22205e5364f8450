// resolvePolicyConfig: what the CLI does to a --policy-pack-config file before Configure, and the
// clear PolicyInputError each mistake gets.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pack } from "../../policies/policies";
import { type PolicyPackConfig, PolicyInputError, readPolicyConfig, resolvePolicyConfig } from "../../tools/lib/policy-engine";
import { compliantStack, violationsOf } from "../support/policy-harness";

/** Every policy of the pack, in pack order (the error messages list them so). */
const POLICIES = pack.policies.map((p) => p.name).join(", ");

function assertInputError(fn: () => unknown, message: string): void {
    assert.throws(fn, (e: unknown) => {
        assert.ok(e instanceof PolicyInputError, `expected a PolicyInputError, got ${String(e)}`);
        assert.equal(e.message, message);
        return true;
    });
}

const resolve = (config: unknown) => resolvePolicyConfig(pack.policies, config as PolicyPackConfig);

describe("policy config (resolvePolicyConfig)", () => {
    it("with an empty config gives each policy its own level and the schema defaults", () => {
        const resolved = resolve({});
        assert.deepEqual(
            Object.keys(resolved),
            pack.policies.map((p) => p.name),
        );
        assert.deepEqual(resolved["kinesis-stream-encrypted"], { enforcementLevel: "mandatory", properties: {} });
        assert.deepEqual(resolved["kinesis-stream-customer-key"], { enforcementLevel: "mandatory", properties: {} });
        assert.deepEqual(resolved["kinesis-stream-retention"], { enforcementLevel: "mandatory", properties: { minRetentionHours: 168 } });
        assert.deepEqual(resolved["kinesis-stream-iterator-age-alarm"], { enforcementLevel: "mandatory", properties: { maxThresholdShareOfRetention: 0.5 } });
        assert.deepEqual(resolved["kms-key-rotation"], { enforcementLevel: "mandatory", properties: {} });
        assert.deepEqual(resolved["sns-topic-encrypted"], { enforcementLevel: "mandatory", properties: {} });
        assert.deepEqual(resolved["kinesis-stream-mode"], { enforcementLevel: "mandatory", properties: { allowedModes: ["ON_DEMAND", "PROVISIONED"] } });
        assert.deepEqual(resolved["pipeline-retention-covers-replay"], { enforcementLevel: "mandatory", properties: { replayWindowHours: 72 } });
        assert.deepEqual(resolved["dynamodb-table-deletion-protection"], { enforcementLevel: "advisory", properties: {} });
    });

    it("expands all, keeps per-policy levels and merges properties over the defaults", () => {
        const resolved = resolve({ all: "advisory", "kinesis-stream-retention": { enforcementLevel: "mandatory", minRetentionHours: 720 }, "kms-key-rotation": "disabled" });
        assert.deepEqual(resolved["kinesis-stream-retention"], { enforcementLevel: "mandatory", properties: { minRetentionHours: 720 } });
        assert.deepEqual(resolved["kms-key-rotation"], { enforcementLevel: "disabled", properties: {} });
        assert.deepEqual(resolved["kinesis-stream-iterator-age-alarm"], { enforcementLevel: "advisory", properties: { maxThresholdShareOfRetention: 0.5 } });
    });

    it("accepts each environment's file in policies/config", () => {
        for (const env of ["dev", "staging", "prod"]) {
            const resolved = resolvePolicyConfig(pack.policies, readPolicyConfig(path.join(__dirname, "..", "..", "policies", "config", `${env}.json`)));
            assert.deepEqual(
                Object.keys(resolved),
                pack.policies.map((p) => p.name),
                env,
            );
        }
    });

    describe("rejects with a PolicyInputError", () => {
        it("a policy name the pack does not have", () => {
            assertInputError(
                () => resolve({ "kinesis-stream-encryption": "mandatory" }),
                `Policy config names "kinesis-stream-encryption", which is not a policy of this pack; policies: ${POLICIES}`,
            );
        });

        it('a bad level for "all"', () => {
            assertInputError(() => resolve({ all: "strict" }), 'Policy config "all" must be one of advisory, mandatory, remediate, disabled');
        });

        it('"all" given as an object', () => {
            assertInputError(() => resolve({ all: { enforcementLevel: "mandatory" } }), 'Policy config "all" must be one of advisory, mandatory, remediate, disabled');
        });

        it("a bad level for one policy, as a string", () => {
            assertInputError(
                () => resolve({ "kms-key-rotation": "warn" }),
                'Policy config kms-key-rotation: enforcementLevel "warn" must be one of advisory, mandatory, remediate, disabled',
            );
        });

        it("a bad level for one policy, in an object", () => {
            assertInputError(
                () => resolve({ "kinesis-stream-retention": { enforcementLevel: "Mandatory", minRetentionHours: 168 } }),
                'Policy config kinesis-stream-retention: enforcementLevel "Mandatory" must be one of advisory, mandatory, remediate, disabled',
            );
        });

        it("a property the policy's schema does not declare", () => {
            assertInputError(
                () => resolve({ "kinesis-stream-retention": { minRetentionDays: 7 } }),
                'Policy config kinesis-stream-retention: unknown property "minRetentionDays"; allowed: minRetentionHours',
            );
        });

        it("a property on a policy that takes none", () => {
            assertInputError(
                () => resolve({ "kms-key-rotation": { enforcementLevel: "mandatory", rotationDays: 365 } }),
                'Policy config kms-key-rotation: unknown property "rotationDays"; allowed: none',
            );
        });

        it("a string where the schema wants an integer", () => {
            assertInputError(
                () => resolve({ "kinesis-stream-retention": { minRetentionHours: "168" } }),
                'Policy config kinesis-stream-retention.minRetentionHours = "168": must be integer',
            );
        });

        it("a fraction where the schema wants an integer", () => {
            assertInputError(
                () => resolve({ "kinesis-stream-retention": { minRetentionHours: 167.5 } }),
                "Policy config kinesis-stream-retention.minRetentionHours = 167.5: must be an integer",
            );
        });

        it("a boolean where the schema wants a number", () => {
            assertInputError(
                () => resolve({ "kinesis-stream-iterator-age-alarm": { maxThresholdShareOfRetention: true } }),
                "Policy config kinesis-stream-iterator-age-alarm.maxThresholdShareOfRetention = true: must be number",
            );
        });

        it("an integer below the minimum", () => {
            assertInputError(
                () => resolve({ "kinesis-stream-retention": { minRetentionHours: 12 } }),
                "Policy config kinesis-stream-retention.minRetentionHours = 12: must be from 24 to 8760",
            );
        });

        it("an integer above the maximum", () => {
            assertInputError(
                () => resolve({ "kinesis-stream-retention": { minRetentionHours: 10000 } }),
                "Policy config kinesis-stream-retention.minRetentionHours = 10000: must be from 24 to 8760",
            );
        });

        it("a share of 0 and a share above 1", () => {
            assertInputError(
                () => resolve({ "kinesis-stream-iterator-age-alarm": { maxThresholdShareOfRetention: 0 } }),
                "Policy config kinesis-stream-iterator-age-alarm.maxThresholdShareOfRetention = 0: must be from 0.01 to 1",
            );
            assertInputError(
                () => resolve({ "kinesis-stream-iterator-age-alarm": { maxThresholdShareOfRetention: 1.5 } }),
                "Policy config kinesis-stream-iterator-age-alarm.maxThresholdShareOfRetention = 1.5: must be from 0.01 to 1",
            );
        });

        it("a string where the schema wants a list (allowedModes)", () => {
            assertInputError(
                () => resolve({ "kinesis-stream-mode": { allowedModes: "PROVISIONED" } }),
                'Policy config kinesis-stream-mode.allowedModes = "PROVISIONED": must be array',
            );
        });

        it("a replay window beyond what SQS keeps (336 h)", () => {
            assertInputError(() => resolve({ "sqs-dlq-retention": { replayWindowHours: 337 } }), "Policy config sqs-dlq-retention.replayWindowHours = 337: must be from 1 to 336");
        });

        it("from runPolicies too, before any policy runs", async () => {
            await assert.rejects(violationsOf(compliantStack().b.resources, { "kinesis-stream-retention": { minRetentionHours: 0 } }), {
                message: "Policy config kinesis-stream-retention.minRetentionHours = 0: must be from 24 to 8760",
            });
        });
    });

    describe("readPolicyConfig", () => {
        let dir: string;
        before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-config-"))));
        after(() => fs.rmSync(dir, { recursive: true, force: true }));
        const write = (name: string, text: string) => {
            const file = path.join(dir, name);
            fs.writeFileSync(file, text);
            return file;
        };

        it("reads a config file as written", () => {
            const file = write("ok.json", '{ "all": "mandatory", "kinesis-stream-retention": { "minRetentionHours": 336 } }');
            assert.deepEqual(readPolicyConfig(file), { all: "mandatory", "kinesis-stream-retention": { minRetentionHours: 336 } });
        });

        it("rejects a file that is not JSON, naming the file", () => {
            const file = write("broken.json", '{ "all": "mandatory", ');
            assert.throws(
                () => readPolicyConfig(file),
                (e: unknown) => e instanceof PolicyInputError && e.message.startsWith(`Cannot read policy config ${file}: `) && !e.message.includes("\n"),
            );
        });

        it("rejects a missing file", () => {
            const file = path.join(dir, "absent.json");
            assertInputError(() => readPolicyConfig(file), `Cannot read policy config ${file}: ENOENT: no such file or directory, open '${file}'`);
        });

        it("rejects JSON that is not an object", () => {
            const file = write("list.json", '["kinesis-stream-retention"]');
            assertInputError(() => readPolicyConfig(file), `Policy config ${file} must be a JSON object of policy name to level or settings`);
        });
    });
});
