// iam-role-trust-no-wildcard: no role everyone may assume.
import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
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

/** One test per trust statement: a role trusting it leaves the pack with nothing to say. */
function itPassesTrust(passing: [string, Record<string, unknown>][]): void {
    for (const [what, statement] of passing) {
        it(`passes ${what}`, async () => {
            const p = compliantPipeline();
            set(p.consumer.role, { assumeRolePolicy: policyDoc(statement) });
            assertNoViolations(await violationsOf(p.b.resources));
        });
    }
}

describe("policy iam-role-trust-no-wildcard", () => {
    const passing: [string, Record<string, unknown>][] = [
        ["a service principal", assume({ Principal: { Service: "lambda.amazonaws.com" } })],
        [
            "a whole account narrowed to its roles (whole accounts are iam-role-trust-whole-account's)",
            assume({ Principal: { AWS: [`arn:aws:iam::${ACCOUNT}:root`] } }, { Condition: { ArnLike: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role/app-*` } } }),
        ],
        ["a role of another account", assume({ Principal: { AWS: "arn:aws:iam::210987654321:role/kcl-worker" } })],
        ['a Deny to "*"', { Sid: "Deny", Effect: "Deny", Principal: "*", Action: "sts:AssumeRole", Condition: { Bool: { "aws:SecureTransport": "false" } } }],
    ];
    itPassesTrust(passing);

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
        assertViolations(await violationsOf(p.b.resources), [
            violation(POLICY, p.consumer.role.urn, unknownDiagnostic(POLICY, "string", "assumeRolePolicy"), "advisory"),
            violation(WHOLE, p.consumer.role.urn, unknownDiagnostic(WHOLE, "string", "assumeRolePolicy"), "advisory"),
        ]);
    });
});

const WHOLE = "iam-role-trust-whole-account";
const wholeAccountMessage = (label: string, accounts: string, role: string) =>
    `trust statement ${label} lets every principal of account ${accounts} that may call sts:AssumeRole assume the role; ` +
    `name the roles, narrow it with aws:PrincipalArn, or list role ${role} in accountTrustRoles with the reason it trusts accounts.`;

describe("policy iam-role-trust-whole-account", () => {
    const passing: [string, Record<string, unknown>][] = [
        ["a role of another account", assume({ Principal: { AWS: "arn:aws:iam::210987654321:role/kcl-worker" } })],
        [
            "a whole account narrowed by aws:PrincipalArn",
            assume({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } }, { Condition: { ArnLike: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role/app-*` } } }),
        ],
        ["a whole account narrowed by sts:ExternalId", assume({ Principal: { AWS: "210987654321" } }, { Condition: { StringEquals: { "sts:ExternalId": "orders" } } })],
        ["a whole account in a Deny", { Sid: "Deny", Effect: "Deny", Principal: { AWS: "arn:aws:iam::210987654321:root" }, Action: "sts:AssumeRole" }],
    ];
    itPassesTrust(passing);

    const broken: [string, Record<string, unknown>, string][] = [
        ["the account's root ARN", assume({ Principal: { AWS: [`arn:aws:iam::${ACCOUNT}:root`] } }), ACCOUNT],
        [
            "bare account ids, with a condition that does not narrow the principals",
            assume({ Principal: { AWS: ["210987654321", "arn:aws-cn:iam::111122223333:root"] } }, { Condition: { Bool: { "aws:SecureTransport": "true" } } }),
            "210987654321, 111122223333",
        ],
    ];
    for (const [what, statement, accounts] of broken) {
        it(`reports ${what} (advisory)`, async () => {
            const p = compliantPipeline();
            set(p.consumer.role, { assumeRolePolicy: policyDoc(statement) });
            assertViolations(await violationsOf(p.b.resources), [violation(WHOLE, p.consumer.role.urn, wholeAccountMessage("Trust", accounts, "orders-consumer"), "advisory")]);
        });
    }

    it("passes a role accountTrustRoles lists with a reason, by logical or physical name; an empty reason does not count", async () => {
        const p = compliantPipeline();
        set(p.consumer.role, { name: "orders-consumer-physical", assumeRolePolicy: policyDoc(assume({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } })) });
        const reported = [violation(WHOLE, p.consumer.role.urn, wholeAccountMessage("Trust", ACCOUNT, "orders-consumer"), "advisory")];
        const withRoles = (accountTrustRoles: Record<string, string>) => ({ [WHOLE]: { accountTrustRoles } });
        assertNoViolations(await violationsOf(p.b.resources, withRoles({ "orders-consumer": "assumed by the order apps of this account" })));
        assertNoViolations(await violationsOf(p.b.resources, withRoles({ "orders-consumer-physical": "assumed by the order apps of this account" })));
        assertViolations(await violationsOf(p.b.resources, withRoles({ "orders-consumer": " " })), reported);
        assertViolations(await violationsOf(p.b.resources, withRoles({ "another-role": "a reason" })), reported);
    });

    it("is advisory in every environment, and each environment lists the roles its program trusts accounts with", async () => {
        for (const env of ["dev", "staging", "prod"]) {
            const config = JSON.parse(readFileSync(path.join(__dirname, "..", "..", "policies", "config", `${env}.json`), "utf8"))[WHOLE];
            assert.equal(config.enforcementLevel ?? "advisory", "advisory", env);
            const roles = Object.keys(config.accountTrustRoles);
            assert.deepEqual(roles, env === "prod" ? ["prod-producers-external", "prod-kcl"] : [`${env}-producers-external`]);
        }
    });
});
