// flink-application-checkpointing: a Flink application keeps consistent state across restarts.
import { assertNoViolations, assertViolations, compliantStack, UNKNOWN, unknownDiagnostic, violationsOf } from "../support/policy-harness";

const POLICY = "flink-application-checkpointing";
const APP = "aws:kinesisanalyticsv2/application:Application";

function withApplication(inputs: Record<string, unknown>) {
    const s = compliantStack();
    const app = s.b.add(APP, "enrich", { name: "enrich", serviceExecutionRole: "arn:aws:iam::123456789012:role/flink", ...inputs });
    return { s, app };
}

const flink = (checkpointConfiguration: unknown) => ({
    runtimeEnvironment: "FLINK-1_20",
    applicationConfiguration: { flinkApplicationConfiguration: { checkpointConfiguration } },
});

describe("policy flink-application-checkpointing", () => {
    it("passes a CUSTOM configuration with checkpointing enabled, and the DEFAULT configuration", async () => {
        assertNoViolations(await violationsOf(withApplication(flink({ configurationType: "CUSTOM", checkpointingEnabled: true, checkpointInterval: 60000 })).s.b.resources));
        assertNoViolations(await violationsOf(withApplication(flink({ configurationType: "DEFAULT" })).s.b.resources));
    });

    it("does not apply to SQL or Zeppelin applications", async () => {
        assertNoViolations(await violationsOf(withApplication({ runtimeEnvironment: "SQL-1_0" }).s.b.resources));
    });

    const broken: [string, Record<string, unknown>, string][] = [
        [
            "checkpointing turned off",
            flink({ configurationType: "CUSTOM", checkpointingEnabled: false }),
            "checkpointConfiguration is CUSTOM with checkpointingEnabled not true; enable checkpointing.",
        ],
        [
            "a CUSTOM configuration that leaves it unset",
            flink({ configurationType: "CUSTOM" }),
            "checkpointConfiguration is CUSTOM with checkpointingEnabled not true; enable checkpointing.",
        ],
        [
            "no checkpoint configuration",
            { runtimeEnvironment: "FLINK-1_20", applicationConfiguration: {} },
            "flinkApplicationConfiguration.checkpointConfiguration is not set; set configurationType CUSTOM with checkpointingEnabled true.",
        ],
    ];
    for (const [what, inputs, message] of broken) {
        it(`reports ${what}`, async () => {
            const { s, app } = withApplication(inputs);
            assertViolations(await violationsOf(s.b.resources), [{ policyName: POLICY, enforcementLevel: "mandatory", urn: app.urn, message }]);
        });
    }

    it("cannot check a checkpoint setting unknown in preview: reported as advisory", async () => {
        const { s, app } = withApplication(flink({ configurationType: "CUSTOM", checkpointingEnabled: UNKNOWN }));
        assertViolations(await violationsOf(s.b.resources), [
            {
                policyName: POLICY,
                enforcementLevel: "advisory",
                urn: app.urn,
                message: unknownDiagnostic(POLICY, "string", "applicationConfiguration.flinkApplicationConfiguration.checkpointConfiguration.checkpointingEnabled"),
            },
        ]);
    });
});
