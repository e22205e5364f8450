// Managed Service for Apache Flink applications reading the stream: state survives restarts only
// with checkpointing, or a restart replays from wherever the application's sources start.
import * as aws from "@pulumi/aws";
import { type ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";

export function flinkApplicationCheckpointing(): ResourceValidationPolicy {
    return {
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
    };
}
