import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { validateResourceOfType } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";

export const flinkApplicationCheckpointing: PackPolicy<ResourceValidationPolicy> = {
    policy: {
        name: "flink-application-checkpointing",
        description:
            "Managed Service for Apache Flink applications must have checkpointing enabled (a CUSTOM checkpoint configuration with checkpointingEnabled, " +
            "or the DEFAULT one, which enables it), so a restart resumes from consistent state instead of losing or re-reading the stream. Controls: cdk-nag AwsSolutions-KDA3.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.kinesisanalyticsv2.Application, (app, args, report) => {
            if (!(app.runtimeEnvironment ?? "").startsWith("FLINK")) args.notApplicable(`runtime ${app.runtimeEnvironment} is not Apache Flink`);
            const checkpoint = app.applicationConfiguration?.flinkApplicationConfiguration?.checkpointConfiguration;
            if (!checkpoint) {
                report("flinkApplicationConfiguration.checkpointConfiguration is not set; set configurationType CUSTOM with checkpointingEnabled true.");
            } else if (checkpoint.configurationType === "CUSTOM" && checkpoint.checkpointingEnabled !== true) {
                report("checkpointConfiguration is CUSTOM with checkpointingEnabled not true; enable checkpointing.");
            }
        }),
    },
    severity: "medium",
    topics: ["resilience"],
    controls: [{ framework: "cdk-nag", id: "AwsSolutions-KDA3", coverage: "full" }],
    details:
        "A Managed Service for Apache Flink application has checkpointing on (a CUSTOM checkpoint configuration with `checkpointingEnabled`, or the " +
        "DEFAULT one), so a restart resumes from consistent state instead of losing or re-reading the stream.",
    remediation: "Set checkpointConfiguration to DEFAULT, or CUSTOM with checkpointingEnabled true.",
};
