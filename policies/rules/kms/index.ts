// The kms policies, one per file; shared.ts holds what several of them use.
export * from "./kms-key-policy-no-wildcard-principal";
export * from "./kms-key-rotation";
