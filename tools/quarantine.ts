// npm run quarantine -- list|redrive [--stack <name> | --outputs <file> | --bucket <name> --stream <name>]
//                                  [--reason <text>] [--since <ISO-8601>] [--id <key>]... [--json]
// Lists the poison records the consumer quarantined (contracts/quarantine.ts) and re-puts the chosen
// ones onto the stream after a fix, marking each so a second run does not put it again.
// Where: --bucket/--stream, else the stack outputs archiveBucketName/streamName from --outputs <file>
// (`pulumi stack output --json`) or from the Pulumi CLI for --stack. --s3-endpoint/--kinesis-endpoint
// point at emulators (path-style S3, HTTP/1.1); credentials and region come from the SDK's usual chain
// (--region, else the stack file's aws:region).
// Exit 0: done; 1: a re-put (or its marker) failed, or AWS refused a read; 2: a usage mistake.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { parseFlags, runMain, UsageError } from "./lib/cli";
import type { payloadPreview, QuarantineEntry, QuarantineFilter } from "./lib/quarantine-store";

export const USAGE =
    "npm run quarantine -- <list|redrive> [--stack <name> | --outputs <file> | --bucket <name> [--stream <name>]] " +
    "[--reason <code or text>] [--since <ISO-8601>] [--id <key>]... [--region <region>] [--s3-endpoint <url>] [--kinesis-endpoint <url>] [--json]";
const COMMANDS = ["list", "redrive"] as const;
type Command = (typeof COMMANDS)[number];

export interface QuarantineIo {
    out: (line: string) => void;
    err: (line: string) => void;
    /** Runs `pulumi stack output --json --stack <name>`; returns its stdout or throws. @default the Pulumi CLI */
    stackOutputs?: (stack: string) => string;
}

/** Where the quarantine and the stream are. */
interface Targets {
    bucket: string;
    stream: string | undefined;
    region: string | undefined;
}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;

export function parseSince(value: string): number {
    const ms = Date.parse(value);
    if (!ISO_8601.test(value) || Number.isNaN(ms))
        throw new UsageError(`--since must be an ISO-8601 date or time such as 2026-01-31 or 2026-01-31T12:00:00Z, got ${JSON.stringify(value)}`);
    return ms;
}

function pulumiStackOutputs(stack: string): string {
    const r = spawnSync("pulumi", ["stack", "output", "--json", "--stack", stack], { encoding: "utf8" });
    if (r.error && (r.error as NodeJS.ErrnoException).code === "ENOENT") {
        throw new UsageError(
            `--stack ${stack} reads the stack's outputs with the Pulumi CLI, which is not installed here: give --outputs <file> (pulumi stack output --json) or --bucket and --stream`,
        );
    }
    if (r.status !== 0) throw new UsageError(`pulumi stack output --json --stack ${stack} failed: ${(r.stderr || String(r.error)).trim().split("\n")[0]}`);
    return r.stdout;
}

/** archiveBucketName and streamName of a stack's outputs (the output contract of infra/outputs.ts). */
function fromOutputs(text: string, source: string): { bucket: string; stream: string } {
    let raw: unknown;
    try {
        raw = JSON.parse(text);
    } catch {
        throw new UsageError(`${source} is not JSON: expected the output of pulumi stack output --json`);
    }
    const o = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
    for (const k of ["archiveBucketName", "streamName"]) {
        if (typeof o[k] !== "string" || o[k] === "") throw new UsageError(`${source} has no ${k}: expected the outputs of a kinesis-streaming stack (pulumi stack output --json)`);
    }
    return { bucket: o.archiveBucketName as string, stream: o.streamName as string };
}

