// iam-role-trust-no-wildcard: no role everyone may assume.
import {
    ACCOUNT,
    assertNoViolations,
    assertViolations,
    compliant,
    compliantPipeline,
    policyDoc,
    set,
    TYPES,
    UNKNOWN,
    unknownDiagnostic,
    violation,
    violationsOf,
} from "../support/policy-harness";

const POLICY = "iam-role-trust-no-wildcard";
const assume = (principal: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ Sid: "Trust", Effect: "Allow", ...principal, Action: "sts:AssumeRole", ...extra });

describe("policy iam-role-trust-no-wildcard", () => {
    const passing: [string, Record<string, unknown>][] = [
        ["a service principal", assume({ Principal: { Service: "lambda.amazonaws.com" } })],
        ["a whole account (CKV_AWS_61's concern, not this policy's)", assume({ Principal: { AWS: [`arn:aws:iam::${ACCOUNT}:root`] } })],
        ["a role of another account", assume({ Principal: { AWS: "arn:aws:iam::210987654321:role/kcl-worker" } })],
        ['a Deny to "*"', { Sid: "Deny", Effect: "Deny", Principal: "*", Action: "sts:AssumeRole", Condition: { Bool: { "aws:SecureTransport": "false" } } }],
    ];
    for (const [what, statement] of passing) {
        it(`passes ${what}`, async () => {
            const p = compliantPipeline();
            set(p.consumer.role, { assumeRolePolicy: policyDoc(statement) });
            assertNoViolations(await violationsOf(p.b.resources));
        });
    }

    const broken: [string, Record<string, unknown>, string][] = [
        ['Principal "*"', assume({ Principal: "*" }), "trust statement Trust lets every AWS principal assume the role; name the accounts, roles or services."],
        [
            '{ AWS: "*" } in a list, even with a condition',
            assume({ Principal: { AWS: ["arn:aws:iam::210987654321:root", "*"] } }, { Condition: { StringEquals: { "sts:ExternalId": "x" } } }),
            "trust statement Trust lets every AWS principal assume the role; name the accounts, roles or services.",
        ],
        [
            "NotPrincipal",
            assume({ NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:role/ops` } }),
            "trust statement Trust allows everyone but its NotPrincipal to assume the role; use Principal.",
        ],
    ];
    for (const [what, statement, message] of broken) {
        it(`reports ${what}`, async () => {
            const p = compliantPipeline();
            set(p.consumer.role, { assumeRolePolicy: policyDoc(statement) });
            assertViolations(await violationsOf(p.b.resources), [violation(POLICY, p.consumer.role.urn, message)]);
        });
    }

    it("labels a statement without Sid by its position, and reports each one", async () => {
        const p = compliantPipeline();
        const role = p.b.add(
            TYPES.role,
            "open",
            compliant.role("open", "lambda", {
                assumeRolePolicy: policyDoc(
                    { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
                    { Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" },
                ),
            }),
        );
        assertViolations(await violationsOf(p.b.resources), [
            violation(POLICY, role.urn, "trust statement #1 lets every AWS principal assume the role; name the accounts, roles or services."),
        ]);
    });

    it("cannot check a trust policy unknown in preview: advisory", async () => {
        const p = compliantPipeline();
        set(p.consumer.role, { assumeRolePolicy: UNKNOWN });
        assertViolations(await violationsOf(p.b.resources), [violation(POLICY, p.consumer.role.urn, unknownDiagnostic(POLICY, "string", "assumeRolePolicy"), "advisory")]);
    });
});
