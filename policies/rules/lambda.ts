// Lambda functions of the pipeline: a supported runtime, a log group the stack declares (so its
// retention and key are the pack's to check), and an autoscaler that never runs twice at once.
import * as aws from "@pulumi/aws";
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { validateResourceOfType } from "@pulumi/policy";
import { at, forEachDecidable, isUnknownValueError, linksOf, orIfUnknown } from "./common";
import { kinesisGrants, ofType, roleAt, roleViews, TYPE } from "./graph";

/** The oldest runtime of each family the pack accepts (AWS deprecation schedule, late 2025). */
export const DEFAULT_MINIMUM_RUNTIMES = ["nodejs22.x", "python3.12", "java21", "dotnet8", "ruby3.3", "provided.al2023"];

/** `nodejs22.x` -> nodejs [22]; `python3.12` -> python [3, 12]; `java8.al2` -> java [8]; `provided.al2` -> provided [2]. */
export function parseRuntime(runtime: string): { family: string; version: number[] } | undefined {
    const m = /^([a-z]+)(\d+(?:\.\d+)*)?(?:\.x)?(?:\.al(2023|2))?$/.exec(runtime);
    if (!m) return undefined;
    const [, family, digits, al] = m;
    if (digits) return { family: family!, version: digits.split(".").map(Number) };
    if (family === "provided") return { family, version: [al ? Number(al) : 1] };
    return undefined;
}

function compareVersions(a: number[], b: number[]): number {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
        const d = (a[i] ?? 0) - (b[i] ?? 0);
        if (d !== 0) return d;
    }
    return 0;
}

export function lambdaRuntimeSupported(): ResourceValidationPolicy {
    return {
        name: "lambda-runtime-supported",
        description:
            "Lambda functions must run a runtime no older than the oldest of its family in minimumRuntimes (default nodejs22.x, python3.12, java21, dotnet8, " +
            "ruby3.3, provided.al2023); families not listed are not accepted. Deprecated runtimes get no security patches and soon block updates. " +
            "Controls: Security Hub Lambda.2, cdk-nag AwsSolutions-L1, Checkov CKV_AWS_363.",
        enforcementLevel: "mandatory",
        configSchema: { properties: { minimumRuntimes: { type: "array", items: { type: "string" }, minItems: 1, default: DEFAULT_MINIMUM_RUNTIMES } } },
        validateResource: validateResourceOfType(aws.lambda.Function, (fn, args, report) => {
            if (fn.packageType === "Image") args.notApplicable("container image functions bring their own runtime");
            const minimums = (args.getConfig<{ minimumRuntimes?: string[] }>().minimumRuntimes ?? DEFAULT_MINIMUM_RUNTIMES).flatMap((r) => {
                const p = parseRuntime(r);
                return p ? [{ runtime: r, ...p }] : [];
            });
            const runtime = fn.runtime;
            if (!runtime) {
                report("runtime is not set; choose a supported runtime.");
                return;
            }
            const parsed = parseRuntime(runtime);
            const minimum = parsed && minimums.find((m) => m.family === parsed.family);
            if (!parsed || !minimum) {
                report(`runtime ${runtime} is not of a supported family (${minimums.map((m) => m.family).join(", ")}).`);
            } else if (compareVersions(parsed.version, minimum.version) < 0) {
                report(`runtime ${runtime} is older than ${minimum.runtime}, the oldest supported ${parsed.family} runtime; upgrade it.`);
            }
        }),
    };
}

/**
 * A stack policy: a function whose log group the stack does not declare gets one Lambda creates
 * on first run, without retention or encryption, that no other rule of the pack ever sees.
 */
export function lambdaFunctionLogGroup(): StackValidationPolicy {
    return {
        name: "lambda-function-log-group",
        description:
            "Every Lambda function must log to a log group the stack declares (loggingConfig.logGroup, or /aws/lambda/<name>), created before the function, " +
            "so cloudwatch-log-group-retention and -encrypted apply to it. Controls: pack-specific (completes Security Hub CloudWatch.16 for Lambda).",
        enforcementLevel: "mandatory",
        validateStack: (args, report) => {
            const groups = ofType(args.resources, TYPE.logGroup);
            forEachDecidable(ofType(args.resources, TYPE.function), (fn) => {
                const { linked, undecided } = linksOf(fn, "loggingConfig", groups, (g) => {
                    const configured = at(fn.props.loggingConfig, "logGroup");
                    const name = configured ?? (typeof fn.props.name === "string" ? `/aws/lambda/${fn.props.name}` : undefined);
                    return typeof name === "string" && g.props.name === name;
                });
                if (linked.length > 0) return;
                if (undecided !== undefined) throw undecided;
                report(`function ${fn.name} has no log group declared in the stack; declare /aws/lambda/<name> (retention, key) and set loggingConfig.logGroup to it.`, fn.urn);
            });
        },
    };
}

export const DEFAULT_MAX_AUTOSCALER_CONCURRENCY = 1;

