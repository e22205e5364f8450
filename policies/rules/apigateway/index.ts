// The ingest API in front of the stream: only callers the API can identify may put records.
export * from "./apigateway-route-authorization";
export * from "./apigateway-stage-throttling";
