import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { CostEstimate } from "../../infra/lib/cost";
import { previewOfflineMain, USAGE } from "../../tools/preview-offline";
import { runInProcess } from "../support/in-process";
import { hasStackTrace, ROOT, type ToolRun, toolCommand } from "../support/run-tool";

// The runner's own AWS settings must not leak into what the tests expect.
const NO_REGION_ENV = { AWS_REGION: "", AWS_DEFAULT_REGION: "", AWS_PROFILE: "", AWS_CONFIG_FILE: path.join(ROOT, "no-such-aws-config") };

// The command runs in-process (previewOfflineMain, as runMain runs it: same output, same exit code)
// with these environment variables set meanwhile; the two tests marked "(a process)" run it as
// `npm run` does, for what only a process shows: its exit code, its output flushed to a pipe, errors on
// stderr without a stack trace.
async function previewOffline(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ToolRun> {
    const saved = Object.entries(env).map(([k]) => [k, process.env[k]] as const);
    Object.assign(process.env, env);
    try {
        return await runInProcess((io) => previewOfflineMain(args, io), USAGE, 1);
    } finally {
        for (const [k, v] of saved) {
            if (v === undefined) delete process.env[k];
            else process.env[k] = v;
        }
    }
}

/** runTool without blocking: the process runs while the in-process tests go on. */
function spawnTool(args: string[]): Promise<ToolRun> {
    const tool = toolCommand("preview-offline.ts", args);
    return new Promise((resolve) => {
        execFile(tool.command, tool.args, { cwd: ROOT, encoding: "utf8", timeout: 120_000 }, (error, stdout, stderr) => {
            resolve({ status: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr });
        });
    });
}

describe("npm run preview:offline", () => {
    // A per-process stack name: concurrent test runs must not share a stack file.
    const stack = `scratch-${process.pid}`;
    const scratch = path.join(ROOT, `Pulumi.${stack}.yaml`);
    afterEach(() => fs.rmSync(scratch, { force: true }));

    // The processes start together, with a stack file of their own, while the in-process tests run.
    const spawnStack = `scratch-p${process.pid}`;
    const spawnScratch = path.join(ROOT, `Pulumi.${spawnStack}.yaml`);
    let processes: { prodJson: Promise<ToolRun>; badConfig: Promise<ToolRun> };
    before(() => {
        fs.writeFileSync(spawnScratch, "config:\n  aws:region: us-east-1\n  kinesis-streaming:retentionHours: 10\n  kinesis-streaming:streamMode: FAST\n");
        processes = {
            prodJson: spawnTool(["--stack", "prod", "--json"]),
            badConfig: spawnTool(["--stack", spawnStack]),
        };
    });
    after(async () => {
        await Promise.all(Object.values(processes ?? {}));
        fs.rmSync(spawnScratch, { force: true });
    });

    it("lists the dev stack's resources and outputs and a clean policy result (exit 0)", async () => {
        const r = await previewOffline(["--stack", "dev"]);
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /^Offline preview of stack "dev"/);
        assert.match(r.stdout, /\+ aws:kinesis\/stream:Stream\s+dev-stream/);
        assert.match(r.stdout, /\+ aws:kms\/key:Key\s+dev-key/);
        assert.match(r.stdout, /streamName: kinesis-streaming-dev-events/);
        assert.match(r.stdout, /Policies: kinesis-streaming-policies@0\.1\.0 with policies\/config\/dev\.json: 0 mandatory, 0 advisory violation\(s\)/);
        // The estimate in the three modes; dev's account has no commitment, so Advantage is shown, not recommended.
        assert.match(r.stdout, /\n {2}PROVISIONED +\$[\d.]+ \(1 shards: 80 % utilisation, [^)]*\) {2}<- recommended\n/);
        assert.match(r.stdout, /\n {2}ON_DEMAND +\$[\d.]+\n {6}stream x 730 h: \$29\.20\n/);
        assert.match(r.stdout, /\n {2}ON_DEMAND_ADVANTAGE \$[\d.]+ \(needs the account commitment\)\n/);
        assert.match(r.stdout, /commitment shortfall: written below the account's 25 MiB\/s minimum/);
        assert.match(r.stdout, /the commitment is account-wide: .* this stream's share is \$[\d.]+\)/);
    });

    it("with the account's commitment declared, the recommendation weighs On-demand Advantage too and warm throughput is priced", async () => {
        fs.writeFileSync(
            scratch,
            "config:\n  aws:region: us-east-1\n  kinesis-streaming:streamMode: ON_DEMAND\n  kinesis-streaming:accountHasMinimumThroughputCommitment: true\n" +
                "  kinesis-streaming:warmThroughputMibps: 100\n  kinesis-streaming:workloadRecordsPerSecond: 30000\n  kinesis-streaming:workloadAverageRecordBytes: 1024\n",
        );
        const r = await previewOffline(["--stack", stack, "--json"]);
        const cost = JSON.parse(r.stdout).cost as CostEstimate;
        assert.equal(cost.onDemandAdvantage.accountHasCommitment, true);
        assert.ok(cost.onDemandAdvantage.lines.some((l) => l.item.startsWith("warm throughput 100 MiB/s")));
        // 30,000 records/s of 1 KB (29.3 MiB/s) writes above the account minimum: no write shortfall.
        assert.ok(!cost.onDemandAdvantage.lines.some((l) => l.item.startsWith("commitment shortfall: written")));
        const modes = [cost.provisioned, cost.onDemand, cost.onDemandAdvantage];
        assert.equal(cost.recommended, modes.reduce((a, b) => (b.monthlyUsd < a.monthlyUsd ? b : a)).mode);
        assert.equal(cost.cheapest, cost.recommended);
    });

    it("--json prints one object with resources, outputs and violations, whole on a pipe (a process)", async () => {
        const r = await processes.prodJson;
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
        // The cost key keeps its first fields and adds On-demand Advantage and the cheapest of all three.
        const cost = (doc as unknown as { cost: CostEstimate }).cost;
        assert.deepEqual(Object.keys(cost), ["workload", "shards", "provisioned", "onDemand", "onDemandAdvantage", "recommended", "cheapest", "pricesAsOf", "advantagePricesAsOf"]);
        assert.equal(cost.recommended, "PROVISIONED");
        assert.ok(cost.shards >= 2, "within prod's autoscaler bounds (2-64)");
        const adv = cost.onDemandAdvantage;
        assert.equal(adv.accountHasCommitment, false);
        assert.ok(Math.abs(adv.usageUsd + adv.shortfallUsd - adv.monthlyUsd) < 0.011);
    });

    it("a stack file that breaks a mandatory policy exits 1 and names the violation", async () => {
        fs.writeFileSync(scratch, "config:\n  aws:region: us-east-1\n  kinesis-streaming:retentionHours: 48\n");
        const r = await previewOffline(["--stack", stack]);
        assert.equal(r.status, 1, r.stdout + r.stderr);
        assert.match(r.stdout, /with the pack's defaults: 2 mandatory/);
        const urn = `urn:pulumi:${stack}::kinesis-streaming::streaming:kinesis:Stream$aws:kinesis/stream:Stream::${stack}-stream`;
        assert.ok(r.stdout.includes(`mandatory kinesis-stream-retention ${urn}: retentionPeriod is 48 h; at least 168 h is required.`), r.stdout);
    });

    it("a bad config value exits 1 with one line naming key, value and range, and no stack trace (a process)", async () => {
        const r = await processes.badConfig;
        assert.equal(r.status, 1);
        assert.equal(r.stdout, "");
        assert.equal(
            r.stderr,
            'Invalid configuration kinesis-streaming:streamMode = "FAST": must be one of ON_DEMAND, PROVISIONED\n' +
                'Invalid configuration kinesis-streaming:retentionHours = "10": must be an integer from 24 to 8760 (hours)\n',
        );
        assert.ok(!hasStackTrace(r.stderr));
    });

    it("config AWS would refuse exits 1 with one line per problem naming the key: a misspelt key, a region AWS does not have, a mailto: subscription", async () => {
        fs.writeFileSync(
            scratch,
            "config:\n  aws:region: us-moon-1\n  kinesis-streaming:shardcount: 2\n  kinesis-streaming:replicaRegion: us-moon-1\n" +
                '  kinesis-streaming:alertSubscriptions: ["mailto:ops@example.com", "ops@example.com", "sms:+15550100"]\n',
        );
        const r = await previewOffline(["--stack", stack], NO_REGION_ENV);
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

    it("takes the region from AWS_REGION when the stack sets none, and fails in one line when nothing does", async () => {
        fs.writeFileSync(scratch, "config:\n  kinesis-streaming:owner: data-team\n");
        const fromEnv = await previewOffline(["--stack", stack, "--json"], { ...NO_REGION_ENV, AWS_REGION: "eu-west-1" });
        assert.equal(fromEnv.status, 0, fromEnv.stderr);
        assert.match(JSON.parse(fromEnv.stdout).outputs.streamArn as string, /^arn:aws:kinesis:eu-west-1:/);
        const none = await previewOffline(["--stack", stack], NO_REGION_ENV);
        assert.equal(none.status, 1);
        assert.equal(
            none.stderr,
            "No AWS region: set aws:region in the stack file (pulumi config set aws:region us-east-1), or AWS_REGION / AWS_DEFAULT_REGION, or a region in the AWS profile\n",
        );
    });

    it("a stack file that is not a map, or whose config is not one, gets one line", async () => {
        for (const [text, message] of [
            ["- aws:region: us-east-1\n", `Pulumi.${stack}.yaml must be a map with a "config" map of key: value`],
            ["config: [aws:region]\n", `Pulumi.${stack}.yaml: "config" must be a map of key: value`],
            ["config: us-east-1\n", `Pulumi.${stack}.yaml: "config" must be a map of key: value`],
        ]) {
            fs.writeFileSync(scratch, text!);
            const r = await previewOffline(["--stack", stack]);
            assert.equal(r.status, 1, text);
            assert.equal(r.stderr, `${message}\n`);
        }
    });

    it("an unknown stack, a broken stack file and bad flags get one clear line", async () => {
        const unknown = await previewOffline(["--stack", "qa"]);
        assert.equal(unknown.status, 1);
        assert.match(unknown.stderr, /^No stack file Pulumi\.qa\.yaml; stacks: .*dev.*prod.*staging/);

        fs.writeFileSync(scratch, "config: [unclosed\n");
        const broken = await previewOffline(["--stack", stack]);
        assert.equal(broken.status, 1);
        assert.ok(broken.stderr.startsWith(`Pulumi.${stack}.yaml is not valid YAML: `), broken.stderr);

        const missing = await previewOffline([]);
        assert.equal(missing.status, 1);
        assert.match(missing.stderr, /^--stack is required \(dev, staging or prod\)\nusage: npm run preview:offline -- --stack <name> \[--json\]/);
        for (const r of [unknown, broken, missing]) assert.ok(!hasStackTrace(r.stderr), r.stderr);
    });
});
