import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { RESULTS_TABLE } from "../../contracts/results-table";
import { type ArgsOverrides, mergeArgs } from "../lib/merge-args";

export interface ResultsTableArgs {
    tableName: string;
    kmsKeyArn: pulumi.Input<string>;
    /** DynamoDB deletion protection and Pulumi `protect`. @default false */
    deletionProtection?: boolean;
    /**
     * Any other `aws.dynamodb.Table` argument, over the settings above (README, "Overriding resource
     * arguments"); arrays (`attributes`, `globalSecondaryIndexes`) replace whole. Forced: the key schema
     * the consumer writes (`hashKey`, `rangeKey`), point-in-time recovery and SSE with the stack's key. @default {}
     */
    tableArgs?: ArgsOverrides<aws.dynamodb.TableArgs>;
    tags: Record<string, string>;
}

/**
 * The consumer's real-time results: on-demand, point-in-time recovery, SSE with the stack's key,
 * TTL, deletion protection where asked. `pk`/`sk` serve "events of an entity (user, device) in a
 * time range", the `by-type-time` index "events of a type on a day".
 */
export class ResultsTable extends pulumi.ComponentResource {
    public readonly table: aws.dynamodb.Table;

    constructor(name: string, args: ResultsTableArgs, opts?: pulumi.ComponentResourceOptions) {
        super("streaming:dynamodb:ResultsTable", name, {}, opts);
        const k = RESULTS_TABLE;
        const protect = args.deletionProtection ?? false;
        this.table = new aws.dynamodb.Table(
            name,
            mergeArgs<aws.dynamodb.TableArgs>(
                {
                    name: args.tableName,
                    billingMode: "PAY_PER_REQUEST",
                    hashKey: k.partitionKey,
                    rangeKey: k.sortKey,
                    attributes: k.attributes.map((a) => ({ ...a })),
                    globalSecondaryIndexes: [
                        { name: k.byTypeTime.indexName, hashKey: k.byTypeTime.partitionKey, rangeKey: k.byTypeTime.sortKey, projectionType: k.byTypeTime.projectionType },
                    ],
                    pointInTimeRecovery: { enabled: true },
                    serverSideEncryption: { enabled: true, kmsKeyArn: args.kmsKeyArn },
                    ttl: { attributeName: k.ttlAttribute, enabled: true },
                    deletionProtectionEnabled: protect,
                    tags: args.tags,
                },
                args.tableArgs,
                ["hashKey", "rangeKey", "pointInTimeRecovery", "serverSideEncryption"],
                { component: "ResultsTable", arg: "tableArgs", resource: this },
            ),
            { parent: this, protect },
        );
        this.registerOutputs({ tableName: this.table.name, tableArn: this.table.arn });
    }
}
