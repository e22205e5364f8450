import type { StackValidationPolicy } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";
import { arnName, deniesInsecureTransport, dependentsOn, forEachDecidable, linkedOrThrow, orIfUnknown, someDecidable, statementsOf } from "../common";
import { ofType, TYPE } from "../graph";

/**
 * A stack policy: alert payloads cross the network; every topic's policy (its TopicPolicy, joined
 * by the `arn` property dependency, or its inline `policy`) refuses publishing without TLS.
 */
export const snsTopicTlsOnly: PackPolicy<StackValidationPolicy> = {
    policy: {
        name: "sns-topic-tls-only",
        description:
            'SNS topics must have a topic policy (aws.sns.TopicPolicy or the inline policy) with a Deny of sns:Publish to every principal when "aws:SecureTransport" is false, ' +
            "so nothing publishes alerts in clear text. Controls: cdk-nag AwsSolutions-SNS3.",
        enforcementLevel: "mandatory",
        validateStack: (args, report) => {
            const policies = ofType(args.resources, TYPE.topicPolicy);
            forEachDecidable(ofType(args.resources, TYPE.topic), (topic) => {
                const near = dependentsOn(topic, "arn", policies, { name: "topic-arn", keysOf: (p) => [arnName(p.props.arn)] }, () => [topic.props.name]);
                const linked = near.filter((p) => linkedOrThrow(p, "arn", [topic], () => arnName(p.props.arn) === topic.props.name).length > 0);
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
    },
    severity: "medium",
    topics: ["network"],
    controls: [{ framework: "cdk-nag", id: "AwsSolutions-SNS3", coverage: "full" }],
    details:
        "A stack policy: every topic has a policy (an `aws.sns.TopicPolicy` joined by its `arn` property dependency, or the topic's inline `policy`) " +
        "with a `Deny` of `sns:Publish` to every principal when `aws:SecureTransport` is `false`.",
    remediation: "Add a TopicPolicy statement that denies sns:Publish to every principal when aws:SecureTransport is false.",
};
