// The ingest function's environment contract: validated, so MAX_BODY_BYTES can never become NaN.
import { strict as assert } from "node:assert";
import { EnvError } from "../../contracts/env/read";
import { bodyLimitFor, ingestEnvironment, readIngestEnv } from "../../contracts/env/ingest";

const STREAM = { STREAM_NAME: "events" };

describe("ingest settings from the environment", () => {
    it("defaults to 1 MiB bodies and aggregation on, and reads valid values", () => {
        assert.deepEqual(readIngestEnv(STREAM), { streamName: "events", maxBodyBytes: 1_048_576, aggregation: true, maxRecordSizeKib: 1024 });
        assert.deepEqual(readIngestEnv({ ...STREAM, MAX_BODY_BYTES: " 2048 ", INGEST_AGGREGATION: "false", MAX_RECORD_SIZE_KIB: "4096" }), {
            streamName: "events",
            maxBodyBytes: 2048,
            aggregation: false,
            maxRecordSizeKib: 4096,
        });
    });

    it("reads back what the infra builder sets", () => {
        const settings = { streamName: "events", maxBodyBytes: 4096, aggregation: false, maxRecordSizeKib: 10_240 };
        assert.deepEqual(readIngestEnv(ingestEnvironment(settings)), settings);
    });

    for (const bad of ["abc", "1e3x", "12.5", "1023", "6000001", "-5"]) {
        it(`refuses MAX_BODY_BYTES=${bad} in one line instead of NaN or a useless limit`, () => {
            assert.throws(() => readIngestEnv({ ...STREAM, MAX_BODY_BYTES: bad }), {
                name: "EnvError",
                message: `ingest environment:\n  MAX_BODY_BYTES=${bad}: must be a whole number of bytes from 1024 to 6000000`,
            });
        });
    }

    it("refuses a MAX_RECORD_SIZE_KIB outside the stream's 1024-10240 KiB", () => {
        assert.throws(() => readIngestEnv({ ...STREAM, MAX_RECORD_SIZE_KIB: "10241" }), {
            message: "ingest environment:\n  MAX_RECORD_SIZE_KIB=10241: must be a whole number of KiB from 1024 to 10240",
        });
    });

    it("a body limit that follows the stream is one record of its size, at most Lambda's 6 MB synchronous payload", () => {
        assert.deepEqual([bodyLimitFor(1024), bodyLimitFor(4096), bodyLimitFor(10_240)], [1_048_576, 4_194_304, 6_000_000]);
    });

    it("names every bad or missing variable, one line each", () => {
        assert.throws(
            () => readIngestEnv({ INGEST_AGGREGATION: "yes", MAX_BODY_BYTES: "NaN" }),
            (e: Error) => {
                assert.ok(e instanceof EnvError);
                assert.deepEqual(e.message.split("\n"), [
                    "ingest environment:",
                    "  STREAM_NAME is not set",
                    "  MAX_BODY_BYTES=NaN: must be a whole number of bytes from 1024 to 6000000",
                    "  INGEST_AGGREGATION=yes: must be true or false",
                ]);
                return true;
            },
        );
    });
});
