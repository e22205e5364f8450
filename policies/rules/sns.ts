import * as aws from "@pulumi/aws";
import { type ResourceValidationPolicy, type StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { arnName, deniesInsecureTransport, forEachDecidable, isAwsManagedKey, linkedOrThrow, orIfUnknown, someDecidable, statementsOf } from "./common";
import { ofType, TYPE } from "./graph";

/** Alert payloads name streams, users and amounts: encrypt them, with a key CloudWatch may use. */
export function snsTopicEncrypted(): ResourceValidationPolicy {
    return {
        name: "sns-topic-encrypted",
        description:
            "SNS topics must be encrypted with a customer-managed KMS key: CloudWatch alarms cannot publish to a topic on the " +
            "AWS-managed alias/aws/sns key. Controls: Security Hub SNS.1, Checkov CKV_AWS_26.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.sns.Topic, (topic, _args, report) => {
            if (!topic.kmsMasterKeyId) report("kmsMasterKeyId is not set; encrypt the topic with the stack's customer-managed key.");
            else if (isAwsManagedKey(topic.kmsMasterKeyId)) {
                report(`kmsMasterKeyId ${JSON.stringify(topic.kmsMasterKeyId)} is AWS-managed; CloudWatch alarms cannot publish to it. Use a customer-managed key.`);
            }
        }),
    };
}

/**
 * A stack policy: alert payloads cross the network; every topic's policy (its TopicPolicy, joined
 * by the `arn` property dependency, or its inline `policy`) refuses publishing without TLS.
 */
export function snsTopicTlsOnly(): StackValidationPolicy {
    return {
        name: "sns-topic-tls-only",
        description:
            'SNS topics must have a topic policy (aws.sns.TopicPolicy or the inline policy) with a Deny of sns:Publish to every principal when "aws:SecureTransport" is false, ' +
            "so nothing publishes alerts in clear text. Controls: cdk-nag AwsSolutions-SNS3.",
        enforcementLevel: "mandatory",
        validateStack: (args, report) => {
            const policies = ofType(args.resources, TYPE.topicPolicy);
            forEachDecidable(ofType(args.resources, TYPE.topic), (topic) => {
                const linked = policies.filter((p) => linkedOrThrow(p, "arn", [topic], () => arnName(p.props.arn) === topic.props.name).length > 0);
                const documents: (() => unknown)[] = linked.map((p) => () => p.props.policy);
                if (orIfUnknown(() => topic.props.policy !== undefined, true)) documents.push(() => topic.props.policy);
                if (documents.length === 0) {
                    report(`topic ${topic.name} has no topic policy; attach one that denies sns:Publish when aws:SecureTransport is false.`, topic.urn);
                    return;
                }
                const ok = someDecidable(documents, (d) => (statementsOf(d()) ?? []).some((s) => deniesInsecureTransport(s, "sns:Publish")));
                if (!ok) report(`the policy of topic ${topic.name} does not deny sns:Publish when aws:SecureTransport is false.`, topic.urn);
            });
        },
    };
}
