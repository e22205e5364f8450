// Lambda functions of the pipeline: a supported runtime, a log group the stack declares (so its
// retention and key are the pack's to check), an autoscaler that never runs twice at once, and
// invoke permissions that name who may call, and limits chosen rather than defaulted.
export * from "./lambda-autoscaler-concurrency";
export * from "./lambda-function-log-group";
export * from "./lambda-runtime-supported";
export * from "./lambda-permission-scoped";
export * from "./lambda-function-explicit-limits";
export * from "./lambda-function-concurrency";
