import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { validateResourceOfType } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";

/**
 * Lambda's defaults (3 s, 128 MB) were chosen for nobody's workload: a consumer that times out on a
 * full batch retries it until the record age limit, so the limits are a decision to write down.
 */
export const lambdaFunctionExplicitLimits: PackPolicy<ResourceValidationPolicy> = {
    policy: {
        name: "lambda-function-explicit-limits",
        description:
            "Lambda functions must set timeout and memorySize explicitly instead of Lambda's 3 s and 128 MB defaults. " +
            "Controls: cdk-nag Serverless-LambdaDefaultTimeout, Serverless-LambdaDefaultMemorySize.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.lambda.Function, (fn, _args, report) => {
            const missing = (["timeout", "memorySize"] as const).filter((k) => fn[k] === undefined);
            if (missing.length > 0) report(`${missing.join(" and ")} not set (Lambda's defaults: 3 s, 128 MB); size the function for a full batch.`);
        }),
    },
    severity: "low",
    topics: ["resilience"],
    controls: [
        { framework: "cdk-nag", id: "Serverless-LambdaDefaultTimeout", coverage: "full" },
        { framework: "cdk-nag", id: "Serverless-LambdaDefaultMemorySize", coverage: "full" },
    ],
    details:
        "Every `aws.lambda.Function` sets `timeout` and `memorySize`. Lambda's defaults (3 s, 128 MB) fit no stream workload by design: a consumer " +
        "that times out on a full batch retries it until the record age limit sends it to the failure queue.",
    remediation: "Set timeout and memorySize for the function's largest batch (the program sets 30–60 s and 256–512 MB).",
};
