import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { metricWidget } from "../lib/dashboard";
import { type ArgsOverrides, mergeArgs } from "../lib/merge-args";

export interface MonitoringArgs {
    dashboardName: string;
    region: pulumi.Input<string>;
    streamName: pulumi.Input<string>;
    consumerFunctionNames: pulumi.Input<string>[];
    deadLetterQueueNames: pulumi.Input<string>[];
    deliveryStreamName: pulumi.Input<string>;
    alertsTopicName: pulumi.Input<string>;
    /** Any other `aws.cloudwatch.Dashboard` argument, e.g. a `dashboardBody` of your own (README, "Overriding resource arguments"); nothing forced. @default {} */
    dashboardArgs?: ArgsOverrides<aws.cloudwatch.DashboardArgs>;
}

/**
 * One CloudWatch dashboard for the pipeline, read top to bottom the way data flows: what comes
 * in, whether writes are throttled, how far consumers lag, whether they fail, what waits in the
 * failure queues, whether the archive is fresh, and how many alerts went out.
 */
export class Monitoring extends pulumi.ComponentResource {
    public readonly dashboard: aws.cloudwatch.Dashboard;

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("streaming:cloudwatch:Monitoring", name, {}, opts);
        const r = args.region;
        const stream = ["StreamName", args.streamName] as const;
        const perFunction = (metric: string, stat?: string) => args.consumerFunctionNames.map((f) => ["AWS/Lambda", metric, "FunctionName", f, ...(stat ? [{ stat }] : [])]);
        const widgets = [
            metricWidget("Stream: incoming", r, "Sum", [
                ["AWS/Kinesis", "IncomingBytes", ...stream, { label: "bytes" }],
                ["AWS/Kinesis", "IncomingRecords", ...stream, { label: "records", yAxis: "right" }],
            ]),
            metricWidget("Stream: throttled (share of requests)", r, "Average", [
                ["AWS/Kinesis", "WriteProvisionedThroughputExceeded", ...stream],
                ["AWS/Kinesis", "ReadProvisionedThroughputExceeded", ...stream],
            ]),
            metricWidget("Stream: iterator age", r, "Maximum", [["AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", ...stream]], "ms"),
            metricWidget("Consumers: invocations and errors", r, "Sum", [...perFunction("Invocations"), ...perFunction("Errors")]),
            metricWidget("Consumers: duration and iterator age", r, "Maximum", [...perFunction("Duration", "p99"), ...perFunction("IteratorAge")], "ms"),
            metricWidget(
                "Failure queues: batches waiting",
                r,
                "Maximum",
                args.deadLetterQueueNames.map((q) => ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", q]),
            ),
            metricWidget("Archive: freshness and delivery success", r, "Maximum", [
                ["AWS/Firehose", "DeliveryToS3.DataFreshness", "DeliveryStreamName", args.deliveryStreamName, { label: "freshness (s)" }],
                ["AWS/Firehose", "DeliveryToS3.Success", "DeliveryStreamName", args.deliveryStreamName, { stat: "Average", label: "success ratio", yAxis: "right" }],
            ]),
            metricWidget("Alerts sent", r, "Sum", [["AWS/SNS", "NumberOfMessagesPublished", "TopicName", args.alertsTopicName]]),
        ];
        this.dashboard = new aws.cloudwatch.Dashboard(
            name,
            mergeArgs<aws.cloudwatch.DashboardArgs>({ dashboardName: args.dashboardName, dashboardBody: pulumi.jsonStringify({ widgets }) }, args.dashboardArgs, [], {
                component: "Monitoring",
                arg: "dashboardArgs",
                resource: this,
            }),
            { parent: this },
        );
        this.registerOutputs({ dashboardName: this.dashboard.dashboardName });
    }
}
