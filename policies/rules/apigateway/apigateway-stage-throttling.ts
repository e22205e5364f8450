import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { validateResourceOfType } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";

/**
 * Without stage throttling, one caller's burst takes the account's API Gateway quota and the
 * stream's write capacity from every other producer; with it, the excess gets 429s the client retries.
 */
export const apigatewayStageThrottling: PackPolicy<ResourceValidationPolicy> = {
    policy: {
        name: "apigateway-stage-throttling",
        description:
            "HTTP and WebSocket API stages must set default route throttling (defaultRouteSettings.throttlingRateLimit and throttlingBurstLimit above 0). " +
            "Controls: cdk-nag Serverless-APIGWDefaultThrottling.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.apigatewayv2.Stage, (stage, _args, report) => {
            const settings = stage.defaultRouteSettings;
            const missing = (["throttlingRateLimit", "throttlingBurstLimit"] as const).filter((k) => !(typeof settings?.[k] === "number" && settings[k] > 0));
            if (missing.length > 0)
                report(`stage ${stage.name} has no default ${missing.join(" or ")}; set defaultRouteSettings so one caller cannot take the stream's write capacity.`);
        }),
    },
    severity: "medium",
    topics: ["capacity"],
    controls: [
        {
            framework: "cdk-nag",
            id: "Serverless-APIGWDefaultThrottling",
            coverage: "partial",
            note: "HTTP and WebSocket API stages (aws.apigatewayv2.Stage); REST stages' method settings are not checked",
        },
    ],
    details:
        "Every `aws.apigatewayv2.Stage` sets `defaultRouteSettings.throttlingRateLimit` and `throttlingBurstLimit` above 0, so a burst from one caller " +
        "is answered with 429s instead of taking the account's API Gateway quota and the stream's write capacity. The limit is not compared with the " +
        "stream's shards (as `pipeline-shard-capacity` does for consumers): one ingest request carries a batch of records of any size, so requests " +
        "per second do not translate into the stream's records or bytes per second.",
    remediation: "Set defaultRouteSettings.throttlingRateLimit and throttlingBurstLimit on the stage (the ingest API uses 100 requests/s, burst 200 in prod).",
};
