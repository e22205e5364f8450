/**
 * The results table's key schema: infra/components/results-table.ts creates the table from it, the
 * consumer writes with it (functions/shared/results-table.ts builds the keys of each kind of item), and
 * the local run and the tests create their table from it.
 */
export const RESULTS_TABLE = {
    partitionKey: "pk",
    sortKey: "sk",
    /** Every key attribute is a string. */
    attributes: [
        { name: "pk", type: "S" },
        { name: "sk", type: "S" },
        { name: "gsi1pk", type: "S" },
        { name: "gsi1sk", type: "S" },
    ],
    /** "Events of a type in a time range": gsi1pk = `<event_type>#<yyyy-mm-dd>`, gsi1sk between two instants. */
    byTypeTime: { indexName: "by-type-time", partitionKey: "gsi1pk", sortKey: "gsi1sk", projectionType: "ALL" },
    /** Epoch seconds; enable TTL on this attribute. */
    ttlAttribute: "expires_at",
} as const;