async function resolveTargets(v: Record<string, string | boolean | string[] | undefined>, io: QuarantineIo): Promise<Targets> {
    const str = (k: string) => v[k] as string | undefined;
    let fromStack: { bucket: string; stream: string } | undefined;
    if (str("outputs") !== undefined && str("stack") !== undefined) throw new UsageError("give --outputs or --stack, not both (both name the stack's outputs)");
    if (str("outputs") !== undefined) {
        const file = str("outputs")!;
        let text: string;
        try {
            text = fs.readFileSync(file, "utf8");
        } catch (e) {
            throw new UsageError(`cannot read --outputs ${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
        }
        fromStack = fromOutputs(text, file);
    } else if (str("stack") !== undefined && (str("bucket") === undefined || str("stream") === undefined)) {
        fromStack = fromOutputs((io.stackOutputs ?? pulumiStackOutputs)(str("stack")!), `the outputs of stack ${str("stack")}`);
    }
    const bucket = str("bucket") ?? fromStack?.bucket;
    if (bucket === undefined) throw new UsageError("no quarantine bucket: give --bucket <name>, --outputs <file> or --stack <name>");
    let region = str("region");
    if (region === undefined && str("stack") !== undefined) {
        // Loaded only with --stack: the stack reader brings the Pulumi SDK with it.
        const { readStackConfig } = await import("./lib/synth.js");
        try {
            region = readStackConfig(str("stack")!)["aws:region"];
        } catch {
            // no stack file here: the SDK's own region chain decides
        }
    }
    return { bucket, stream: str("stream") ?? fromStack?.stream, region };
}

async function clients(t: Targets, s3Endpoint: string | undefined, kinesisEndpoint: string | undefined, env: NodeJS.ProcessEnv) {
    const [{ KinesisClient }, { S3Client }, { NodeHttpHandler }] = await Promise.all([
        import("@aws-sdk/client-kinesis"),
        import("@aws-sdk/client-s3"),
        import("@smithy/node-http-handler"),
    ]);
    // An endpoint means an emulator: a region is needed and any will do.
    const region = t.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? (s3Endpoint || kinesisEndpoint ? "us-east-1" : undefined);
    const base = region ? { region } : {};
    const s3 = new S3Client({
        ...base,
        ...(s3Endpoint
            ? { endpoint: s3Endpoint, forcePathStyle: true, requestChecksumCalculation: "WHEN_REQUIRED" as const, responseChecksumValidation: "WHEN_REQUIRED" as const }
            : {}),
    });
    const kinesis = new KinesisClient({ ...base, ...(kinesisEndpoint ? { endpoint: kinesisEndpoint, requestHandler: new NodeHttpHandler() } : {}) });
    return { s3, kinesis };
}

function describe(e: QuarantineEntry, preview: typeof payloadPreview): string {
    const r = e.record;
    const where = `${r.shardId} ${r.sequenceNumber}${r.subSequenceNumber !== null ? `#${r.subSequenceNumber}` : ""} key ${JSON.stringify(r.partitionKey)}${r.explicitHashKey !== undefined ? ` hash ${r.explicitHashKey}` : ""}`;
    return `${e.key}\n    ${r.reasonCode}: ${r.reason}\n    ${where}, arrived ${r.arrivedAt}, quarantined ${r.quarantinedAt}${e.redriven ? ", re-driven" : ""}\n    payload ${preview(r.payload)}`;
}

/** The command; resolves with its exit code, throws UsageError for a usage mistake. */
export async function quarantineMain(argv: string[], io: QuarantineIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
    const { values: v, positionals } = parseFlags({
        args: argv,
        options: {
            stack: { type: "string" },
            outputs: { type: "string" },
            bucket: { type: "string" },
            stream: { type: "string" },
            region: { type: "string" },
            "s3-endpoint": { type: "string" },
            "kinesis-endpoint": { type: "string" },
            reason: { type: "string" },
            since: { type: "string" },
            id: { type: "string", multiple: true },
            json: { type: "boolean", default: false },
        },
        allowPositionals: true,
    });
    const [command, ...extra] = positionals;
    if (command === undefined) throw new UsageError(`give a command: ${COMMANDS.join(" or ")}`);
    if (!(COMMANDS as readonly string[]).includes(command)) throw new UsageError(`unknown command ${JSON.stringify(command)}: use ${COMMANDS.join(" or ")}`);
    if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
    if (v.reason !== undefined && v.reason.trim() === "") throw new UsageError("--reason must not be empty: give a reason code or text found in the reason");
    const filter: QuarantineFilter = { reason: v.reason, sinceMs: v.since !== undefined ? parseSince(v.since) : undefined, ids: v.id };
    const targets = await resolveTargets(v, io);
    if ((command as Command) === "redrive" && targets.stream === undefined)
        throw new UsageError("redrive needs the stream: give --stream <name>, --outputs <file> or --stack <name>");

    // The AWS SDK and the store are loaded once the arguments are good: a usage mistake is told at once.
    const { matches, payloadPreview, readQuarantine, redrive } = await import("./lib/quarantine-store.js");
    const { s3, kinesis } = await clients(targets, v["s3-endpoint"], v["kinesis-endpoint"], env);
    try {
        let read: Awaited<ReturnType<typeof readQuarantine>>;
        try {
            read = await readQuarantine(s3, targets.bucket);
        } catch (e) {
            io.err(`cannot read the quarantine in bucket ${targets.bucket}: ${(e as Error).name}: ${(e as Error).message}`);
            return 1;
        }
        const chosen = read.entries.filter((e) => matches(e, filter));
        for (const u of read.unreadable) io.err(`skipped ${u.key}: ${u.problem}`);

        if (command === "list") {
            if (v.json) {
                io.out(JSON.stringify({ bucket: targets.bucket, records: chosen.map((e) => ({ key: e.key, redriven: e.redriven, ...e.record })), unreadable: read.unreadable }));
            } else {
                for (const e of chosen) io.out(describe(e, payloadPreview));
                const redriven = chosen.filter((e) => e.redriven).length;
                io.out(
                    `${chosen.length} quarantined record(s) in ${targets.bucket}${chosen.length < read.entries.length ? ` match (of ${read.entries.length})` : ""}; ${redriven} re-driven already`,
                );
            }
            return 0;
        }

        const outcomes = await redrive(chosen, { s3, bucket: targets.bucket, kinesis, streamName: targets.stream! });
        const n = (s: string) => outcomes.filter((o) => o.status === s).length;
        if (v.json) {
            io.out(JSON.stringify({ bucket: targets.bucket, stream: targets.stream, redriven: n("redriven"), skipped: n("skipped"), failed: n("failed"), outcomes }));
        } else {
            for (const o of outcomes) {
                if (o.status === "redriven") io.out(`re-put ${o.key} -> ${o.shardId} ${o.sequenceNumber}`);
                else if (o.status === "failed") io.err(`FAILED ${o.key}: ${o.why}`);
            }
            io.out(`${n("redriven")} re-put onto ${targets.stream}, ${n("skipped")} skipped (re-driven already), ${n("failed")} failed`);
        }
        return n("failed") > 0 ? 1 : 0;
    } finally {
        s3.destroy();
        kinesis.destroy();
    }
}

if (require.main === module) {
    runMain(() => quarantineMain(process.argv.slice(2), { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) }), USAGE, 2);
}
