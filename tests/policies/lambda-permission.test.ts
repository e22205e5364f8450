// lambda-permission-scoped: no public invoke permission, and a service's permission names its source.
import { ACCOUNT, assertNoViolations, assertViolations, compliant, compliantPipeline, FIXTURE_TYPES, PIPELINE, violation, violationsOf } from "../support/policy-harness";

const POLICY = "lambda-permission-scoped";

function withPermission(overrides: Record<string, unknown> = {}) {
    const p = compliantPipeline();
    const permission = p.b.add(FIXTURE_TYPES.lambdaPermission, "orders-ingest", compliant.lambdaPermission(PIPELINE.producerFunction, "api-id", overrides), {
        parent: p.producers.component,
    });
    return { ...p, permission };
}

describe("policy lambda-permission-scoped", () => {
    const passing: [string, Record<string, unknown>][] = [
        ["the ingest API's permission scoped to its execute-api ARN", {}],
        ["an alarm's permission with sourceAccount and sourceArn", { principal: "lambda.alarms.cloudwatch.amazonaws.com", sourceAccount: ACCOUNT }],
        ["a service permission with sourceAccount only", { principal: "s3.amazonaws.com", sourceArn: undefined, sourceAccount: ACCOUNT }],
        ["an account principal without a source", { principal: "210987654321", sourceArn: undefined }],
        ["a role principal without a source", { principal: `arn:aws:iam::${ACCOUNT}:role/ops`, sourceArn: undefined }],
        ["everyone in one organization (principalOrgId)", { principal: "*", sourceArn: undefined, principalOrgId: "o-a1b2c3d4e5" }],
    ];
    for (const [what, overrides] of passing) {
        it(`passes ${what}`, async () => {
            assertNoViolations(await violationsOf(withPermission(overrides).b.resources));
        });
    }

    it("reports principal * (even with a sourceArn, which does not limit who calls)", async () => {
        for (const overrides of [{ principal: "*", sourceArn: undefined }, { principal: "*" }]) {
            const s = withPermission(overrides);
            assertViolations(await violationsOf(s.b.resources), [
                violation(POLICY, s.permission.urn, "permission lets everyone call lambda:InvokeFunction on orders-ingest; name the principal or set principalOrgId."),
            ]);
        }
    });

    for (const principal of ["apigateway.amazonaws.com", "events.amazonaws.com", "s3.amazonaws.com.cn"]) {
        it(`reports the service principal ${principal} without sourceArn or sourceAccount`, async () => {
            const s = withPermission({ principal, sourceArn: undefined });
            assertViolations(await violationsOf(s.b.resources), [
                violation(
                    POLICY,
                    s.permission.urn,
                    `permission lets ${principal} call lambda:InvokeFunction on orders-ingest for any resource; set sourceArn (and sourceAccount).`,
                ),
            ]);
        });
    }
});
