import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { validateResourceOfType } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";
import { at } from "../common";

/** The destination configuration property of each Firehose destination. */
export const DESTINATION_CONFIG: Record<string, string> = {
    extended_s3: "extendedS3Configuration",
    http_endpoint: "httpEndpointConfiguration",
    opensearch: "opensearchConfiguration",
    opensearchserverless: "opensearchserverlessConfiguration",
    elasticsearch: "elasticsearchConfiguration",
    redshift: "redshiftConfiguration",
    splunk: "splunkConfiguration",
    snowflake: "snowflakeConfiguration",
    iceberg: "icebergConfiguration",
};

export const firehoseDeliveryLogging: PackPolicy<ResourceValidationPolicy> = {
    policy: {
        name: "firehose-delivery-logging",
        description:
            "Firehose delivery streams must log delivery errors to CloudWatch Logs (cloudwatchLoggingOptions enabled with a log group in the destination " +
            "configuration): without it a failing delivery (permissions, key, partitioning) is silent until the freshness alarm. " +
            "Controls: pack-specific (no Security Hub, AWS Config, cdk-nag or Checkov check).",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.kinesis.FirehoseDeliveryStream, (fh, _args, report) => {
            const prop = DESTINATION_CONFIG[fh.destination];
            const config = prop ? (fh as unknown as Record<string, unknown>)[prop] : undefined;
            if (!prop || config === undefined) {
                report(`destination ${fh.destination} has no ${prop ?? "destination"} configuration to log from.`);
                return;
            }
            const logging = at(config, "cloudwatchLoggingOptions");
            if (at(logging, "enabled") !== true) report(`${prop}.cloudwatchLoggingOptions is not enabled; log delivery errors to a log group.`);
            else if (!at(logging, "logGroupName")) report(`${prop}.cloudwatchLoggingOptions names no logGroupName.`);
        }),
    },
    severity: "medium",
    topics: ["logging"],
    controls: [],
    details:
        "Every delivery stream's destination configuration (`extendedS3Configuration`, `httpEndpointConfiguration`, ...) has " +
        "`cloudwatchLoggingOptions` enabled with a `logGroupName`: a failing delivery (permissions, key, partitioning) is otherwise silent until the " +
        "freshness alarm fires.",
    remediation: "Enable cloudwatchLoggingOptions with a logGroupName on the destination configuration.",
};
