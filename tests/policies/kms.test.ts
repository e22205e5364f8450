// kms-key-rotation: symmetric customer keys rotate; keys that cannot rotate are not applicable. kms-key-usable at the end.
import { strict as assert } from "node:assert";
import { pack } from "../../policies/policies";
import { type PolicyPackConfig, remediateResources, runPolicies } from "../../tools/lib/policy-engine";
import { assertNoViolations, assertViolations, compliantStack, policyDoc, UNKNOWN, unknownDiagnostic, violation, violationsOf } from "../support/policy-harness";

const POLICY = "kms-key-rotation";
const MESSAGE = "enableKeyRotation is not true; turn on automatic key rotation.";

describe("policy kms-key-rotation", () => {
    it("passes a key with enableKeyRotation true", async () => {
        assertNoViolations(await violationsOf(compliantStack().b.resources));
    });

    it("passes an explicit SYMMETRIC_DEFAULT key with rotation and a custom rotation period", async () => {
        const s = compliantStack({ key: { customerMasterKeySpec: "SYMMETRIC_DEFAULT", rotationPeriodInDays: 90 } });
        assertNoViolations(await violationsOf(s.b.resources));
    });

    const broken: [string, Record<string, unknown>][] = [
        ["enableKeyRotation false", { enableKeyRotation: false }],
        ["enableKeyRotation absent (KMS defaults to off)", { enableKeyRotation: undefined }],
        ['enableKeyRotation as the string "true"', { enableKeyRotation: "true" }],
        ["an explicit SYMMETRIC_DEFAULT key without rotation", { customerMasterKeySpec: "SYMMETRIC_DEFAULT", enableKeyRotation: false }],
    ];
    for (const [label, key] of broken) {
        it(`reports ${label}`, async () => {
            const s = compliantStack({ key });
            assertViolations(await violationsOf(s.b.resources), [{ policyName: POLICY, enforcementLevel: "mandatory", urn: s.key.urn, message: MESSAGE }]);
        });
    }

    for (const spec of ["RSA_2048", "ECC_NIST_P256", "HMAC_256"]) {
        it(`does not apply to a ${spec} key, which KMS cannot rotate`, async () => {
            const s = compliantStack({ key: { customerMasterKeySpec: spec, keyUsage: spec.startsWith("HMAC") ? "GENERATE_VERIFY_MAC" : "SIGN_VERIFY", enableKeyRotation: false } });
            assertNoViolations(await violationsOf(s.b.resources));
        });
    }

    it("reports every key without rotation, each under its own URN", async () => {
        const s = compliantStack();
        const second = s.b.key("archive-key", { enableKeyRotation: false });
        const third = s.b.key("audit-key", { enableKeyRotation: undefined });
        assertViolations(await violationsOf(s.b.resources), [
            { policyName: POLICY, enforcementLevel: "mandatory", urn: second.urn, message: MESSAGE },
            { policyName: POLICY, enforcementLevel: "mandatory", urn: third.urn, message: MESSAGE },
        ]);
    });

    it("cannot check an enableKeyRotation unknown in preview: reported as advisory", async () => {
        const s = compliantStack({ key: { enableKeyRotation: UNKNOWN } });
        assertViolations(await violationsOf(s.b.resources), [
            { policyName: POLICY, enforcementLevel: "advisory", urn: s.key.urn, message: unknownDiagnostic(POLICY, "string", "enableKeyRotation") },
        ]);
    });

    it("cannot check a key spec unknown in preview: reported as advisory", async () => {
        const s = compliantStack({ key: { customerMasterKeySpec: UNKNOWN } });
        assertViolations(await violationsOf(s.b.resources), [
            { policyName: POLICY, enforcementLevel: "advisory", urn: s.key.urn, message: unknownDiagnostic(POLICY, "string", "customerMasterKeySpec") },
        ]);
    });
});

