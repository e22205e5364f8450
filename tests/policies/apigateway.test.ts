// apigateway-route-authorization: ingest routes and REST methods require authorization; CORS preflight is exempt.
import {
    assertNoViolations,
    assertViolations,
    compliant,
    compliantPipeline,
    FIXTURE_TYPES,
    set,
    UNKNOWN,
    unknownDiagnostic,
    violation,
    violationsOf,
} from "../support/policy-harness";

const POLICY = "apigateway-route-authorization";

function withRoute(overrides: Record<string, unknown> = {}) {
    const p = compliantPipeline();
    const route = p.b.add(FIXTURE_TYPES.route, "orders-ingest", compliant.route("orders-ingest-api", overrides), { parent: p.producers.component });
    return { ...p, route };
}

describe("policy apigateway-route-authorization", () => {
    for (const authorizationType of ["AWS_IAM", "JWT", "CUSTOM"]) {
        it(`passes a route with authorizationType ${authorizationType}`, async () => {
            assertNoViolations(await violationsOf(withRoute({ authorizationType }).b.resources));
        });
    }

    for (const [label, authorizationType] of [
        ["NONE", "NONE"],
        ["absent (API Gateway's default is NONE)", undefined],
    ] as const) {
        it(`reports a route whose authorizationType is ${label}`, async () => {
            const s = withRoute({ authorizationType });
            assertViolations(await violationsOf(s.b.resources), [
                violation(POLICY, s.route.urn, 'route "POST /events" has authorizationType NONE; require AWS_IAM, JWT or CUSTOM.'),
            ]);
        });
    }

    it("reports the $default catch-all route without authorization", async () => {
        const s = withRoute({ routeKey: "$default", authorizationType: "NONE" });
        assertViolations(await violationsOf(s.b.resources), [violation(POLICY, s.route.urn, 'route "$default" has authorizationType NONE; require AWS_IAM, JWT or CUSTOM.')]);
    });

    it("does not apply to a CORS preflight OPTIONS route", async () => {
        assertNoViolations(await violationsOf(withRoute({ routeKey: "OPTIONS /events", authorizationType: "NONE" }).b.resources));
    });

    it("reports a REST method without authorization or API key, and passes one with either", async () => {
        const s = compliantPipeline();
        const open = s.b.add(FIXTURE_TYPES.restMethod, "open", { restApi: "api", resourceId: "r", httpMethod: "POST", authorization: "NONE" });
        s.b.add(FIXTURE_TYPES.restMethod, "keyed", { restApi: "api", resourceId: "r", httpMethod: "PUT", authorization: "NONE", apiKeyRequired: true });
        s.b.add(FIXTURE_TYPES.restMethod, "iam", { restApi: "api", resourceId: "r", httpMethod: "GET", authorization: "AWS_IAM" });
        s.b.add(FIXTURE_TYPES.restMethod, "preflight", { restApi: "api", resourceId: "r", httpMethod: "OPTIONS", authorization: "NONE" });
        assertViolations(await violationsOf(s.b.resources), [
            violation(POLICY, open.urn, "method POST has authorization NONE and no API key; require AWS_IAM, COGNITO_USER_POOLS or CUSTOM."),
        ]);
    });

    it("cannot check an authorizationType unknown in preview: advisory", async () => {
        const s = withRoute();
        set(s.route, { authorizationType: UNKNOWN });
        assertViolations(await violationsOf(s.b.resources), [violation(POLICY, s.route.urn, unknownDiagnostic(POLICY, "string", "authorizationType"), "advisory")]);
    });
});

// apigateway-stage-throttling: HTTP API stages set a default rate and burst limit.
describe("policy apigateway-stage-throttling", () => {
    const THROTTLING = "apigateway-stage-throttling";
    const withStage = (overrides: Record<string, unknown> = {}) => {
        const p = compliantPipeline();
        const stage = p.b.add(FIXTURE_TYPES.stage, "orders-ingest", compliant.stage("orders-ingest-api", overrides), { parent: p.producers.component });
        return { ...p, stage };
    };
    const message = (missing: string) => `stage $default has no default ${missing}; set defaultRouteSettings so one caller cannot take the stream's write capacity.`;

    it("passes a stage with a rate and a burst limit", async () => {
        assertNoViolations(await violationsOf(withStage().b.resources));
    });

    const broken: [string, unknown, string][] = [
        ["no defaultRouteSettings", undefined, "throttlingRateLimit or throttlingBurstLimit"],
        ["only a rate limit", { throttlingRateLimit: 100 }, "throttlingBurstLimit"],
        ["a rate limit of 0", { throttlingRateLimit: 0, throttlingBurstLimit: 200 }, "throttlingRateLimit"],
        ["only detailed metrics", { detailedMetricsEnabled: true }, "throttlingRateLimit or throttlingBurstLimit"],
    ];
    for (const [what, defaultRouteSettings, missing] of broken) {
        it(`reports ${what}`, async () => {
            const s = withStage({ defaultRouteSettings });
            assertViolations(await violationsOf(s.b.resources), [violation(THROTTLING, s.stage.urn, message(missing))]);
        });
    }
});

// apigateway-stage-access-logging: HTTP API stages write JSON access logs.
describe("policy apigateway-stage-access-logging", () => {
    const LOGGING = "apigateway-stage-access-logging";
    const withStage = (overrides: Record<string, unknown> = {}) => {
        const p = compliantPipeline();
        const stage = p.b.add(FIXTURE_TYPES.stage, "orders-ingest", compliant.stage("orders-ingest-api", overrides), { parent: p.producers.component });
        return { ...p, stage };
    };
    const DESTINATION = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/apigateway/orders-ingest-api";

    it("passes a stage logging JSON, with quoted and unquoted $context variables", async () => {
        assertNoViolations(await violationsOf(withStage().b.resources));
        const format = '{ "requestId": "$context.requestId", "latencyMs": $context.responseLatency, "claims": "$context.authorizer.claims.sub" }';
        assertNoViolations(await violationsOf(withStage({ accessLogSettings: { destinationArn: DESTINATION, format } }).b.resources));
    });

    const broken: [string, unknown, string][] = [
        ["no accessLogSettings", undefined, "stage $default writes no access log; set accessLogSettings with a log group destinationArn and a JSON format."],
        [
            "a CLF format",
            { destinationArn: DESTINATION, format: "$context.identity.sourceIp - - [$context.requestTime] $context.status" },
            "stage $default's access log format is not JSON; write one JSON object per request.",
        ],
        ["a JSON array", { destinationArn: DESTINATION, format: '["$context.requestId"]' }, "stage $default's access log format is not JSON; write one JSON object per request."],
        ["no format", { destinationArn: DESTINATION }, "stage $default's access log format is not JSON; write one JSON object per request."],
    ];
    for (const [what, accessLogSettings, message] of broken) {
        it(`reports ${what}`, async () => {
            const s = withStage({ accessLogSettings });
            assertViolations(await violationsOf(s.b.resources), [violation(LOGGING, s.stage.urn, message)]);
        });
    }
});
