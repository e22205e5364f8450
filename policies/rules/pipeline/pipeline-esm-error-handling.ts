import type { StackValidationPolicy } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";
import { list, orIfUnknown } from "../common";
import { onFailureDestination } from "../graph";
import { forEachMapping } from "./shared";

export const DEFAULT_MAX_RETRY_ATTEMPTS = 10;

/** Stack rule 1. */
export const pipelineEsmErrorHandling: PackPolicy<StackValidationPolicy> = {
    policy: {
        name: "pipeline-esm-error-handling",
        description:
            "Every Lambda event source mapping reading a Kinesis stream must bisect failing batches, bound retries (0 to maxRetryAttempts, default 10; -1 retries " +
            "until the record expires and blocks its shard), bound the record age, report partial failures (ReportBatchItemFailures) and send failed batches " +
            "to an on-failure destination. Controls: pack-specific (cdk-nag's serverless pack checks only the on-failure destination).",
        enforcementLevel: "mandatory",
        configSchema: { properties: { maxRetryAttempts: { type: "integer", minimum: 0, maximum: 10000, default: DEFAULT_MAX_RETRY_ATTEMPTS } } },
        validateStack: (args, report) => {
            const max = args.getConfig<{ maxRetryAttempts?: number }>().maxRetryAttempts ?? DEFAULT_MAX_RETRY_ATTEMPTS;
            forEachMapping(args.resources, ({ esm }) => {
                const p = esm.props;
                const say = (m: string) => report(`event source mapping ${esm.name} ${m}`, esm.urn);
                if (p.bisectBatchOnFunctionError !== true) say("does not bisect failing batches; set bisectBatchOnFunctionError true.");
                const retries = p.maximumRetryAttempts as number | undefined;
                if (retries === undefined || retries < 0)
                    say(`retries a failing batch until its records expire (maximumRetryAttempts ${retries ?? "unset, -1"}); set 0 to ${max}.`);
                else if (retries > max) say(`has maximumRetryAttempts ${retries}; at most ${max} is allowed.`);
                const age = p.maximumRecordAgeInSeconds as number | undefined;
                if (age === undefined || age < 0)
                    say(`keeps records of any age (maximumRecordAgeInSeconds ${age ?? "unset, -1"}); bound it (60 to 604800 s, below the retention).`);
                if (!list(p.functionResponseTypes as string[] | undefined).includes("ReportBatchItemFailures"))
                    say('does not report partial batch failures; set functionResponseTypes ["ReportBatchItemFailures"].');
                // An unknown ARN (preview) is a destination to come, not a missing one.
                const destination = (esm.propertyDependencies.destinationConfig ?? []).length > 0 || orIfUnknown(() => Boolean(onFailureDestination(esm)), true);
                if (!destination) say("has no on-failure destination; set destinationConfig.onFailure so failed batches are recorded.");
            });
        },
    },
    severity: "high",
    topics: ["resilience"],
    controls: [{ framework: "cdk-nag", id: "serverless pack", coverage: "none", note: "checks only the on-failure destination" }],
    details:
        "Stack rule 1: every event source mapping whose source is a Kinesis stream or enhanced fan-out consumer (joined by the `eventSourceArn` " +
        "dependency, else the ARN) has `bisectBatchOnFunctionError`, `maximumRetryAttempts` from 0 to `maxRetryAttempts` (Lambda's default -1 retries " +
        'until the record expires, blocking its shard), a bounded `maximumRecordAgeInSeconds`, `functionResponseTypes: ["ReportBatchItemFailures"]` ' +
        "and an on-failure destination.",
    remediation:
        "Set bisectBatchOnFunctionError, maximumRetryAttempts (0 to maxRetryAttempts), maximumRecordAgeInSeconds, functionResponseTypes " +
        '["ReportBatchItemFailures"] and an on-failure destination.',
};
