// The ingest API in front of the stream: only callers the API can identify may put records, at a
// throttled rate, and every request is logged.
export * from "./apigateway-route-authorization";
export * from "./apigateway-stage-throttling";
export * from "./apigateway-stage-access-logging";
