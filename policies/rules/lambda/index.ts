// The lambda policies, one per file; shared.ts holds what several of them use.
export * from "./lambda-autoscaler-concurrency";
export * from "./lambda-function-log-group";
export * from "./lambda-runtime-supported";
