// The sns policies, one per file; shared.ts holds what several of them use.
export * from "./sns-topic-encrypted";
export * from "./sns-topic-tls-only";
