// The policy test harness, one module per concern: what the engine's resources look like
// (policy-harness/stack-model.ts), building and breaking a stack of them (stack-builder.ts), running
// the pack and asserting on its violations (assertions.ts); the compliant fixtures the rule tests
// mutate are in tests/policies/fixtures/.
export * from "../policies/fixtures";
export * from "./policy-harness/assertions";
export * from "./policy-harness/stack-builder";
export * from "./policy-harness/stack-model";
