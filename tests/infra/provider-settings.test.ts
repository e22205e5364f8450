// The replica region's provider deploys as the stack does: the stack's aws: settings carried over.
import { strict as assert } from "node:assert";
import { one, synthesize } from "../support/stack";

describe("replica provider settings (mock runtime)", () => {
    it("carries profile, assumed roles, allowed accounts and default tags over, with the replica's region", async () => {
        const assumeRoles = [{ roleArn: "arn:aws:iam::123456789012:role/deployer", sessionName: "pulumi" }];
        const r = await synthesize("prod", {
            "aws:profile": "platform-prod",
            "aws:assumeRoles": JSON.stringify(assumeRoles),
            "aws:allowedAccountIds": JSON.stringify(["123456789012"]),
            "aws:defaultTags": JSON.stringify({ tags: { Team: "streaming" } }),
            "aws:skipMetadataApiCheck": "false",
        });
        const provider = one(r, "pulumi:providers:aws").inputs;
        const parsed = (v: unknown) => (typeof v === "string" && /^[[{]/.test(v) ? JSON.parse(v) : v);
        assert.equal(provider.region, "us-west-2");
        assert.equal(provider.profile, "platform-prod");
        assert.deepEqual(parsed(provider.assumeRoles), assumeRoles);
        assert.deepEqual(parsed(provider.allowedAccountIds), ["123456789012"]);
        assert.deepEqual(parsed(provider.defaultTags), { tags: { Team: "streaming" } });
        assert.equal(String(provider.skipMetadataApiCheck), "false");
    });

    it("without aws: settings none is invented", async () => {
        const provider = one(await synthesize("prod"), "pulumi:providers:aws").inputs;
        assert.deepEqual(
            [provider.region, provider.profile, provider.assumeRoles, provider.allowedAccountIds, provider.defaultTags],
            ["us-west-2", undefined, undefined, undefined, undefined],
        );
    });
});
