// The pack's policies, side-effect free so tests and the offline tools can load them without
// starting the policy server (policies/index.ts does that).
import type { Policies } from "@pulumi/policy";
import { kinesisStreamCustomerKey, kinesisStreamEncrypted, kinesisStreamIteratorAgeAlarm, kinesisStreamRetention } from "./rules/kinesis";
import { iamStreamingLeastPrivilege } from "./rules/iam";
import { kmsKeyRotation } from "./rules/kms";
import { snsTopicEncrypted } from "./rules/sns";

export const PACK_NAME = "kinesis-streaming-policies";
export const PACK_VERSION = "0.1.0";

export const policies: Policies = [
    kinesisStreamEncrypted(),
    kinesisStreamCustomerKey(),
    kinesisStreamRetention(),
    kinesisStreamIteratorAgeAlarm(),
    kmsKeyRotation(),
    snsTopicEncrypted(),
    iamStreamingLeastPrivilege(),
];

export const pack = { name: PACK_NAME, version: PACK_VERSION, policies };
