// The sns policies, one per file.
export * from "./sns-topic-encrypted";
export * from "./sns-topic-tls-only";
export * from "./sns-topic-policy-not-public";
export * from "./sns-subscription-redrive";
