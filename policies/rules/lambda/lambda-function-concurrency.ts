import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";
import { at, candidatesFor, forEachDecidable, linkedOrThrow, linksOf, orIfUnknown } from "../common";
import { BY_NAME, functionOfEsm, kinesisSourceOf, ofType, TYPE } from "../graph";
import { autoscalerFunctions } from "./lambda-autoscaler-concurrency";

/** Types only this rule joins (not graph.ts's: nothing else needs them). */
const PERMISSION = "aws:lambda/permission:Permission";
const STAGE = "aws:apigatewayv2/stage:Stage";

/** How a function's concurrency is bounded, and what its reserved concurrency must then be. */
type Bound =
    | { kind: "autoscaler" }
    | { kind: "stream"; esm: PolicyResource; needed?: number; how: string }
    | { kind: "api"; stage?: PolicyResource }
    | { kind: "firehose"; firehose: PolicyResource }
    | { kind: "none" };

const nameMatches = (ref: unknown, fn: PolicyResource) => typeof ref === "string" && (ref === fn.props.name || ref.endsWith(`:function:${String(fn.props.name)}`));
/** The function names `nameMatches` can accept for `ref`: the index lookup of the join. */
const namesIn = (ref: unknown): string[] => (typeof ref === "string" ? [ref, ref.slice(ref.lastIndexOf(":function:") + ":function:".length)] : []);
/** The API id in an execute-api ARN (`arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/...`). */
const apiIdIn = (arn: unknown): string | undefined => (typeof arn === "string" ? /^arn:[^:]+:execute-api:[^:]*:[^:]*:([^/]+)\//.exec(arn)?.[1] : undefined);

/** The concurrency a Kinesis event source mapping can reach: one batch per shard times its parallelization factor. */
function streamBound(esm: PolicyResource, stream: PolicyResource | undefined): { needed?: number; how: string } {
    const factor = (orIfUnknown(() => esm.props.parallelizationFactor as number | undefined, undefined) ?? 1) as number;
    const mode = stream ? orIfUnknown(() => at(stream.props.streamModeDetails, "streamMode"), undefined) : undefined;
    const shards = stream && mode !== "ON_DEMAND" ? orIfUnknown(() => stream.props.shardCount as number | undefined, undefined) : undefined;
    return typeof shards === "number"
        ? { needed: shards * factor, how: `${shards} shards × parallelization factor ${factor}` }
        : { how: `the stream's shards × parallelization factor ${factor}` };
}

/** Each function's bound, by how the stack invokes it (the first that applies). */
function boundsOf(resources: PolicyResource[]): { bounds: Map<string, Bound>; undecided?: unknown } {
    const functions = ofType(resources, TYPE.function);
    const bounds = new Map<string, Bound>();
    const { found: autoscalers, undecided } = autoscalerFunctions(resources);
    for (const fn of autoscalers) bounds.set(fn.urn, { kind: "autoscaler" });
    const streams = ofType(resources, TYPE.stream);
    const consumers = ofType(resources, TYPE.streamConsumer);
    forEachDecidable(ofType(resources, TYPE.esm), (esm) => {
        const source = kinesisSourceOf(esm, streams, consumers);
        const fn = source && functionOfEsm(esm, functions);
        if (fn && !bounds.has(fn.urn)) bounds.set(fn.urn, { kind: "stream", esm, ...streamBound(esm, source.stream) });
    });
    // Stages by the API they depend on and by their API id (an unknown id matches no ARN), in stack order.
    const stages = ofType(resources, STAGE);
    const stagesOfApi = new Map<string, PolicyResource[]>();
    const stageOrder = new Map(stages.map((s, i) => [s, i]));
    const add = (key: string, s: PolicyResource) => stagesOfApi.set(key, [...(stagesOfApi.get(key) ?? []), s]);
    for (const s of stages) {
        for (const d of s.propertyDependencies.apiId ?? []) add(`urn:${d.urn}`, s);
        const id = orIfUnknown(() => s.props.apiId as unknown, undefined);
        if (typeof id === "string") add(`id:${id}`, s);
    }
    forEachDecidable(ofType(resources, PERMISSION), (perm) => {
        if (perm.props.principal !== "apigateway.amazonaws.com") return;
        const near = candidatesFor(perm, "function", functions, BY_NAME, () => namesIn(perm.props.function));
        const fn = linkedOrThrow(perm, "function", near, (f) => nameMatches(perm.props.function, f))[0];
        if (!fn || bounds.has(fn.urn)) return;
        // The stage of the API the permission is for: both depend on the same API, or the API id is in the permission's source ARN.
        const id = orIfUnknown(() => apiIdIn(perm.props.sourceArn), undefined);
        const matching = new Set([...(perm.propertyDependencies.sourceArn ?? []).map((d) => `urn:${d.urn}`), ...(id ? [`id:${id}`] : [])].flatMap((k) => stagesOfApi.get(k) ?? []));
        const stage = [...matching].sort((a, b) => stageOrder.get(a)! - stageOrder.get(b)!)[0];
        bounds.set(fn.urn, { kind: "api", stage });
    });
    forEachDecidable(ofType(resources, TYPE.firehose), (fh) => {
        const processors = () => JSON.stringify(at(fh.props.extendedS3Configuration, "processingConfiguration") ?? null);
        const near = candidatesFor(fh, "extendedS3Configuration", functions, BY_NAME, () => [...processors().matchAll(/:function:([A-Za-z0-9_-]+)/g)].map((m) => m[1]));
        const { linked } = linksOf(fh, "extendedS3Configuration", near, (f) => processors().includes(`:function:${String(f.props.name)}`));
        for (const fn of linked) if (!bounds.has(fn.urn)) bounds.set(fn.urn, { kind: "firehose", firehose: fh });
    });
    return { bounds, undecided };
}

/**
 * Reserved concurrency is a decision per function: it caps a function and guarantees it the same
 * share of the account's pool. Where the invoker already bounds the function (a stream's shards, an
 * API's throttling, Firehose), a reservation must not be below that bound; elsewhere it must be set.
 */
export const lambdaFunctionConcurrency: PackPolicy<StackValidationPolicy> = {
    policy: {
        name: "lambda-function-concurrency",
        description:
            "Every Lambda function's concurrency is bounded, by reserved concurrency or by its invoker: a Kinesis consumer by shards × parallelization factor " +
            "(a reservation below that throttles its own mapping), a function behind API Gateway by its stage's throttling (burst limit), a Firehose " +
            "processor by its delivery stream; any other function must reserve concurrency (at least 1). The shard autoscaler is lambda-autoscaler-concurrency's. " +
            "Controls: Checkov CKV_AWS_115, cdk-nag LambdaConcurrency.",
        enforcementLevel: "mandatory",
        validateStack: (args, report) => {
            const { bounds, undecided } = boundsOf(args.resources);
            forEachDecidable([...ofType(args.resources, TYPE.function), undefined], (fn) => {
                if (fn === undefined) {
                    if (undecided !== undefined) throw undecided;
                    return;
                }
                const bound = bounds.get(fn.urn) ?? { kind: "none" };
                if (bound.kind === "autoscaler") return;
                const reserved = fn.props.reservedConcurrentExecutions as number | undefined;
                const set = reserved !== undefined && reserved >= 0;
                if (set && reserved === 0) {
                    report(`function ${fn.name} has reserved concurrency 0, which stops it from running; remove the reservation or reserve what it needs.`, fn.urn);
                    return;
                }
                switch (bound.kind) {
                    case "stream":
                        if (set && bound.needed !== undefined && reserved! < bound.needed) {
                            report(
                                `consumer ${fn.name} reserves ${reserved} but event source mapping ${bound.esm.name} runs up to ${bound.needed} batches at once (${bound.how}); reserve at least ${bound.needed} or none (the mapping bounds it).`,
                                fn.urn,
                            );
                        }
                        return;
                    case "api": {
                        const burst = bound.stage ? at(bound.stage.props.defaultRouteSettings, "throttlingBurstLimit") : undefined;
                        if (!set && typeof burst !== "number") {
                            report(
                                `function ${fn.name} is invoked by API Gateway${bound.stage ? `, whose stage ${bound.stage.name} sets no throttlingBurstLimit` : " through no stage of this stack"}; throttle the stage or reserve concurrency, or a burst of requests takes the account's concurrency.`,
                                fn.urn,
                            );
                        }
                        return;
                    }
                    case "firehose":
                        return;
                    case "none":
                        if (!set) {
                            report(
                                `function ${fn.name} has no reserved concurrency and no invoker of this stack bounds it (event source mapping, API stage, Firehose); reserve the concurrency it needs.`,
                                fn.urn,
                            );
                        }
                }
            });
        },
    },
    severity: "medium",
    topics: ["capacity", "resilience"],
    controls: [
        {
            framework: "Checkov",
            id: "CKV_AWS_115",
            coverage: "partial",
            note: "it asks every function to reserve concurrency; this accepts none where the invoker bounds the function (shards × parallelization, API throttling, Firehose)",
        },
        {
            framework: "cdk-nag",
            id: "LambdaConcurrency",
            coverage: "partial",
            note: "the NIST/HIPAA/PCI packs ask for a function-level limit on every function; this accepts the invoker's bound instead",
        },
    ],
    details:
        "A stack policy deciding per function, by how the stack invokes it: the **shard autoscaler** is `lambda-autoscaler-concurrency`'s (1, or " +
        "its run lock); a **Kinesis consumer** (the function of an event source mapping reading a stream, directly or through enhanced fan-out) " +
        "runs at most one batch per shard times the mapping's `parallelizationFactor`, so it needs no reservation, and one below that bound " +
        "(provisioned streams, whose `shardCount` is known) throttles its own mapping and grows the iterator age; a function **behind API Gateway** " +
        "(a `lambda.Permission` for `apigateway.amazonaws.com`) is bounded by its stage's `throttlingBurstLimit`, or must reserve concurrency; a " +
        "**Firehose processor** runs as its delivery stream delivers; **any other function** must reserve concurrency of at least 1. " +
        "Reserved concurrency 0 (a function that never runs) is reported everywhere.",
    remediation:
        "Reserve at least shards × parallelization factor for a consumer (or none), throttle the API stage in front of a function, and set reservedConcurrentExecutions on any other function.",
};
