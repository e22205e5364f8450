import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { validateResourceOfType } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";

/** A route's method: the first word of its route key (`POST /events`), none for `$default`. */
const methodOf = (routeKey: unknown): string | undefined => (typeof routeKey === "string" ? /^([A-Z]+)\s/.exec(routeKey)?.[1] : undefined);

/**
 * An unauthenticated ingest route lets anyone on the internet put records on the stream (and spend
 * its write capacity). CORS preflight (OPTIONS) cannot carry credentials, so it is exempt, as in Checkov.
 */
export const apigatewayRouteAuthorization: PackPolicy<ResourceValidationPolicy> = {
    policy: {
        name: "apigateway-route-authorization",
        description:
            "API Gateway routes and methods must require authorization (authorizationType/authorization other than NONE); CORS preflight OPTIONS " +
            "routes are exempt. Controls: Checkov CKV_AWS_309, CKV_AWS_59, cdk-nag AwsSolutions-APIG4.",
        enforcementLevel: "mandatory",
        validateResource: [
            validateResourceOfType(aws.apigatewayv2.Route, (route, args, report) => {
                if (methodOf(route.routeKey) === "OPTIONS") args.notApplicable("CORS preflight cannot carry credentials");
                const type = route.authorizationType ?? "NONE";
                if (type === "NONE") report(`route ${JSON.stringify(route.routeKey)} has authorizationType NONE; require AWS_IAM, JWT or CUSTOM.`);
            }),
            validateResourceOfType(aws.apigateway.Method, (method, args, report) => {
                if (method.httpMethod === "OPTIONS") args.notApplicable("CORS preflight cannot carry credentials");
                if (method.authorization === "NONE" && method.apiKeyRequired !== true) {
                    report(`method ${method.httpMethod} has authorization NONE and no API key; require AWS_IAM, COGNITO_USER_POOLS or CUSTOM.`);
                }
            }),
        ],
    },
    severity: "high",
    topics: ["authentication"],
    controls: [
        { framework: "Checkov", id: "CKV_AWS_309", coverage: "full", note: "HTTP and WebSocket API routes (aws.apigatewayv2.Route)" },
        { framework: "Checkov", id: "CKV_AWS_59", coverage: "full", note: "REST API methods (aws.apigateway.Method), an API key counting as authorization" },
        { framework: "cdk-nag", id: "AwsSolutions-APIG4", coverage: "full" },
    ],
    details:
        "Every `aws.apigatewayv2.Route` has an `authorizationType` other than `NONE` (its default), and every `aws.apigateway.Method` an " +
        "`authorization` other than `NONE` or `apiKeyRequired`: an open ingest route lets anyone put records on the stream and spend its write " +
        "capacity. CORS preflight (`OPTIONS`) routes cannot carry credentials and are not applicable.",
    remediation: "Set the route's authorizationType to AWS_IAM (what the ingest API uses), JWT or CUSTOM with an authorizer.",
};
