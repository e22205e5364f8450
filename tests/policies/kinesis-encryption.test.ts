// kinesis-stream-encrypted and kinesis-stream-customer-key: compliant passes, each way to break
// them is caught with its exact message, unknowns in preview are reported, never passed silently.
import { assertNoViolations, assertViolations, compliantStack, UNKNOWN, unknownDiagnostic, violationsOf } from "../support/policy-harness";

const ENCRYPTED = "kinesis-stream-encrypted";
const CUSTOMER_KEY = "kinesis-stream-customer-key";

describe("policy kinesis-stream-encrypted", () => {
    it("passes a stream with encryptionType KMS and the stack's key", async () => {
        assertNoViolations(await violationsOf(compliantStack().b.resources));
    });

    const notEncrypted: [string, Record<string, unknown>, string][] = [
        ["encryptionType NONE", { encryptionType: "NONE", kmsKeyId: undefined }, 'encryptionType is "NONE"; set encryptionType "KMS" with kmsKeyId.'],
        [
            "encryptionType absent (Kinesis defaults to NONE)",
            { encryptionType: undefined, kmsKeyId: undefined },
            'encryptionType is "NONE"; set encryptionType "KMS" with kmsKeyId.',
        ],
        ["encryptionType NONE with a key left over", { encryptionType: "NONE" }, 'encryptionType is "NONE"; set encryptionType "KMS" with kmsKeyId.'],
        ["encryptionType in the wrong case", { encryptionType: "kms" }, 'encryptionType is "kms"; set encryptionType "KMS" with kmsKeyId.'],
        ["encryptionType KMS with an empty kmsKeyId", { kmsKeyId: "" }, "encryptionType is KMS but kmsKeyId is empty; set kmsKeyId to the stack's key."],
    ];
    for (const [label, stream, message] of notEncrypted) {
        it(`reports ${label}`, async () => {
            const s = compliantStack({ stream });
            assertViolations(await violationsOf(s.b.resources), [{ policyName: ENCRYPTED, enforcementLevel: "mandatory", urn: s.stream.urn, message }]);
        });
    }

    it("reports encryptionType KMS without kmsKeyId once, under kinesis-stream-encrypted", async () => {
        const s = compliantStack({ stream: { kmsKeyId: undefined } });
        assertViolations(await violationsOf(s.b.resources), [
            { policyName: ENCRYPTED, enforcementLevel: "mandatory", urn: s.stream.urn, message: "encryptionType is KMS but kmsKeyId is empty; set kmsKeyId to the stack's key." },
        ]);
    });

    it("cannot check a kmsKeyId unknown in preview: the engine reports it as advisory, not a pass", async () => {
        const s = compliantStack({ stream: { kmsKeyId: UNKNOWN } });
        assertViolations(await violationsOf(s.b.resources), [
            { policyName: CUSTOMER_KEY, enforcementLevel: "advisory", urn: s.stream.urn, message: unknownDiagnostic(CUSTOMER_KEY, "string", "kmsKeyId") },
            { policyName: ENCRYPTED, enforcementLevel: "advisory", urn: s.stream.urn, message: unknownDiagnostic(ENCRYPTED, "string", "kmsKeyId") },
        ]);
    });

    it("still reports encryptionType NONE when only kmsKeyId is unknown (the rule never reads the key)", async () => {
        const s = compliantStack({ stream: { encryptionType: "NONE", kmsKeyId: UNKNOWN } });
        assertViolations(await violationsOf(s.b.resources), [
            { policyName: ENCRYPTED, enforcementLevel: "mandatory", urn: s.stream.urn, message: 'encryptionType is "NONE"; set encryptionType "KMS" with kmsKeyId.' },
        ]);
    });

    it("reports an unknown encryptionType as advisory under both rules", async () => {
        const s = compliantStack({ stream: { encryptionType: UNKNOWN } });
        assertViolations(await violationsOf(s.b.resources), [
            { policyName: CUSTOMER_KEY, enforcementLevel: "advisory", urn: s.stream.urn, message: unknownDiagnostic(CUSTOMER_KEY, "string", "encryptionType") },
            { policyName: ENCRYPTED, enforcementLevel: "advisory", urn: s.stream.urn, message: unknownDiagnostic(ENCRYPTED, "string", "encryptionType") },
        ]);
    });
});

describe("policy kinesis-stream-customer-key", () => {
    const customerKeys: [string, string][] = [
        ["a key ARN", "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"],
        ["a key id", "1234abcd-12ab-34cd-56ef-1234567890ab"],
        ["a customer alias", "alias/orders-key"],
        ["a customer alias ARN", "arn:aws:kms:us-east-1:123456789012:alias/orders-key"],
        ["an alias that only starts like the AWS one", "alias/awsome-key"],
    ];
    for (const [label, kmsKeyId] of customerKeys) {
        it(`passes ${label}`, async () => {
            assertNoViolations(await violationsOf(compliantStack({ stream: { kmsKeyId } }).b.resources));
        });
    }

    const awsManaged = [
        "alias/aws/kinesis",
        "arn:aws:kms:us-east-1:123456789012:alias/aws/kinesis",
        "arn:aws-us-gov:kms:us-gov-west-1:123456789012:alias/aws/kinesis",
        "arn:aws-cn:kms:cn-north-1:123456789012:alias/aws/kinesis",
    ];
    for (const kmsKeyId of awsManaged) {
        it(`reports the AWS-managed key ${kmsKeyId}`, async () => {
            const s = compliantStack({ stream: { kmsKeyId } });
            assertViolations(await violationsOf(s.b.resources), [
                {
                    policyName: CUSTOMER_KEY,
                    enforcementLevel: "mandatory",
                    urn: s.stream.urn,
                    message: `kmsKeyId "${kmsKeyId}" is the AWS-managed key; use a customer-managed key.`,
                },
            ]);
        });
    }

    it("does not apply to an unencrypted stream (kinesis-stream-encrypted reports that)", async () => {
        const s = compliantStack({ stream: { encryptionType: "NONE", kmsKeyId: "alias/aws/kinesis" } });
        const found = await violationsOf(s.b.resources);
        assertViolations(found, [
            { policyName: ENCRYPTED, enforcementLevel: "mandatory", urn: s.stream.urn, message: 'encryptionType is "NONE"; set encryptionType "KMS" with kmsKeyId.' },
        ]);
    });
});
