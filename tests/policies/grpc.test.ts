// The policy pack as `pulumi preview --policy-pack policies` runs it: started as a child process the
// way the CLI starts a nodejs pack (tests/support/policy-server.ts explains argv, cwd, environment and
// the TypeScript path), then driven over `pulumirpc.Analyzer` with the calls the engine makes.
// The last block runs the same inputs through the in-process runner of the offline tools and
// requires the same violations: what `npm run policy:check` reports is what the CLI would report.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Policy } from "@pulumi/policy";
import * as analyzerproto from "@pulumi/pulumi/proto/analyzer_pb";
import { PROJECT } from "../../infra/config";
import { pack as packDef, PACK_NAME, PACK_VERSION, policies } from "../../policies/policies";
import { type EnforcementLevel, levelName, type ResolvedPolicyConfig, type Violation } from "../../tools/lib/analyzer-protocol";
import { type PolicyPackConfig, readPolicyConfig, remediateResources, resolvePolicyConfig, runPolicies } from "../../tools/lib/policy-engine";
import type { StackResource } from "../../tools/lib/resources";
import { readStackConfig } from "../../tools/lib/synth";
import { PACK_DIR, usePolicyPack } from "../support/policy-server";
import { one, synthesize, type SynthResult } from "../support/stack";

const STREAM = "aws:kinesis/stream:Stream";
const KEY = "aws:kms/key:Key";
const TOPIC = "aws:sns/topic:Topic";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const ITERATOR_AGE = "GetRecords.IteratorAgeMilliseconds";
/** What the engine sends for a value it cannot know during preview (@pulumi/pulumi runtime/rpc `unknownValue`). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const PROD_CONFIG_FILE = path.join(PACK_DIR, "config", "prod.json");
const DEV_CONFIG_FILE = path.join(PACK_DIR, "config", "dev.json");

/** A copy of a resource with some inputs replaced (an `undefined` value removes the input). */
function withInputs(r: StackResource, patch: Record<string, unknown>): StackResource {
    const inputs: Record<string, unknown> = structuredClone(r.inputs);
    for (const [k, v] of Object.entries(patch)) {
        if (v === undefined) delete inputs[k];
        else inputs[k] = v;
    }
    return { ...structuredClone(r), inputs };
}

/** A stack's resources with some replaced (same URN) or removed (`null`). */
function replaced(resources: StackResource[], changes: Map<string, StackResource | null>): StackResource[] {
    return resources.flatMap((r) => {
        if (!changes.has(r.urn)) return [r];
        const next = changes.get(r.urn);
        return next ? [next] : [];
    });
}

/** The primary stream's iterator-age alarm (prod also has the replica's). */
function iteratorAgeAlarm(result: SynthResult): StackResource {
    const found = result.resources.filter((r) => r.type === ALARM && r.inputs.metricName === ITERATOR_AGE && r.name === `${result.stack}-stream-iterator-age`);
    assert.equal(found.length, 1, `one ${ITERATOR_AGE} alarm on ${result.stack}-stream`);
    return found[0]!;
}

/** The primary region's stream, key and topic (prod also has the replica region's). */
const primary = (result: SynthResult, type: string) => one(result, type, `${result.stack}-${type === STREAM ? "stream" : type === KEY ? "key" : "alerts"}`);

/** The order runPolicies reports in: URN, then policy, then message. */
function sorted(vs: Violation[]): Violation[] {
    return [...vs].sort((a, b) => a.urn.localeCompare(b.urn) || a.policyName.localeCompare(b.policyName) || a.message.localeCompare(b.message));
}

function policyNamed(name: string): Policy {
    const p = policies.find((x) => x.name === name);
    if (!p) throw new Error(`no policy ${name}`);
    return p;
}