// kms-key-policy-no-wildcard-principal: nobody but named principals administers the key.
describe("policy kms-key-policy-no-wildcard-principal", () => {
    const WILD = "kms-key-policy-no-wildcard-principal";
    const ROOT = "arn:aws:iam::123456789012:root";
    const admin = { Sid: "AccountAdministersKeyThroughIam", Effect: "Allow", Principal: { AWS: ROOT }, Action: "kms:*", Resource: "*" };
    const logs = { Sid: "Logs", Effect: "Allow", Principal: { Service: "logs.us-east-1.amazonaws.com" }, Action: ["kms:Encrypt*", "kms:Decrypt*"], Resource: "*" };
    const withPolicy = (...statements: Record<string, unknown>[]) => compliantStack({ key: { policy: policyDoc(...statements) } });

    it("passes the program's key policy (kms:* to the account root, named actions to services) and the default policy", async () => {
        assertNoViolations(await violationsOf(withPolicy(admin, logs).b.resources));
        assertNoViolations(await violationsOf(compliantStack().b.resources));
    });

    it("passes a wildcard principal with named actions, and a Deny to everyone", async () => {
        const decrypt = { Sid: "OrgDecrypt", Effect: "Allow", Principal: "*", Action: "kms:Decrypt", Resource: "*", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-1" } } };
        const deny = { Sid: "NoDelete", Effect: "Deny", Principal: "*", Action: "kms:*", Resource: "*" };
        assertNoViolations(await violationsOf(withPolicy(admin, decrypt, deny).b.resources));
    });

    const broken: [string, Record<string, unknown>, string][] = [
        [
            'kms:* to "*"',
            { Sid: "Open", Effect: "Allow", Principal: "*", Action: "kms:*", Resource: "*" },
            "statement Open allows kms:* to every principal; grant the account root and name the actions each service needs.",
        ],
        [
            '* to { AWS: "*" }',
            { Sid: "Open", Effect: "Allow", Principal: { AWS: "*" }, Action: "*", Resource: "*" },
            "statement Open allows * to every principal; grant the account root and name the actions each service needs.",
        ],
        [
            'KMS:* to { AWS: ["*"] } with a condition (conditions do not excuse it)',
            { Effect: "Allow", Principal: { AWS: ["*"] }, Action: ["kms:Decrypt", "KMS:*"], Resource: "*", Condition: { StringEquals: { "kms:CallerAccount": "123456789012" } } },
            "statement #1 allows KMS:* to every principal; grant the account root and name the actions each service needs.",
        ],
        [
            "kms:* with NotPrincipal",
            { Sid: "AllBut", Effect: "Allow", NotPrincipal: { AWS: ROOT }, Action: "kms:*", Resource: "*" },
            "statement AllBut allows kms:* with NotPrincipal (everyone it does not name); grant named principals.",
        ],
    ];
    for (const [what, statement, message] of broken) {
        it(`reports ${what}`, async () => {
            const s = withPolicy(admin, statement);
            assertViolations(await violationsOf(s.b.resources), [violation(WILD, s.key.urn, message)]);
        });
    }

    it("reports a policy that is not JSON", async () => {
        const s = compliantStack({ key: { policy: "{ nope" } });
        assertViolations(await violationsOf(s.b.resources), [violation(WILD, s.key.urn, "policy is not a JSON policy document.")]);
    });

    it("cannot check a key policy unknown in preview: advisory", async () => {
        const s = compliantStack({ key: { policy: UNKNOWN } });
        assertViolations(await violationsOf(s.b.resources), [violation(WILD, s.key.urn, unknownDiagnostic(WILD, "string", "policy"), "advisory")]);
    });
});

// kms-key-usable: KMS's lockout check stays on and the key stays enabled; the remediation turns the bypass off.
describe("policy kms-key-usable", () => {
    const USABLE = "kms-key-usable";
    const BYPASS = "bypassPolicyLockoutSafetyCheck is true; a key policy that locks the account out would then be accepted. Remove it.";
    const DISABLED = "isEnabled is false; the stream, queues, topic and archive encrypted with this key stop working. Enable the key.";

    for (const [what, key] of [
        ["a key without either setting", {}],
        ["bypassPolicyLockoutSafetyCheck false and isEnabled true", { bypassPolicyLockoutSafetyCheck: false, isEnabled: true }],
    ] as const) {
        it(`passes ${what}`, async () => {
            assertNoViolations(await violationsOf(compliantStack({ key }).b.resources));
        });
    }

    it("reports bypassPolicyLockoutSafetyCheck true and isEnabled false, each", async () => {
        const s = compliantStack({ key: { bypassPolicyLockoutSafetyCheck: true, isEnabled: false } });
        assertViolations(await violationsOf(s.b.resources), [violation(USABLE, s.key.urn, BYPASS), violation(USABLE, s.key.urn, DISABLED)]);
    });

    it("at level remediate, turns the bypass off and keeps every other input; a disabled key is left to a person", async () => {
        const config: PolicyPackConfig = { [USABLE]: "remediate" };
        const s = compliantStack({ key: { bypassPolicyLockoutSafetyCheck: true } });
        const { remediations } = await remediateResources(pack, s.b.resources, config);
        assert.deepEqual(remediations, [{ policyName: USABLE, urn: s.key.urn, properties: { ...s.key.inputs, bypassPolicyLockoutSafetyCheck: false } }]);
        assertNoViolations(await runPolicies(pack, s.b.resources, config, { remediate: true }));
        const d = compliantStack({ key: { isEnabled: false } });
        assert.deepEqual((await remediateResources(pack, d.b.resources, config)).remediations, []);
    });
});
