import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";
import { at, candidatesFor, forEachDecidable, isUnknownValueError, orIfUnknown } from "../common";
import { kinesisGrants, ofType, roleAt, roleViews, TYPE } from "../graph";

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
    const tables = candidatesFor(fn, "environment", ofType(resources, TYPE.table), { name: "table-name", keysOf: (t) => [t.props.name] }, () => [value]);
    const table = tables.find((t) => deps.some((d) => d.urn === t.urn) || orIfUnknown(() => t.props.name === value, false));
    return table
        ? { table, seen: `its run lock in table ${table.name}` }
        : { seen: `${AUTOSCALER_LOCK_TABLE_ENV} = ${JSON.stringify(value)}, which is not a DynamoDB table of this stack` };
}

/**
 * Functions that reshard streams: named so (`autoscal` in the logical or physical name), or whose
 * role may call kinesis:UpdateShardCount. `undecided` holds the unknown (a role policy unknown in
 * preview) that kept a function from being classified.
 */
export function autoscalerFunctions(resources: PolicyResource[]): { found: PolicyResource[]; undecided?: unknown } {
    const roles = ofType(resources, TYPE.role);
    const { views, undecided: unplaced } = roleViews(resources);
    const viewOf = new Map(views.flatMap((v) => (v.role ? [[v.role.urn, v] as const] : [])));
    const found: PolicyResource[] = [];
    let undecided: unknown;
    for (const fn of ofType(resources, TYPE.function)) {
        try {
            if (/autoscal/i.test(fn.name) || /autoscal/i.test(orIfUnknown(() => String(fn.props.name ?? ""), ""))) {
                found.push(fn);
                continue;
            }
            const role = roleAt(fn, "role", () => fn.props.role, roles);
            const view = role && viewOf.get(role.urn);
            if (view && kinesisGrants(view).some((g) => g.actions.some((a) => a.toLowerCase() === "kinesis:updateshardcount"))) found.push(fn);
        } catch (e) {
            if (!isUnknownValueError(e)) throw e;
            undecided ??= e;
        }
    }
    return { found, undecided: undecided ?? unplaced };
}

export const lambdaAutoscalerConcurrency: PackPolicy<StackValidationPolicy> = {
    policy: {
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
                    if (lock.table === undefined)
                        report(
                            `autoscaler ${fn.name} has no reserved concurrency and ${lock.seen}; reserve ${range}, or give it a run lock, so two runs never reshard at once.`,
                            fn.urn,
                        );
                } else if (reserved === 0) {
                    report(`autoscaler ${fn.name} has reserved concurrency 0, which stops it from running; reserve ${range}.`, fn.urn);
                } else if (reserved > max) {
                    report(`autoscaler ${fn.name} has reserved concurrency ${reserved}; at most ${max} may reshard at once.`, fn.urn);
                }
            });
        },
    },
    severity: "medium",
    topics: ["capacity"],
    controls: [
        {
            framework: "Checkov",
            id: "CKV_AWS_115",
            coverage: "partial",
            note: "it asks every function to reserve concurrency; this checks the shard autoscaler (1, or its run lock); lambda-function-concurrency decides for every other function",
        },
    ],
    details:
        "A stack policy: a shard autoscaler (a function named `autoscal…`, or whose role may call `kinesis:UpdateShardCount`) has reserved " +
        "concurrency from 1 to `maxReservedConcurrency`, or, with none reserved (accounts with a low concurrency quota), its own run lock: " +
        "`AUTOSCALER_LOCK_TABLE` in its environment naming a DynamoDB table of the stack (the report says which it saw): two runs at once race on " +
        "`UpdateShardCount`, which allows 10 calls per stream per 24 h. Not applicable to stacks without one.",
    remediation: "Reserve concurrency from 1 to maxReservedConcurrency, or set AUTOSCALER_LOCK_TABLE to a DynamoDB table of the stack.",
};
