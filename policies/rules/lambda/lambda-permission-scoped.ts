import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { validateResourceOfType } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";

const isServicePrincipal = (principal: string) => /\.amazonaws\.com(\.cn)?$/.test(principal);

/**
 * A function's resource policy decides who may invoke it: the producer puts records on the stream
 * and the autoscaler reshards it, so an open or unscoped permission hands both to strangers.
 */
export const lambdaPermissionScoped: PackPolicy<ResourceValidationPolicy> = {
    policy: {
        name: "lambda-permission-scoped",
        description:
            "Lambda permissions must not grant everyone (principal *, unless principalOrgId limits it to an organization), and a permission for an AWS " +
            "service must name the sourceArn or sourceAccount it is for (confused deputy). Controls: Checkov CKV_AWS_301, CKV_AWS_364, " +
            "compliance-policies aws-lambda-permission-disallow-permission-without-source-arn, cdk-nag LambdaFunctionPublicAccessProhibited.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.lambda.Permission, (permission, _args, report) => {
            const principal = permission.principal;
            if (principal === "*") {
                if (!permission.principalOrgId) report(`permission lets everyone call ${permission.action} on ${permission.function}; name the principal or set principalOrgId.`);
            } else if (isServicePrincipal(principal) && !permission.sourceArn && !permission.sourceAccount) {
                report(`permission lets ${principal} call ${permission.action} on ${permission.function} for any resource; set sourceArn (and sourceAccount).`);
            }
        }),
    },
    severity: "high",
    topics: ["permissions"],
    controls: [
        { framework: "Checkov", id: "CKV_AWS_301", coverage: "full" },
        { framework: "Checkov", id: "CKV_AWS_364", coverage: "full" },
        {
            framework: "compliance-policies",
            id: "aws-lambda-permission-disallow-permission-without-source-arn",
            coverage: "partial",
            note: "it wants sourceArn on every permission; this accepts sourceAccount alone for a service principal (as CKV_AWS_364) and does not ask it of account principals",
        },
        { framework: "cdk-nag", id: "LambdaFunctionPublicAccessProhibited", coverage: "full" },
    ],
    details:
        "Every `aws.lambda.Permission` names who may invoke: a `principal` of `*` is reported unless `principalOrgId` limits it to one organization, and a " +
        "service principal (`*.amazonaws.com`) must come with `sourceArn` or `sourceAccount`, or any customer's resource of that service could invoke the " +
        "function (confused deputy). The ingest API's permission names its `execute-api` ARN; the autoscaler's names its alarm and account.",
    remediation: "Set sourceArn to the resource that invokes the function (the API's execute-api ARN, the alarm's ARN) and sourceAccount; never principal *.",
};
