import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { validateResourceOfType } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";

export const STREAM_MODES = ["ON_DEMAND", "PROVISIONED"] as const;

/** Which capacity mode an environment may use: a planned, autoscaled shard count or on-demand. */
export const kinesisStreamMode: PackPolicy<ResourceValidationPolicy> = {
    policy: {
        name: "kinesis-stream-mode",
        description:
            "Kinesis streams must use a capacity mode the environment allows (allowedModes: ON_DEMAND, PROVISIONED): on-demand needs no " +
            "capacity planning, provisioned needs a shard count checked against the declared workload and an autoscaler. " +
            "Controls: pack-specific (no Security Hub, AWS Config, cdk-nag or Checkov check).",
        enforcementLevel: "mandatory",
        configSchema: {
            properties: { allowedModes: { type: "array", items: { type: "string", enum: [...STREAM_MODES] }, minItems: 1, default: [...STREAM_MODES] } },
        },
        validateResource: validateResourceOfType(aws.kinesis.Stream, (stream, args, report) => {
            const allowed = args.getConfig<{ allowedModes?: string[] }>().allowedModes ?? [...STREAM_MODES];
            // Without streamModeDetails, Kinesis creates a PROVISIONED stream.
            const mode = stream.streamModeDetails?.streamMode ?? "PROVISIONED";
            if (!allowed.includes(mode)) report(`stream mode is ${mode}; this environment allows ${allowed.join(", ")}.`);
        }),
    },
    severity: "low",
    topics: ["capacity"],
    controls: [],
    details:
        "The stream's capacity mode (`streamModeDetails.streamMode`; absent: `PROVISIONED`) is one the environment allows. Staging and prod run " +
        "provisioned streams whose shard count `pipeline-shard-capacity` checks against the declared workload and an autoscaler adjusts; dev may use " +
        "either.",
    remediation: "Set streamModeDetails.streamMode to a mode listed in allowedModes.",
};
