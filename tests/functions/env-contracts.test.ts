// The replicator's and the Firehose transform's environment contracts: what infra builds reads back,
// and a bad environment names every variable in one error.
import { strict as assert } from "node:assert";
import { firehoseTransformEnvironment, readFirehoseTransformEnv } from "../../contracts/env/firehose-transform";
import { readReplicatorEnv, replicatorEnvironment } from "../../contracts/env/replicator";

describe("environment contracts", () => {
    it("replicator: reads back what infra sets, and names each missing variable", () => {
        const config = { replicaStreamName: "events-replica", replicaRegion: "us-west-2" };
        assert.deepEqual(readReplicatorEnv(replicatorEnvironment(config)), config);
        assert.throws(() => readReplicatorEnv({ REPLICA_REGION: " " }), {
            name: "EnvError",
            message: "replicator environment:\n  REPLICA_STREAM_NAME is not set\n  REPLICA_REGION is not set",
        });
    });

    it("firehose-transform: the IoT topic filter is optional and round-trips", () => {
        assert.deepEqual(readFirehoseTransformEnv({}), {});
        assert.deepEqual(firehoseTransformEnvironment({}), {});
        assert.deepEqual(readFirehoseTransformEnv(firehoseTransformEnvironment({ iotTopicFilter: "devices/+/telemetry" })), { iotTopicFilter: "devices/+/telemetry" });
    });
});
