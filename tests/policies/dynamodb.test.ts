// DynamoDB tables: point-in-time recovery, encryption with a customer key, deletion protection.
import * as path from "node:path";
import { readPolicyConfig } from "../../tools/lib/policy-engine";
import { assertNoViolations, assertViolations, compliantPipeline, set, UNKNOWN, unknownDiagnostic, violation, violationsOf } from "../support/policy-harness";

const PITR = "dynamodb-table-pitr";
const ENCRYPTED = "dynamodb-table-encrypted";
const PROTECTION = "dynamodb-table-deletion-protection";
const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/app-key-0000-0000-0000-000000000000";

describe("DynamoDB table policies", () => {
    it("pass a table with PITR, the stack's key and deletion protection", async () => {
        assertNoViolations(await violationsOf(compliantPipeline().b.resources));
    });

    const broken: [string, string, Record<string, unknown>, string][] = [
        [PITR, "PITR off", { pointInTimeRecovery: { enabled: false } }, "pointInTimeRecovery is not enabled; set pointInTimeRecovery.enabled true."],
        [PITR, "PITR unset", { pointInTimeRecovery: undefined }, "pointInTimeRecovery is not enabled; set pointInTimeRecovery.enabled true."],
        [
            ENCRYPTED,
            "SSE off (the AWS-owned key)",
            { serverSideEncryption: { enabled: false } },
            "serverSideEncryption is not enabled (AWS-owned key); enable it with the stack's key as kmsKeyArn.",
        ],
        [ENCRYPTED, "SSE unset", { serverSideEncryption: undefined }, "serverSideEncryption is not enabled (AWS-owned key); enable it with the stack's key as kmsKeyArn."],
        [
            ENCRYPTED,
            "SSE on the AWS-managed key",
            { serverSideEncryption: { enabled: true } },
            "serverSideEncryption has no customer-managed kmsKeyArn (aws/dynamodb); set the stack's key.",
        ],
        [PROTECTION, "deletion protection off", { deletionProtectionEnabled: false }, "deletionProtectionEnabled is not true; turn deletion protection on."],
        [PROTECTION, "deletion protection unset", { deletionProtectionEnabled: undefined }, "deletionProtectionEnabled is not true; turn deletion protection on."],
    ];
    for (const [policy, what, patch, message] of broken) {
        it(`${policy} reports ${what}`, async () => {
            const p = compliantPipeline();
            set(p.table, patch);
            // Deletion protection is advisory unless an environment raises it (prod does).
            assertViolations(await violationsOf(p.b.resources), [violation(policy, p.table.urn, message, policy === PROTECTION ? "advisory" : "mandatory")]);
        });
    }

    it("dynamodb-table-encrypted passes the key given as an alias of the stack", async () => {
        const p = compliantPipeline();
        set(p.table, { serverSideEncryption: { enabled: true, kmsKeyArn: KEY_ARN.replace(/key\/.*/, "alias/app") } });
        assertNoViolations(await violationsOf(p.b.resources));
    });

    it("dynamodb-table-deletion-protection at the level each environment gives it: dev disabled, staging advisory, prod mandatory", async () => {
        const p = compliantPipeline();
        set(p.table, { deletionProtectionEnabled: false });
        const message = "deletionProtectionEnabled is not true; turn deletion protection on.";
        const env = (name: string) => readPolicyConfig(path.join(__dirname, "..", "..", "policies", "config", `${name}.json`));
        assertNoViolations(await violationsOf(p.b.resources, env("dev")));
        assertViolations(await violationsOf(p.b.resources, env("staging")), [violation(PROTECTION, p.table.urn, message, "advisory")]);
        assertViolations(await violationsOf(p.b.resources, { [PROTECTION]: "mandatory" }), [violation(PROTECTION, p.table.urn, message)]);
        // prod: "all": "mandatory" (its workload finding aside: the pipeline's two shards do not carry 2,500 records/s).
        const prod = (await violationsOf(p.b.resources, env("prod"))).filter((v) => v.policyName === PROTECTION);
        assertViolations(prod, [violation(PROTECTION, p.table.urn, message)]);
    });

    it("cannot check values unknown in preview: advisory per policy", async () => {
        const p = compliantPipeline();
        set(p.table, { pointInTimeRecovery: UNKNOWN, deletionProtectionEnabled: UNKNOWN });
        assertViolations(await violationsOf(p.b.resources), [
            violation(PROTECTION, p.table.urn, unknownDiagnostic(PROTECTION, "string", "deletionProtectionEnabled"), "advisory"), // always advisory
            violation(PITR, p.table.urn, unknownDiagnostic(PITR, "string", "pointInTimeRecovery"), "advisory"),
        ]);
    });
});
