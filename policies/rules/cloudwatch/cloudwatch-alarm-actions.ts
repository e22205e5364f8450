import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";

export const cloudwatchAlarmActions: PackPolicy<ResourceValidationPolicy> = {
    policy: {
        name: "cloudwatch-alarm-actions",
        description:
            "CloudWatch metric and composite alarms must have at least one alarm action and actions enabled: an alarm nobody hears is no alarm. " +
            "Controls: Security Hub CloudWatch.15.",
        enforcementLevel: "mandatory",
        validateResource: [
            (args, report) => {
                if (!args.isType(aws.cloudwatch.MetricAlarm) && !args.isType(aws.cloudwatch.CompositeAlarm)) return;
                const alarm = args.props as { alarmActions?: unknown[]; actionsEnabled?: boolean };
                if ((alarm.alarmActions ?? []).length === 0) report("alarmActions is empty; notify the alerts topic (or invoke the function that acts on it).");
                if (alarm.actionsEnabled === false) report("actionsEnabled is false; the alarm's actions never run.");
            },
        ],
    },
    severity: "medium",
    topics: ["monitoring"],
    controls: [{ framework: "Security Hub", id: "CloudWatch.15", coverage: "full" }],
    details:
        "Every metric and composite alarm has at least one `alarmActions` entry (the alerts topic, or the function an alarm invokes) and " +
        "`actionsEnabled` is not `false`: an alarm nobody hears is no alarm.",
    remediation: "Add an alarmActions entry (the alerts topic) and leave actionsEnabled on.",
};
