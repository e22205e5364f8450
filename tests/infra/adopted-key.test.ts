// The preflight of an adopted key (kmsKeyArn): what its key policy must allow, fatal when it
// lacks it, advisory when it cannot be read.
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { checkAdoptedKey, keyPolicyProblems } from "../../infra/lib/key-policy-check";

const ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const account = { Sid: "Account", Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "kms:*", Resource: "*" };
const alarms = { Sid: "Alarms", Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*" };
const logs = { Sid: "Logs", Effect: "Allow", Principal: { Service: "logs.us-east-1.amazonaws.com" }, Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"], Resource: "*" };
const policy = (...statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });

/** The resolved value of an output, or the error it failed with (Output's own promise: apply never sees a rejection). */
const settle = (o: pulumi.Output<string>) => (o as unknown as { promise(): Promise<string> }).promise().catch((e: Error) => e);

describe("adopted key preflight", () => {
    it("a policy with the CloudWatch Logs and CloudWatch alarms statements passes (wildcards count)", () => {
        assert.deepEqual(keyPolicyProblems(policy(account, alarms, logs), "us-east-1"), []);
        assert.deepEqual(keyPolicyProblems(policy(account, { ...logs, Principal: { Service: ["logs.amazonaws.com"] }, Action: "kms:*" }, { ...alarms, Action: "*" }), "us-east-1"), []);
    });

    it("names each missing use: the account's own statement does not let services in", () => {
        assert.deepEqual(keyPolicyProblems(policy(account), "us-east-1"), [
            "CloudWatch Logs (logs.us-east-1.amazonaws.com) cannot use it, so the stack's encrypted log groups fail to create (missing kms:Encrypt, kms:Decrypt, kms:ReEncryptFrom, kms:ReEncryptTo, kms:GenerateDataKey, kms:DescribeKey for logs.us-east-1.amazonaws.com)",
            "CloudWatch alarms (cloudwatch.amazonaws.com) cannot publish to the alerts topic encrypted with it, and every alarm notification is dropped silently (missing kms:Decrypt, kms:GenerateDataKey for cloudwatch.amazonaws.com)",
        ]);
        assert.equal(keyPolicyProblems(policy(account, alarms, { ...logs, Principal: { Service: "logs.eu-west-1.amazonaws.com" } }), "us-east-1").length, 1, "another region's Logs principal does not count");
        assert.equal(keyPolicyProblems(policy(account, logs, { ...alarms, Effect: "Deny" }), "us-east-1").length, 1, "a Deny grants nothing");
    });

    it("fails the run with one line naming kmsKeyArn when the policy lacks them", async () => {
        const result = await settle(checkAdoptedKey(ARN, "us-east-1", async () => policy(account, logs)));
        assert.ok(result instanceof Error);
        assert.match(result.message, /^Invalid configuration kinesis-streaming:kmsKeyArn = "arn:aws:kms:.*": its key policy is not usable by this stack: CloudWatch alarms .* README, "Adopting a key"\.$/);
        assert.doesNotMatch(result.message, /\n/);
    });

    it("only warns, naming what was not checked, when the policy cannot be read (another account's key, no kms:GetKeyPolicy)", async () => {
        const warnings: string[] = [];
        const denied = async () => {
            throw new Error("AccessDeniedException: User is not authorized to perform: kms:GetKeyPolicy");
        };
        assert.equal(await settle(checkAdoptedKey(ARN, "us-east-1", denied, (m) => warnings.push(m))), ARN);
        assert.equal(warnings.length, 1);
        assert.match(warnings[0]!, /could not be read \(AccessDeniedException: .*\), so it was not checked; it must let logs\.us-east-1\.amazonaws\.com and cloudwatch\.amazonaws\.com use the key/);
    });
});
