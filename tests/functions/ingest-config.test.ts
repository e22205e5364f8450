// The ingest function's environment: validated, so MAX_BODY_BYTES can never become NaN.
import { strict as assert } from "node:assert";
import { loadIngestSettings } from "../../functions/ingest/config";

describe("ingest settings from the environment", () => {
    it("defaults to 1 MiB bodies and aggregation on, and reads valid values", () => {
        assert.deepEqual(loadIngestSettings({}), { maxBodyBytes: 1_048_576, aggregation: true });
        assert.deepEqual(loadIngestSettings({ MAX_BODY_BYTES: " 2048 ", INGEST_AGGREGATION: "false" }), { maxBodyBytes: 2048, aggregation: false });
    });

    for (const bad of ["abc", "1e3x", "12.5", "1023", "6000001", "-5"]) {
        it(`refuses MAX_BODY_BYTES=${bad} in one line instead of NaN or a useless limit`, () => {
            assert.throws(() => loadIngestSettings({ MAX_BODY_BYTES: bad }), { message: `MAX_BODY_BYTES=${bad}: must be a whole number of bytes from 1024 to 6000000` });
        });
    }

    it("refuses INGEST_AGGREGATION other than true or false", () => {
        assert.throws(() => loadIngestSettings({ INGEST_AGGREGATION: "yes" }), { message: "INGEST_AGGREGATION=yes: must be true or false" });
    });
});
