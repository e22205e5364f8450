// The iam policies, one per file; shared.ts holds what several of them use.
export * from "./iam-streaming-least-privilege";
export * from "./iam-streaming-role-purpose";
