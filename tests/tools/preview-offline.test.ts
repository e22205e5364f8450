import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { hasStackTrace, ROOT, runTool } from "../support/run-tool";

// The runner's own AWS settings must not leak into what the tests expect.
const NO_REGION_ENV = { AWS_REGION: "", AWS_DEFAULT_REGION: "", AWS_PROFILE: "", AWS_CONFIG_FILE: path.join(ROOT, "no-such-aws-config") };

describe("npm run preview:offline", () => {
    // A per-process stack name: concurrent test runs must not share a stack file.
    const stack = `scratch-${process.pid}`;
    const scratch = path.join(ROOT, `Pulumi.${stack}.yaml`);
    afterEach(() => fs.rmSync(scratch, { force: true }));

    it("lists the dev stack's resources and outputs and a clean policy result (exit 0)", () => {
        const r = runTool("preview-offline.ts", ["--stack", "dev"]);
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /^Offline preview of stack "dev"/);
        assert.match(r.stdout, /\+ aws:kinesis\/stream:Stream\s+dev-stream/);
        assert.match(r.stdout, /\+ aws:kms\/key:Key\s+dev-key/);
        assert.match(r.stdout, /streamName: kinesis-streaming-dev-events/);
        assert.match(r.stdout, /Policies: kinesis-streaming-policies@0\.1\.0 with policies\/config\/dev\.json: 0 mandatory, 0 advisory violation\(s\)/);
    });

    it("--json prints one object with resources, outputs and violations", () => {
        const r = runTool("preview-offline.ts", ["--stack", "prod", "--json"]);
        assert.equal(r.status, 0, r.stderr);
        const lines = r.stdout.trim().split("\n");
        assert.equal(lines.length, 1);
        const doc = JSON.parse(lines[0]!) as {
            resources: { type: string; name: string; urn: string; inputs: object; parent?: string }[];
            outputs: Record<string, unknown>;
            violations: unknown[];
        };
        assert.deepEqual(Object.keys(doc), ["resources", "outputs", "violations", "cost"]);
        const stream = doc.resources.find((x) => x.type === "aws:kinesis/stream:Stream")!;
        assert.equal(stream.urn, "urn:pulumi:prod::kinesis-streaming::streaming:kinesis:Stream$aws:kinesis/stream:Stream::prod-stream");
        assert.equal(stream.parent, "urn:pulumi:prod::kinesis-streaming::streaming:kinesis:Stream::prod-stream");
        assert.equal((stream.inputs as { encryptionType: string }).encryptionType, "KMS");
        assert.equal(doc.outputs.streamMode, "PROVISIONED");
        assert.deepEqual(doc.violations, []);
    });

    it("a stack file that breaks a mandatory policy exits 1 and names the violation", () => {
        fs.writeFileSync(scratch, "config:\n  aws:region: us-east-1\n  kinesis-streaming:retentionHours: 48\n");
        const r = runTool("preview-offline.ts", ["--stack", stack]);
        assert.equal(r.status, 1, r.stdout + r.stderr);
        assert.match(r.stdout, /with the pack's defaults: 2 mandatory/);
        const urn = `urn:pulumi:${stack}::kinesis-streaming::streaming:kinesis:Stream$aws:kinesis/stream:Stream::${stack}-stream`;
        assert.ok(r.stdout.includes(`mandatory kinesis-stream-retention ${urn}: retentionPeriod is 48 h; at least 168 h is required.`), r.stdout);
    });

    it("a bad config value exits 1 with one line naming key, value and range, and no stack trace", () => {
        fs.writeFileSync(scratch, "config:\n  aws:region: us-east-1\n  kinesis-streaming:retentionHours: 10\n  kinesis-streaming:streamMode: FAST\n");
        const r = runTool("preview-offline.ts", ["--stack", stack]);
        assert.equal(r.status, 1);
        assert.equal(r.stdout, "");
        assert.equal(
            r.stderr,
            'Invalid configuration kinesis-streaming:streamMode = "FAST": must be one of ON_DEMAND, PROVISIONED\n' +
                'Invalid configuration kinesis-streaming:retentionHours = "10": must be an integer from 24 to 8760 (hours)\n',
        );
        assert.ok(!hasStackTrace(r.stderr));
    });

    it("config AWS would refuse exits 1 with one line per problem naming the key: a misspelt key, a region AWS does not have, a mailto: subscription", () => {
        fs.writeFileSync(
            scratch,
            "config:\n  aws:region: us-moon-1\n  kinesis-streaming:shardcount: 2\n  kinesis-streaming:replicaRegion: us-moon-1\n" +
                '  kinesis-streaming:alertSubscriptions: ["mailto:ops@example.com", "ops@example.com", "sms:+15550100"]\n',
        );
        const r = runTool("preview-offline.ts", ["--stack", stack], NO_REGION_ENV);
        assert.equal(r.status, 1);
        assert.equal(r.stdout, "");
        const lines = r.stderr.trim().split("\n");
        assert.deepEqual(
            lines.map((l) => l.split(/ = |: /)[0]),
            [
                "Invalid configuration aws:region",
                "Invalid configuration kinesis-streaming:alertSubscriptions",
                "Invalid configuration kinesis-streaming:alertSubscriptions",
                "Invalid configuration kinesis-streaming:replicaRegion",
                "Unknown configuration kinesis-streaming:shardcount",
            ],
        );
        assert.match(lines[1]!, /"mailto:ops@example\.com": .*SNS has no mailto protocol/);
        assert.match(lines[4]!, /did you mean kinesis-streaming:shardCount\?/);
        assert.ok(!hasStackTrace(r.stderr));
    });

    it("takes the region from AWS_REGION when the stack sets none, and fails in one line when nothing does", () => {
        fs.writeFileSync(scratch, "config:\n  kinesis-streaming:owner: data-team\n");
        const fromEnv = runTool("preview-offline.ts", ["--stack", stack, "--json"], { ...NO_REGION_ENV, AWS_REGION: "eu-west-1" });
        assert.equal(fromEnv.status, 0, fromEnv.stderr);
        assert.match(JSON.parse(fromEnv.stdout).outputs.streamArn as string, /^arn:aws:kinesis:eu-west-1:/);
        const none = runTool("preview-offline.ts", ["--stack", stack], NO_REGION_ENV);
        assert.equal(none.status, 1);
        assert.equal(
            none.stderr,
            "No AWS region: set aws:region in the stack file (pulumi config set aws:region us-east-1), or AWS_REGION / AWS_DEFAULT_REGION, or a region in the AWS profile\n",
        );
    });

    it("a stack file that is not a map, or whose config is not one, gets one line", () => {
        for (const [text, message] of [
            ["- aws:region: us-east-1\n", `Pulumi.${stack}.yaml must be a map with a "config" map of key: value`],
            ["config: [aws:region]\n", `Pulumi.${stack}.yaml: "config" must be a map of key: value`],
            ["config: us-east-1\n", `Pulumi.${stack}.yaml: "config" must be a map of key: value`],
        ]) {
            fs.writeFileSync(scratch, text!);
            const r = runTool("preview-offline.ts", ["--stack", stack]);
            assert.equal(r.status, 1, text);
            assert.equal(r.stderr, `${message}\n`);
        }
    });

    it("an unknown stack, a broken stack file and bad flags get one clear line", () => {
        const unknown = runTool("preview-offline.ts", ["--stack", "qa"]);
        assert.equal(unknown.status, 1);
        assert.match(unknown.stderr, /^No stack file Pulumi\.qa\.yaml; stacks: .*dev.*prod.*staging/);

        fs.writeFileSync(scratch, "config: [unclosed\n");
        const broken = runTool("preview-offline.ts", ["--stack", stack]);
        assert.equal(broken.status, 1);
        assert.ok(broken.stderr.startsWith(`Pulumi.${stack}.yaml is not valid YAML: `), broken.stderr);

        const missing = runTool("preview-offline.ts", []);
        assert.equal(missing.status, 1);
        assert.match(missing.stderr, /^--stack is required \(dev, staging or prod\)\nusage: npm run preview:offline -- --stack <name> \[--json\]/);
        for (const r of [unknown, broken, missing]) assert.ok(!hasStackTrace(r.stderr), r.stderr);
    });
});
