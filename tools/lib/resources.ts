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
    parent?: string;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    protect: boolean;
    ignoreChanges: string[];
}