describe("policy pack over pulumirpc.Analyzer (as `pulumi preview --policy-pack policies` runs it)", function () {
    this.timeout(20_000);

    const stackConfig = readStackConfig("prod");
    const getPack = usePolicyPack(() => ({
        project: PROJECT,
        stack: "prod",
        config: stackConfig,
        dryRun: true,
        tags: { "pulumi:project": PROJECT, "pulumi:runtime": "nodejs" },
    }));

    let prod: SynthResult;
    let prodFile: PolicyPackConfig;
    let prodResolved: Record<string, ResolvedPolicyConfig>;
    let stream: StackResource;

    before(async () => {
        prod = await synthesize("prod");
        stream = primary(prod, STREAM);
        prodFile = readPolicyConfig(PROD_CONFIG_FILE);
        prodResolved = resolvePolicyConfig(policies, prodFile);
    });

    it("is started like pulumi-analyzer-policy: `node run-policy-pack <engine> .` in policies/, port on stdout, Handshake unimplemented", async () => {
        const pack = getPack();
        const { launch } = pack;
        assert.equal(launch.cwd, PACK_DIR);
        assert.equal(launch.command, process.execPath);
        assert.deepEqual(launch.args, [require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [PACK_DIR] }), pack.engine.address, "."]);
        const { PULUMI_CONFIG, ...rest } = launch.addedEnv;
        const config = JSON.parse(PULUMI_CONFIG ?? "null") as Record<string, string>;
        assert.deepEqual(config, stackConfig, "PULUMI_CONFIG: the stack config, project:key to string");
        assert.deepEqual(Object.keys(config), Object.keys(stackConfig).sort(), "in Go's json.Marshal order (sorted keys)");
        assert.deepEqual(rest, {
            PULUMI_NODEJS_PROJECT: PROJECT,
            PULUMI_NODEJS_STACK: "prod",
            PULUMI_NODEJS_DRY_RUN: "true",
            PULUMI_PROJECT: PROJECT,
            PULUMI_STACK: "prod",
            PULUMI_DRY_RUN: "true",
        });
        assert.ok(pack.running, "the pack keeps serving");
        // @pulumi/policy 1.x has no Handshake; the CLI treats UNIMPLEMENTED as "use the legacy start-up".
        assert.equal(await pack.handshake(), "unimplemented");
        assert.deepEqual(pack.output(), { stdout: "", stderr: "" }, "nothing printed besides the port");
    });

    it("GetAnalyzerInfo: our pack name and version, and every policy with its type, level and config schema", async () => {
        const info = await getPack().getAnalyzerInfo();
        const manifest = JSON.parse(fs.readFileSync(path.join(PACK_DIR, "package.json"), "utf8")) as { name: string; version: string };
        assert.equal(info.getName(), PACK_NAME);
        assert.equal(info.getVersion(), PACK_VERSION);
        assert.equal(manifest.version, PACK_VERSION, "policies/package.json (read by PolicyPack) and PACK_VERSION agree");
        assert.equal(info.getSupportsconfig(), true);

        const got = info.getPoliciesList().map((p) => ({
            name: p.getName(),
            description: p.getDescription(),
            type: p.getPolicyType(),
            enforcementLevel: levelName(p.getEnforcementlevel()),
            configSchema: p.getConfigschema()?.getProperties()?.toJavaScript(),
            required: p.getConfigschema()?.getRequiredList() ?? [],
        }));
        const want = policies.map((p) => ({
            name: p.name,
            description: p.description,
            type: "validateStack" in p ? analyzerproto.PolicyType.POLICY_TYPE_STACK : analyzerproto.PolicyType.POLICY_TYPE_RESOURCE,
            enforcementLevel: p.enforcementLevel ?? "advisory",
            configSchema: p.configSchema ? JSON.parse(JSON.stringify(p.configSchema.properties)) : undefined,
            required: p.configSchema?.required ?? [],
        }));
        assert.deepEqual(got, want);
        assert.ok(
            got.some((p) => p.configSchema !== undefined),
            "some policies declare a config schema",
        );
    });

    describe("with the prod policy config (policies/config/prod.json)", () => {
        before(async () => getPack().configure(prodResolved));

        it("Configure with the prod config, normalized as the CLI does, succeeds", async () => {
            assert.deepEqual(Object.keys(prodResolved).sort(), policies.map((p) => p.name).sort(), "a level and properties for every policy");
            assert.deepEqual(prodResolved["kinesis-stream-retention"], { enforcementLevel: "mandatory", properties: { minRetentionHours: 168 } });
            await getPack().configure(prodResolved);
        });

        it("Analyze of the compliant prod stream: no diagnostics", async () => {
            const resp = await getPack().analyzeRaw(stream);
            assert.deepEqual(
                resp.getDiagnosticsList().map((d) => d.toObject()),
                [],
            );
        });

        it("Analyze of every prod resource: no diagnostics", async () => {
            for (const r of prod.resources) assert.deepEqual(await getPack().analyze(r), [], r.urn);
        });

        it("Analyze of an unencrypted stream (encryptionType NONE): mandatory kinesis-stream-encrypted", async () => {
            const policy = policyNamed("kinesis-stream-encrypted");
            const resp = await getPack().analyzeRaw(withInputs(stream, { encryptionType: "NONE", kmsKeyId: undefined }));
            const message = `encryptionType is "NONE"; set encryptionType "KMS" with kmsKeyId.`;
            assert.deepEqual(
                resp.getDiagnosticsList().map((d) => ({
                    policyName: d.getPolicyname(),
                    policyPackName: d.getPolicypackname(),
                    policyPackVersion: d.getPolicypackversion(),
                    enforcementLevel: levelName(d.getEnforcementlevel()),
                    description: d.getDescription(),
                    message: d.getMessage(),
                })),
                [
                    {
                        policyName: "kinesis-stream-encrypted",
                        policyPackName: PACK_NAME,
                        policyPackVersion: PACK_VERSION,
                        enforcementLevel: "mandatory",
                        description: policy.description,
                        // The engine prints the description, then the policy's own message.
                        message: `${policy.description}\n${message}`,
                    },
                ],
            );
            assert.deepEqual(await getPack().analyze(withInputs(stream, { encryptionType: "NONE", kmsKeyId: undefined })), [
                { policyName: "kinesis-stream-encrypted", enforcementLevel: "mandatory", urn: stream.urn, message },
            ]);
        });

        it("Analyze of a stream keeping 48 h under minRetentionHours 168: kinesis-stream-retention", async () => {
            assert.deepEqual(await getPack().analyze(withInputs(stream, { retentionPeriod: 48 })), [
                { policyName: "kinesis-stream-retention", enforcementLevel: "mandatory", urn: stream.urn, message: "retentionPeriod is 48 h; at least 168 h is required." },
            ]);
        });

        it("AnalyzeStack of the synthesized prod stack: no violations (and a whole preview reports none)", async () => {
            assert.deepEqual(await getPack().analyzeStack(prod.resources), []);
            assert.deepEqual(await getPack().preview(prod.resources), []);
        });

        it("AnalyzeStack of prod without its iterator-age alarm: kinesis-stream-iterator-age-alarm on the stream's URN", async () => {
            const alarm = iteratorAgeAlarm(prod);
            const resources = replaced(prod.resources, new Map([[alarm.urn, null]]));
            assert.deepEqual(await getPack().analyzeStack(resources), [
                {
                    policyName: "kinesis-stream-iterator-age-alarm",
                    enforcementLevel: "mandatory",
                    urn: stream.urn,
                    message: `stream ${stream.name} has no ${ITERATOR_AGE} alarm on its StreamName.`,
                },
            ]);
        });

        it("Configure with a policy downgraded (advisory, then disabled) changes the level it is reported at", async () => {
            const pack = getPack();
            const unencrypted = withInputs(stream, { encryptionType: "NONE", kmsKeyId: undefined });
            try {
                await pack.configure(resolvePolicyConfig(policies, { ...prodFile, "kinesis-stream-encrypted": "advisory" }));
                assert.deepEqual(
                    (await pack.analyze(unencrypted)).map((v) => [v.policyName, v.enforcementLevel]),
                    [["kinesis-stream-encrypted", "advisory"]],
                );
                await pack.configure(resolvePolicyConfig(policies, { ...prodFile, "kinesis-stream-encrypted": { enforcementLevel: "disabled" } }));
                assert.deepEqual(await pack.analyze(unencrypted), []);
            } finally {
                await pack.configure(prodResolved);
            }
            assert.deepEqual(
                (await pack.analyze(unencrypted)).map((v) => [v.policyName, v.enforcementLevel]),
                [["kinesis-stream-encrypted", "mandatory"]],
                "back to the prod config",
            );
        });
    });

    describe("Remediate (a policy configured remediate), as the engine calls it before Analyze", () => {
        it("rewrites a key without rotation exactly as the in-process remediateResources does, and Analyze then passes it", async () => {
            const pack = getPack();
            const key = withInputs(primary(prod, KEY), { enableKeyRotation: false });
            const config: PolicyPackConfig = { ...prodFile, "kms-key-rotation": "remediate" };
            try {
                await pack.configure(resolvePolicyConfig(policies, config));
                const resp = await pack.remediateRaw(key);
                const overGrpc = resp.getRemediationsList().map((r) => ({
                    policyName: r.getPolicyname(),
                    urn: key.urn,
                    properties: r.getProperties()?.toJavaScript() as Record<string, unknown>,
                }));
                assert.deepEqual(overGrpc, [{ policyName: "kms-key-rotation", urn: key.urn, properties: { ...key.inputs, enableKeyRotation: true } }]);
                assert.deepEqual(overGrpc, (await remediateResources(packDef, [key], config)).remediations);
                assert.deepEqual(await pack.analyze({ ...key, inputs: overGrpc[0]!.properties }), []);
                // Not remediated, the same key is a violation, reported as mandatory.
                assert.deepEqual(
                    (await pack.analyze(key)).map((v) => [v.policyName, v.enforcementLevel]),
                    [["kms-key-rotation", "mandatory"]],
                );
            } finally {
                await pack.configure(prodResolved);
            }
        });
    });

    describe("the in-process runner (tools/lib/policy-engine.ts runPolicies) reports what the CLI path reports", () => {
        interface Scenario {
            name: string;
            resources: () => StackResource[];
            config: () => PolicyPackConfig;
            /** The policies reported, each at its level (the comparison below checks everything else). */
            expect: Record<string, EnforcementLevel>;
        }
        let dev: SynthResult;
        before(async () => {
            dev = await synthesize("dev");
        });

        const prodWith = (changes: (p: SynthResult) => Array<[string, StackResource | null]>) => () => replaced(prod.resources, new Map(changes(prod)));
        const scenarios: Scenario[] = [
            { name: "the prod stack, prod config", resources: () => prod.resources, config: () => prodFile, expect: {} },
            { name: "the dev stack, dev config", resources: () => dev.resources, config: () => readPolicyConfig(DEV_CONFIG_FILE), expect: {} },
            {
                name: "prod without its iterator-age alarm",
                resources: prodWith((p) => [[iteratorAgeAlarm(p).urn, null]]),
                config: () => prodFile,
                expect: { "kinesis-stream-iterator-age-alarm": "mandatory" },
            },
            {
                name: "prod with an unencrypted 48 h stream and no iterator-age alarm",
                resources: prodWith((p) => [
                    [primary(p, STREAM).urn, withInputs(primary(p, STREAM), { encryptionType: "NONE", kmsKeyId: undefined, retentionPeriod: 48 })],
                    [iteratorAgeAlarm(p).urn, null],
                ]),
                config: () => prodFile,
                expect: {
                    "firehose-source-encrypted": "mandatory",
                    "kinesis-stream-encrypted": "mandatory",
                    "kinesis-stream-iterator-age-alarm": "mandatory",
                    "kinesis-stream-retention": "mandatory",
                    "pipeline-retention-covers-replay": "mandatory",
                },
            },
            {
                name: "the same, with kinesis-stream-encrypted advisory and the alarm policy disabled",
                resources: prodWith((p) => [
                    [primary(p, STREAM).urn, withInputs(primary(p, STREAM), { encryptionType: "NONE", kmsKeyId: undefined, retentionPeriod: 48 })],
                    [iteratorAgeAlarm(p).urn, null],
                ]),
                config: () => ({ ...prodFile, "kinesis-stream-encrypted": "advisory", "kinesis-stream-iterator-age-alarm": "disabled" }),
                expect: {
                    "firehose-source-encrypted": "mandatory",
                    "kinesis-stream-encrypted": "advisory",
                    "kinesis-stream-retention": "mandatory",
                    "pipeline-retention-covers-replay": "mandatory",
                },
            },
            {
                name: "prod on AWS-managed keys, a key without rotation, an alarm threshold beyond the share of retention",
                resources: prodWith((p) => [
                    [primary(p, STREAM).urn, withInputs(primary(p, STREAM), { kmsKeyId: "alias/aws/kinesis" })],
                    [primary(p, TOPIC).urn, withInputs(primary(p, TOPIC), { kmsMasterKeyId: "alias/aws/sns" })],
                    [primary(p, KEY).urn, withInputs(primary(p, KEY), { enableKeyRotation: false })],
                    [iteratorAgeAlarm(p).urn, withInputs(iteratorAgeAlarm(p), { threshold: 168 * 3_600_000 })],
                ]),
                config: () => prodFile,
                expect: {
                    "kinesis-stream-customer-key": "mandatory",
                    "sns-topic-encrypted": "mandatory",
                    "kms-key-rotation": "mandatory",
                    "kinesis-stream-iterator-age-alarm": "mandatory",
                },
            },
            {
                // The alarm policy cannot tell whether the alarm watches the stream: @pulumi/policy reports
                // "can't run policy ... during preview", advisory, instead of a violation.
                name: "preview: the stream name unknown and the alarm linked only by value",
                resources: prodWith((p) => {
                    const alarm = iteratorAgeAlarm(p);
                    return [
                        [primary(p, STREAM).urn, withInputs(primary(p, STREAM), { name: UNKNOWN })],
                        [alarm.urn, { ...withInputs(alarm, { dimensions: { StreamName: UNKNOWN } }), propertyDependencies: {}, dependencies: [] }],
                    ];
                }),
                config: () => prodFile,
                // iam-streaming-role-purpose needs the stream's name to tell the replicator's writes (to the replica) from writes to the stream it reads.
                expect: { "iam-streaming-role-purpose": "advisory", "kinesis-stream-iterator-age-alarm": "advisory" },
            },
        ];

        for (const s of scenarios) {
            it(s.name, async () => {
                const pack = getPack();
                const resources = s.resources();
                const config = s.config();
                let overGrpc: Violation[];
                try {
                    await pack.configure(resolvePolicyConfig(policies, config));
                    overGrpc = await pack.preview(resources);
                } finally {
                    await pack.configure(prodResolved);
                }
                const inProcess = await runPolicies(packDef, resources, config);
                assert.deepEqual(inProcess, sorted(overGrpc));
                assert.deepEqual(Object.fromEntries(overGrpc.map((v) => [v.policyName, v.enforcementLevel])), s.expect);
            });
        }
    });
});
