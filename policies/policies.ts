// The pack's policies with their metadata, side-effect free so tests and the offline tools can load
// them without starting the policy server (policies/index.ts does that). Composition only: each
// policy and its metadata live in rules/<service>/<policy-name>.ts.
import type { Policies } from "@pulumi/policy";
import type { PackPolicy } from "./lib/metadata";
import { flinkApplicationCheckpointing } from "./rules/analytics";
import { apigatewayRouteAuthorization, apigatewayStageAccessLogging, apigatewayStageThrottling } from "./rules/apigateway";
import { cloudwatchAlarmActions, cloudwatchLogGroupEncrypted, cloudwatchLogGroupRetention } from "./rules/cloudwatch";
import { dynamodbTableDeletionProtection, dynamodbTableEncrypted, dynamodbTablePitr } from "./rules/dynamodb";
import { firehoseBuffering, firehoseDeliveryLogging, firehoseDestinationBucket, firehoseSourceEncrypted } from "./rules/firehose";
import { iamPolicyResourceScope, iamRoleTrustNoWildcard, iamRoleTrustWholeAccount, iamStreamingLeastPrivilege, iamStreamingRolePurpose } from "./rules/iam";
import {
    kinesisStreamCustomerKey,
    kinesisStreamEncrypted,
    kinesisStreamEnhancedMonitoring,
    kinesisStreamIteratorAgeAlarm,
    kinesisStreamMode,
    kinesisStreamRecordSizeReaders,
    kinesisStreamRetention,
    kinesisStreamWarmThroughput,
} from "./rules/kinesis";
import { kmsKeyPolicyNoWildcardPrincipal, kmsKeyRotation, kmsKeyUsable } from "./rules/kms";
import {
    lambdaAutoscalerConcurrency,
    lambdaFunctionConcurrency,
    lambdaFunctionExplicitLimits,
    lambdaFunctionLogGroup,
    lambdaPermissionScoped,
    lambdaRuntimeSupported,
} from "./rules/lambda";
import {
    pipelineAlarms,
    pipelineAutoscaledShardCount,
    pipelineEsmErrorHandling,
    pipelineKeyCoherence,
    pipelineRetentionCoversReplay,
    pipelineShardCapacity,
} from "./rules/pipeline";
import {
    s3BucketAccessLogging,
    s3BucketDurability,
    s3BucketEncryption,
    s3BucketLifecycle,
    s3BucketPublicAccessBlock,
    s3BucketTlsOnly,
    s3BucketVersioning,
    s3PublicAccessBlockFlags,
} from "./rules/s3";
import { snsSubscriptionRedrive, snsTopicEncrypted, snsTopicPolicyNotPublic, snsTopicTlsOnly } from "./rules/sns";
import { sqsDlqRetention, sqsQueueEncrypted, sqsQueuePolicy } from "./rules/sqs";

export const PACK_NAME = "kinesis-streaming-policies";
export const PACK_VERSION = "0.1.0";

export const definitions: PackPolicy[] = [
    // Kinesis
    kinesisStreamEncrypted,
    kinesisStreamCustomerKey,
    kinesisStreamRetention,
    kinesisStreamIteratorAgeAlarm,
    kinesisStreamMode,
    kinesisStreamEnhancedMonitoring,
    kinesisStreamRecordSizeReaders,
    kinesisStreamWarmThroughput,
    // KMS
    kmsKeyRotation,
    kmsKeyPolicyNoWildcardPrincipal,
    kmsKeyUsable,
    // SNS, SQS
    snsTopicEncrypted,
    snsTopicTlsOnly,
    snsTopicPolicyNotPublic,
    snsSubscriptionRedrive,
    sqsQueueEncrypted,
    sqsDlqRetention,
    sqsQueuePolicy,
    // IAM
    iamStreamingLeastPrivilege,
    iamStreamingRolePurpose,
    iamRoleTrustNoWildcard,
    iamRoleTrustWholeAccount,
    iamPolicyResourceScope,
    // Firehose
    firehoseDeliveryLogging,
    firehoseBuffering,
    firehoseSourceEncrypted,
    firehoseDestinationBucket,
    // S3
    s3BucketEncryption,
    s3BucketVersioning,
    s3BucketPublicAccessBlock,
    s3PublicAccessBlockFlags,
    s3BucketTlsOnly,
    s3BucketAccessLogging,
    s3BucketLifecycle,
    s3BucketDurability,
    // DynamoDB
    dynamodbTablePitr,
    dynamodbTableEncrypted,
    dynamodbTableDeletionProtection,
    // Lambda, CloudWatch
    lambdaRuntimeSupported,
    lambdaFunctionLogGroup,
    lambdaAutoscalerConcurrency,
    lambdaPermissionScoped,
    lambdaFunctionExplicitLimits,
    lambdaFunctionConcurrency,
    cloudwatchLogGroupRetention,
    cloudwatchLogGroupEncrypted,
    cloudwatchAlarmActions,
    // API Gateway (the ingest API)
    apigatewayRouteAuthorization,
    apigatewayStageThrottling,
    apigatewayStageAccessLogging,
    // Managed Service for Apache Flink
    flinkApplicationCheckpointing,
    // Across the pipeline (stack rules no other pack has)
    pipelineEsmErrorHandling,
    pipelineRetentionCoversReplay,
    pipelineAlarms,
    pipelineKeyCoherence,
    pipelineShardCapacity,
    pipelineAutoscaledShardCount,
];

export const policies: Policies = definitions.map((d) => d.policy);

export const pack = { name: PACK_NAME, version: PACK_VERSION, policies };
