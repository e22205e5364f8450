// DynamoDB tables of the pipeline (results, KCL leases): recoverable, encrypted with a key the
// account controls, not deletable by a stray `pulumi destroy` where it matters.
export * from "./dynamodb-table-deletion-protection";
export * from "./dynamodb-table-encrypted";
export * from "./dynamodb-table-pitr";