/** The autoscaler's lock table variable (contracts/env/autoscaler.ts AUTOSCALER_ENV.lockTable; a test keeps them equal). */
export const AUTOSCALER_LOCK_TABLE_ENV = "AUTOSCALER_LOCK_TABLE";

/**
 * The run lock an autoscaler without reserved concurrency may rely on: its environment names, in
 * AUTOSCALER_LOCK_TABLE, a DynamoDB table of this stack (by dependency or by name). Returns what was
 * seen, as a phrase for the report.
 */
export function runLockOf(fn: PolicyResource, resources: PolicyResource[]): { table?: PolicyResource; seen: string } {
    const value = at(fn.props.environment, "variables", AUTOSCALER_LOCK_TABLE_ENV);
    if (value === undefined || value === "") return { seen: `no run lock (${AUTOSCALER_LOCK_TABLE_ENV} is not set)` };
    const deps = fn.propertyDependencies.environment ?? [];
    const table = ofType(resources, TYPE.table).find((t) => deps.some((d) => d.urn === t.urn) || orIfUnknown(() => t.props.name === value, false));
    return table ? { table, seen: `its run lock in table ${table.name}` } : { seen: `${AUTOSCALER_LOCK_TABLE_ENV} = ${JSON.stringify(value)}, which is not a DynamoDB table of this stack` };
}

/**
 * Functions that reshard streams: named so (`autoscal` in the logical or physical name), or whose
 * role may call kinesis:UpdateShardCount. `undecided` holds the unknown (a role policy unknown in
 * preview) that kept a function from being classified.
 */
export function autoscalerFunctions(resources: PolicyResource[]): { found: PolicyResource[]; undecided?: unknown } {
    const roles = ofType(resources, TYPE.role);
    const { views, undecided: unplaced } = roleViews(resources);
    const found: PolicyResource[] = [];
    let undecided: unknown;
    for (const fn of ofType(resources, TYPE.function)) {
        try {
            if (/autoscal/i.test(fn.name) || /autoscal/i.test(orIfUnknown(() => String(fn.props.name ?? ""), ""))) {
                found.push(fn);
                continue;
            }
            const role = roleAt(fn, "role", () => fn.props.role, roles);
            const view = role && views.find((v) => v.role?.urn === role.urn);
            if (view && kinesisGrants(view).some((g) => g.actions.some((a) => a.toLowerCase() === "kinesis:updateshardcount"))) found.push(fn);
        } catch (e) {
            if (!isUnknownValueError(e)) throw e;
            undecided ??= e;
        }
    }
    return { found, undecided: undecided ?? unplaced };
}

export function lambdaAutoscalerConcurrency(): StackValidationPolicy {
    return {
        name: "lambda-autoscaler-concurrency",
        description:
            "A shard autoscaler function (named autoscaler, or whose role may call kinesis:UpdateShardCount) must have reserved concurrency from 1 to " +
            "maxReservedConcurrency (default 1), or, where none is reserved (accounts with a low concurrency quota), its own run lock: AUTOSCALER_LOCK_TABLE " +
            "in its environment naming a DynamoDB table of the stack. Two runs at once race on UpdateShardCount, which allows 10 calls per stream per 24 h. " +
            "Not applicable to stacks without one. Controls: Checkov CKV_AWS_115.",
        enforcementLevel: "mandatory",
        configSchema: { properties: { maxReservedConcurrency: { type: "integer", minimum: 1, maximum: 100, default: DEFAULT_MAX_AUTOSCALER_CONCURRENCY } } },
        validateStack: (args, report) => {
            const max = args.getConfig<{ maxReservedConcurrency?: number }>().maxReservedConcurrency ?? DEFAULT_MAX_AUTOSCALER_CONCURRENCY;
            const range = max === 1 ? "1" : `1 to ${max}`;
            const { found: autoscalers, undecided } = autoscalerFunctions(args.resources);
            if (autoscalers.length === 0 && undecided === undefined) args.notApplicable("the stack has no shard autoscaler");
            forEachDecidable([...autoscalers, undefined], (fn) => {
                if (fn === undefined) {
                    if (undecided !== undefined) throw undecided;
                    return;
                }
                const reserved = fn.props.reservedConcurrentExecutions as number | undefined;
                if (reserved === undefined || reserved < 0) {
                    const lock = runLockOf(fn, args.resources);
                    if (lock.table === undefined) report(`autoscaler ${fn.name} has no reserved concurrency and ${lock.seen}; reserve ${range}, or give it a run lock, so two runs never reshard at once.`, fn.urn);
                } else if (reserved === 0) {
                    report(`autoscaler ${fn.name} has reserved concurrency 0, which stops it from running; reserve ${range}.`, fn.urn);
                } else if (reserved > max) {
                    report(`autoscaler ${fn.name} has reserved concurrency ${reserved}; at most ${max} may reshard at once.`, fn.urn);
                }
            });
        },
    };
}
