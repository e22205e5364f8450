import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { validateResourceOfType } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";

/** True when an access log format is a JSON object once its `$context.…` variables are filled in (quoted or not). */
export function isJsonFormat(format: string): boolean {
    try {
        const parsed: unknown = JSON.parse(format.replace(/\$context\.[A-Za-z0-9_.]+/g, "0"));
        return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed);
    } catch {
        return false;
    }
}

/** The ingest API's access log is the record of who put what on the stream; JSON so Logs Insights can query it. */
export const apigatewayStageAccessLogging: PackPolicy<ResourceValidationPolicy> = {
    policy: {
        name: "apigateway-stage-access-logging",
        description:
            "HTTP and WebSocket API stages must write access logs (accessLogSettings with a destinationArn) in a JSON format. " +
            "Controls: Checkov CKV_AWS_95, cdk-nag AwsSolutions-APIG1, Serverless-APIGWAccessLogging, Serverless-APIGWStructuredLogging.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.apigatewayv2.Stage, (stage, _args, report) => {
            const settings = stage.accessLogSettings;
            if (!settings?.destinationArn) report(`stage ${stage.name} writes no access log; set accessLogSettings with a log group destinationArn and a JSON format.`);
            else if (!settings.format || !isJsonFormat(settings.format)) report(`stage ${stage.name}'s access log format is not JSON; write one JSON object per request.`);
        }),
    },
    severity: "medium",
    topics: ["logging"],
    controls: [
        { framework: "Checkov", id: "CKV_AWS_95", coverage: "full" },
        { framework: "cdk-nag", id: "AwsSolutions-APIG1", coverage: "partial", note: "HTTP and WebSocket stages; REST stages (aws.apigateway.Stage) are not checked" },
        { framework: "cdk-nag", id: "Serverless-APIGWAccessLogging", coverage: "partial", note: "HTTP and WebSocket stages; REST stages are not checked" },
        { framework: "cdk-nag", id: "Serverless-APIGWStructuredLogging", coverage: "partial", note: "HTTP and WebSocket stages; REST stages are not checked" },
    ],
    details:
        "Every `aws.apigatewayv2.Stage` has `accessLogSettings` with a `destinationArn` and a `format` that is a JSON object once its `$context` " +
        "variables are filled in: the ingest API's access log is the record of who put what on the stream, and JSON is what Logs Insights queries.",
    remediation: 'Set accessLogSettings: destinationArn of a log group and a JSON format such as {"requestId":"$context.requestId","status":"$context.status"}.',
};
