import { DescribeStreamSummaryCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import { MAX_RECORD_BYTES } from "./request-batcher";
import type { StreamTarget } from "./types";

/**
 * The stream's record limit (`MaxRecordSizeInKiB`, 1,024 to 10,240 KiB), read with
 * DescribeStreamSummary the first time a record over 1 MiB (what every stream takes) needs it. An
 * answer without the field (an endpoint from before large records, kinesalite) means the 1 MiB
 * default; a failed call leaves it unknown, so the next large record asks again. A limit the caller
 * gives is taken as is.
 */
export class StreamRecordLimit {
    private known: number | undefined;
    private loading: Promise<number> | undefined;

    /** `given`: the limit in bytes when the caller knows it; nothing is read then. */
    constructor(
        private readonly client: KinesisClient,
        private readonly target: StreamTarget,
        private readonly timeoutMs: number,
        given: number | undefined,
    ) {
        this.known = given;
    }

    /** Bytes of data plus partition key the stream takes, once read. */
    get bytes(): number | undefined {
        return this.known;
    }

    load(): Promise<number> {
        this.loading ??= this.client
            .send(new DescribeStreamSummaryCommand(this.target), { abortSignal: AbortSignal.timeout(this.timeoutMs) })
            .then((out) => {
                const kib = out.StreamDescriptionSummary?.MaxRecordSizeInKiB;
                this.known = kib === undefined ? MAX_RECORD_BYTES : kib * 1024;
                return this.known;
            })
            .finally(() => {
                this.loading = undefined;
            });
        return this.loading;
    }
}
