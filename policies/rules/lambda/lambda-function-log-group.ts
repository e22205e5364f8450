import type { StackValidationPolicy } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";
import { at, candidatesFor, forEachDecidable, linksOf } from "../common";
import { BY_NAME, ofType, TYPE } from "../graph";

/**
 * A stack policy: a function whose log group the stack does not declare gets one Lambda creates
 * on first run, without retention or encryption, that no other rule of the pack ever sees.
 */
export const lambdaFunctionLogGroup: PackPolicy<StackValidationPolicy> = {
    policy: {
        name: "lambda-function-log-group",
        description:
            "Every Lambda function must log to a log group the stack declares (loggingConfig.logGroup, or /aws/lambda/<name>), created before the function, " +
            "so cloudwatch-log-group-retention and -encrypted apply to it. Controls: pack-specific (completes Security Hub CloudWatch.16 for Lambda).",
        enforcementLevel: "mandatory",
        validateStack: (args, report) => {
            const groups = ofType(args.resources, TYPE.logGroup);
            forEachDecidable(ofType(args.resources, TYPE.function), (fn) => {
                const groupName = () => {
                    const configured = at(fn.props.loggingConfig, "logGroup");
                    return configured ?? (typeof fn.props.name === "string" ? `/aws/lambda/${fn.props.name}` : undefined);
                };
                const near = candidatesFor(fn, "loggingConfig", groups, BY_NAME, () => (typeof groupName() === "string" ? [groupName()] : []));
                const { linked, undecided } = linksOf(fn, "loggingConfig", near, (g) => {
                    const name = groupName();
                    return typeof name === "string" && g.props.name === name;
                });
                if (linked.length > 0) return;
                if (undecided !== undefined) throw undecided;
                report(`function ${fn.name} has no log group declared in the stack; declare /aws/lambda/<name> (retention, key) and set loggingConfig.logGroup to it.`, fn.urn);
            });
        },
    },
    severity: "low",
    topics: ["logging"],
    controls: [{ framework: "Security Hub", id: "CloudWatch.16", coverage: "none", note: "completes it for Lambda" }],
    details:
        "A stack policy: every function logs to a log group the stack declares (`loggingConfig.logGroup`, joined by its dependency, or " +
        "`/aws/lambda/<name>`), so retention and encryption are the pack's to check; otherwise Lambda creates one on first run that never expires and " +
        "is not encrypted.",
    remediation: "Declare the function's log group in the stack and point loggingConfig.logGroup at it (or name it /aws/lambda/<function>).",
};
