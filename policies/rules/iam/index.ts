// The iam policies, one per file.
export * from "./iam-streaming-least-privilege";
export * from "./iam-streaming-role-purpose";
export * from "./iam-role-trust-no-wildcard";
export * from "./iam-role-trust-whole-account";
export * from "./iam-policy-resource-scope";
