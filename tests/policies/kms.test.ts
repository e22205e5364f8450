// kms-key-rotation: symmetric customer keys rotate; keys that cannot rotate are not applicable.
import { assertNoViolations, assertViolations, compliantStack, UNKNOWN, unknownDiagnostic, violationsOf } from "../support/policy-harness";

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
        ["enableKeyRotation as the string \"true\"", { enableKeyRotation: "true" }],
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
