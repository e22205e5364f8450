// The dynamodb policies, one per file; shared.ts holds what several of them use.
export * from "./dynamodb-table-deletion-protection";
export * from "./dynamodb-table-encrypted";
export * from "./dynamodb-table-pitr";
