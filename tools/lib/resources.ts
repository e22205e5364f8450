/**
 * One resource of a stack as the policy engine sees it, whatever it came from: the mock runtime,
 * a `pulumi stack export` file or `pulumi preview --json` output.
 */
export interface StackResource {
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    /** The resource's inputs (outputs only when an exported resource has no inputs): what the policies validate. */
    inputs: Record<string, unknown>;
    /**
     * The resource's outputs, when the file records them (a stack export, preview --json): what the
     * engine gives stack policies, which `AnalyzeStack` runs on final outputs (ARNs and key ids included).
     */
    outputs?: Record<string, unknown>;
    /** Paths (`a.b.0`) of the values a stack export holds only encrypted: exported without --show-secrets. */
    hiddenSecrets?: string[];
    parent?: string;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    protect: boolean;
    ignoreChanges: string[];
}
